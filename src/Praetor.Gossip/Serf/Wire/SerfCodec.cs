using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using MessagePack;
using Praetor.Gossip.Msgpack;

namespace Praetor.Gossip.Serf.Wire;

/// <summary>
/// Serf's message codec (serf/messages.go encodeMessage/decodeMessage): one type byte, then the
/// message struct msgpack-encoded by go-msgpack as a map keyed by Go field name, fields in the
/// sorted order Go's encoder writes them. Decoding takes any field order, skips unknown fields,
/// reads nil as the zero value and ignores bytes after the struct, as Go's decoder does; anything
/// else is a <see cref="SerfDecodeError"/>, never an exception.
/// </summary>
public static partial class SerfCodec
{
    /// <summary>Encodes <paramref name="message"/> with its type byte.</summary>
    public static byte[] Encode(SerfMessage message)
    {
        var buffer = new ArrayBufferWriter<byte>(64);
        Encode(buffer, message);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Appends <paramref name="message"/>, type byte first, to <paramref name="output"/>.</summary>
    public static void Encode(IBufferWriter<byte> output, SerfMessage message)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(message);
        var writer = GoMsgpackWriter.Create(output, (byte)message.Type);
        switch (message)
        {
            case JoinIntent join: WriteJoin(ref writer, join); break;
            case LeaveIntent leave: WriteLeave(ref writer, leave); break;
            case UserEventMessage userEvent: WriteUserEvent(ref writer, userEvent); break;
            case QueryMessage query: WriteQuery(ref writer, query); break;
            case QueryResponseMessage response: WriteQueryResponse(ref writer, response); break;
            case PushPullState pushPull: WritePushPull(ref writer, pushPull); break;
            case ConflictResponse conflict: WriteConflictResponse(ref writer, conflict); break;
            case KeyRequest keyRequest: WriteKeyRequest(ref writer, keyRequest); break;
            case KeyResponse keyResponse: WriteKeyResponse(ref writer, keyResponse); break;
            case RelayMessage relay:
                WriteRelayHeader(ref writer, relay);
                writer.Flush();
                output.Write(relay.Inner);
                return;
            default:
                throw new ArgumentException($"not a Serf message: {message.GetType().Name}", nameof(message));
        }
        writer.Flush();
    }

    /// <summary>
    /// Decodes one Serf message (type byte first). False, with the reason in <paramref name="error"/>,
    /// for empty input, an unknown type byte or malformed msgpack.
    /// </summary>
    public static bool TryDecode(ReadOnlySpan<byte> message, [NotNullWhen(true)] out SerfMessage? decoded, out SerfDecodeError error)
    {
        decoded = null;
        if (message.IsEmpty)
        {
            error = new SerfDecodeError(SerfDecodeErrorKind.Empty, "message");
            return false;
        }
        var reader = new GoMsgpackReader(message[1..]);
        string where;
        bool ok;
        switch ((SerfMessageType)message[0])
        {
            case SerfMessageType.Join: ok = ReadJoin(ref reader, out var join, out where); decoded = join; break;
            case SerfMessageType.Leave: ok = ReadLeave(ref reader, out var leave, out where); decoded = leave; break;
            case SerfMessageType.UserEvent: ok = ReadUserEvent(ref reader, out var userEvent, out where); decoded = userEvent; break;
            case SerfMessageType.Query: ok = ReadQuery(ref reader, out var query, out where); decoded = query; break;
            case SerfMessageType.QueryResponse: ok = ReadQueryResponse(ref reader, out var response, out where); decoded = response; break;
            case SerfMessageType.PushPull: ok = ReadPushPull(ref reader, out var pushPull, out where); decoded = pushPull; break;
            case SerfMessageType.ConflictResponse: ok = ReadConflictResponse(ref reader, out var conflict, out where); decoded = conflict; break;
            case SerfMessageType.KeyRequest: ok = ReadKeyRequest(ref reader, out var keyRequest, out where); decoded = keyRequest; break;
            case SerfMessageType.KeyResponse: ok = ReadKeyResponse(ref reader, out var keyResponse, out where); decoded = keyResponse; break;
            case SerfMessageType.Relay:
                ok = ReadRelayHeader(ref reader, out var relay, out where);
                decoded = ok ? relay! with { Inner = message[(1 + reader.Position)..].ToArray() } : null;
                break;
            default:
                error = new SerfDecodeError(SerfDecodeErrorKind.UnknownType, "message type");
                return false;
        }
        if (!ok)
        {
            decoded = null;
            error = new SerfDecodeError(SerfDecodeErrorKind.Malformed, where);
            return false;
        }
        error = SerfDecodeError.None;
        return decoded is not null;
    }

    /// <summary>Decodes a message that must be of type <typeparamref name="T"/> (a push/pull state, a key response...).</summary>
    public static bool TryDecode<T>(ReadOnlySpan<byte> message, [NotNullWhen(true)] out T? decoded, out SerfDecodeError error)
        where T : SerfMessage
    {
        decoded = null;
        if (!TryDecode(message, out var any, out error)) return false;
        if (any is T typed)
        {
            decoded = typed;
            return true;
        }
        error = new SerfDecodeError(SerfDecodeErrorKind.UnknownType, typeof(T).Name);
        return false;
    }

    // messageJoin {LTime, Node}
    private static void WriteJoin(ref MessagePackWriter writer, JoinIntent join)
    {
        writer.WriteMapHeader(2);
        GoMsgpackWriter.WriteField(ref writer, "LTime"u8);
        writer.Write(join.LTime);
        GoMsgpackWriter.WriteField(ref writer, "Node"u8);
        writer.Write(join.Node);
    }

    private static bool ReadJoin(ref GoMsgpackReader reader, out JoinIntent? join, out string where)
    {
        join = null;
        ulong ltime = 0;
        var node = "";
        if (!ReadStructHeader(ref reader, out var fields, out where, "messageJoin")) return false;
        for (var i = 0; i < fields; i++)
        {
            if (!ReadFieldName(ref reader, out var name, out where, "messageJoin")) return false;
            var ok = name switch
            {
                _ when name.SequenceEqual("LTime"u8) => Field(reader.TryReadUInt64(out ltime), "messageJoin.LTime", out where),
                _ when name.SequenceEqual("Node"u8) => Field(reader.TryReadString(out node), "messageJoin.Node", out where),
                _ => Field(reader.TrySkip(), "messageJoin", out where),
            };
            if (!ok) return false;
        }
        join = new JoinIntent(ltime, node);
        return true;
    }

    // messageLeave {LTime, Node, Prune}
    private static void WriteLeave(ref MessagePackWriter writer, LeaveIntent leave)
    {
        writer.WriteMapHeader(3);
        GoMsgpackWriter.WriteField(ref writer, "LTime"u8);
        writer.Write(leave.LTime);
        GoMsgpackWriter.WriteField(ref writer, "Node"u8);
        writer.Write(leave.Node);
        GoMsgpackWriter.WriteField(ref writer, "Prune"u8);
        writer.Write(leave.Prune);
    }

    private static bool ReadLeave(ref GoMsgpackReader reader, out LeaveIntent? leave, out string where)
    {
        leave = null;
        ulong ltime = 0;
        var node = "";
        var prune = false;
        if (!ReadStructHeader(ref reader, out var fields, out where, "messageLeave")) return false;
        for (var i = 0; i < fields; i++)
        {
            if (!ReadFieldName(ref reader, out var name, out where, "messageLeave")) return false;
            var ok = name switch
            {
                _ when name.SequenceEqual("LTime"u8) => Field(reader.TryReadUInt64(out ltime), "messageLeave.LTime", out where),
                _ when name.SequenceEqual("Node"u8) => Field(reader.TryReadString(out node), "messageLeave.Node", out where),
                _ when name.SequenceEqual("Prune"u8) => Field(reader.TryReadBool(out prune), "messageLeave.Prune", out where),
                _ => Field(reader.TrySkip(), "messageLeave", out where),
            };
            if (!ok) return false;
        }
        leave = new LeaveIntent(ltime, node, prune);
        return true;
    }

    // messageUserEvent {CC, LTime, Name, Payload}
    private static void WriteUserEvent(ref MessagePackWriter writer, UserEventMessage userEvent)
    {
        writer.WriteMapHeader(4);
        GoMsgpackWriter.WriteField(ref writer, "CC"u8);
        writer.Write(userEvent.CanCoalesce);
        GoMsgpackWriter.WriteField(ref writer, "LTime"u8);
        writer.Write(userEvent.LTime);
        GoMsgpackWriter.WriteField(ref writer, "Name"u8);
        writer.Write(userEvent.Name);
        GoMsgpackWriter.WriteField(ref writer, "Payload"u8);
        GoMsgpackWriter.WriteBytes(ref writer, userEvent.Payload);
    }

    private static bool ReadUserEvent(ref GoMsgpackReader reader, out UserEventMessage? userEvent, out string where)
    {
        userEvent = null;
        ulong ltime = 0;
        var name = "";
        byte[]? payload = null;
        var canCoalesce = false;
        if (!ReadStructHeader(ref reader, out var fields, out where, "messageUserEvent")) return false;
        for (var i = 0; i < fields; i++)
        {
            if (!ReadFieldName(ref reader, out var field, out where, "messageUserEvent")) return false;
            var ok = field switch
            {
                _ when field.SequenceEqual("LTime"u8) => Field(reader.TryReadUInt64(out ltime), "messageUserEvent.LTime", out where),
                _ when field.SequenceEqual("Name"u8) => Field(reader.TryReadString(out name), "messageUserEvent.Name", out where),
                _ when field.SequenceEqual("Payload"u8) => Field(reader.TryReadBytes(out payload), "messageUserEvent.Payload", out where),
                _ when field.SequenceEqual("CC"u8) => Field(reader.TryReadBool(out canCoalesce), "messageUserEvent.CC", out where),
                _ => Field(reader.TrySkip(), "messageUserEvent", out where),
            };
            if (!ok) return false;
        }
        userEvent = new UserEventMessage(ltime, name, payload, canCoalesce);
        return true;
    }

    // Shared pieces of every struct reader.

    /// <summary>A struct is a map (nil: all fields zero). Go also takes an array, but never writes one with this handle.</summary>
    private static bool ReadStructHeader(ref GoMsgpackReader reader, out int fields, out string where, string structName)
    {
        where = structName;
        return reader.TryReadMapHeader(out fields);
    }

    private static bool ReadFieldName(ref GoMsgpackReader reader, out ReadOnlySpan<byte> name, out string where, string structName)
    {
        where = structName;
        return reader.TryReadRaw(out name, out _);
    }

    private static bool Field(bool ok, string field, out string where)
    {
        where = field;
        return ok;
    }

    /// <summary>A Go []string (nil: null).</summary>
    private static bool ReadStringList(ref GoMsgpackReader reader, out List<string>? list)
    {
        list = null;
        if (!reader.TryReadArrayHeader(out var count)) return false;
        if (count < 0) return true;
        list = new List<string>(count);
        for (var i = 0; i < count; i++)
        {
            if (!reader.TryReadString(out var item)) return false;
            list.Add(item);
        }
        return true;
    }

    private static void WriteStringList(ref MessagePackWriter writer, IReadOnlyList<string>? list)
    {
        if (list is null)
        {
            writer.WriteNil();
            return;
        }
        writer.WriteArrayHeader(list.Count);
        for (var i = 0; i < list.Count; i++) writer.Write(list[i]);
    }

    /// <summary>A Go map[string]string (nil: null). A repeated key keeps the last value, as Go's map assignment does.</summary>
    internal static bool ReadStringMap(ref GoMsgpackReader reader, out Dictionary<string, string>? map)
    {
        map = null;
        if (!reader.TryReadMapHeader(out var count)) return false;
        if (count < 0) return true;
        map = new Dictionary<string, string>(count, StringComparer.Ordinal);
        for (var i = 0; i < count; i++)
        {
            if (!reader.TryReadString(out var key) || !reader.TryReadString(out var value)) return false;
            map[key] = value;
        }
        return true;
    }
}
