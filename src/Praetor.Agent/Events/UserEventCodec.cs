using System.Buffers;
using System.Text;
using MessagePack;

namespace Praetor.Agent.Events;

/// <summary>
/// Consul's user events on Serf: a Serf user event named <c>consul:event:&lt;name&gt;</c> whose
/// payload is the <see cref="UserEvent"/> in msgpack as Consul's <c>encodeMsgPack</c> writes it
/// (hashicorp/go-msgpack, <c>MsgpackHandle{RawToString, WriteExt}</c>): a map keyed by the
/// struct's codec names in Go's sorted order — <c>ID</c>, <c>n</c>, <c>nf</c>, <c>p</c>, <c>sf</c>,
/// <c>tf</c>, <c>v</c> — with the empty optional ones left out, strings as str (str8 allowed),
/// the payload as bin, and no type byte in front. LTime is not encoded: the receiver takes
/// Serf's.
/// </summary>
public static class UserEventCodec
{
    /// <summary>The Serf event name prefix of Consul's user events (userEventPrefix).</summary>
    public const string SerfNamePrefix = "consul:event:";

    /// <summary>The prefix of every Serf user event Consul keeps for itself (user events, new-leader...).</summary>
    public const string ConsulPrefix = "consul:";

    /// <summary>The Serf event name carrying the user event <paramref name="name"/>.</summary>
    public static string SerfName(string name) => SerfNamePrefix + name;

    /// <summary>The user event name inside a Serf event name, or null when it is not a Consul user event.</summary>
    public static string? UserEventName(string serfName)
    {
        ArgumentNullException.ThrowIfNull(serfName);
        return serfName.StartsWith(SerfNamePrefix, StringComparison.Ordinal) ? serfName[SerfNamePrefix.Length..] : null;
    }

    public static byte[] Encode(UserEvent userEvent)
    {
        ArgumentNullException.ThrowIfNull(userEvent);
        var buffer = new ArrayBufferWriter<byte>(64 + (userEvent.Payload?.Length ?? 0));
        var writer = new MessagePackWriter(buffer);
        var payload = userEvent.Payload is { Length: > 0 };
        var count = 3
            + (userEvent.NodeFilter.Length > 0 ? 1 : 0)
            + (payload ? 1 : 0)
            + (userEvent.ServiceFilter.Length > 0 ? 1 : 0)
            + (userEvent.TagFilter.Length > 0 ? 1 : 0);
        writer.WriteMapHeader(count);
        writer.WriteString("ID"u8);
        writer.Write(userEvent.Id);
        writer.WriteString("n"u8);
        writer.Write(userEvent.Name);
        if (userEvent.NodeFilter.Length > 0)
        {
            writer.WriteString("nf"u8);
            writer.Write(userEvent.NodeFilter);
        }
        if (payload)
        {
            writer.WriteString("p"u8);
            writer.Write(userEvent.Payload.AsSpan());
        }
        if (userEvent.ServiceFilter.Length > 0)
        {
            writer.WriteString("sf"u8);
            writer.Write(userEvent.ServiceFilter);
        }
        if (userEvent.TagFilter.Length > 0)
        {
            writer.WriteString("tf"u8);
            writer.Write(userEvent.TagFilter);
        }
        writer.WriteString("v"u8);
        writer.Write(userEvent.Version);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// Reads a user event as Consul's decoder does: fields in any order, strings and bytes as either
    /// str or bin (old and new msgpack spec), unknown fields skipped. False, with the reason in
    /// <paramref name="error"/>, for anything that is not such a map; never throws.
    /// </summary>
    public static bool TryDecode(ReadOnlyMemory<byte> encoded, ulong lTime, out UserEvent? userEvent, out string error)
    {
        userEvent = null;
        error = "";
        try
        {
            var reader = new MessagePackReader(encoded);
            if (reader.NextMessagePackType != MessagePackType.Map)
            {
                error = "user event is not a msgpack map";
                return false;
            }
            var count = reader.ReadMapHeader();
            string id = "", name = "", nodeFilter = "", serviceFilter = "", tagFilter = "";
            byte[]? payload = null;
            var version = 0;
            for (var i = 0; i < count; i++)
            {
                var key = ReadString(ref reader);
                switch (key)
                {
                    case "ID": id = ReadString(ref reader); break;
                    case "n": name = ReadString(ref reader); break;
                    case "p": payload = ReadBytes(ref reader); break;
                    case "nf": nodeFilter = ReadString(ref reader); break;
                    case "sf": serviceFilter = ReadString(ref reader); break;
                    case "tf": tagFilter = ReadString(ref reader); break;
                    case "v": version = ReadInt(ref reader); break;
                    default: reader.Skip(); break;
                }
            }
            userEvent = new UserEvent
            {
                Id = id,
                Name = name,
                Payload = payload is { Length: > 0 } ? payload : null,
                NodeFilter = nodeFilter,
                ServiceFilter = serviceFilter,
                TagFilter = tagFilter,
                Version = version,
                LTime = lTime,
            };
            return true;
        }
        catch (Exception e) when (e is MessagePackSerializationException or EndOfStreamException or InvalidOperationException or OverflowException or DecoderFallbackException)
        {
            error = "malformed user event: " + e.Message;
            return false;
        }
    }

    private static string ReadString(ref MessagePackReader reader)
    {
        switch (reader.NextMessagePackType)
        {
            case MessagePackType.Nil:
                reader.ReadNil();
                return "";
            case MessagePackType.Binary:
                var bytes = reader.ReadBytes();
                return bytes is { } sequence ? Utf8.GetString(sequence) : "";
            default:
                return reader.ReadString() ?? "";
        }
    }

    private static byte[]? ReadBytes(ref MessagePackReader reader)
    {
        switch (reader.NextMessagePackType)
        {
            case MessagePackType.Nil:
                reader.ReadNil();
                return null;
            case MessagePackType.String:
                return reader.ReadStringSequence() is { } raw ? raw.ToArray() : null;
            default:
                return reader.ReadBytes() is { } bytes ? bytes.ToArray() : null;
        }
    }

    private static int ReadInt(ref MessagePackReader reader)
    {
        if (reader.NextMessagePackType == MessagePackType.Nil)
        {
            reader.ReadNil();
            return 0;
        }
        return reader.ReadInt32();
    }

    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);
}
