using System.Buffers;
using MessagePack;
using Praetor.Gossip.Msgpack;

namespace Praetor.Gossip.Memberlist.Wire;

/// <summary>
/// memberlist 0.2.2's messages on the wire: one type byte, then the struct as go-msgpack encodes
/// it — a map whose keys are the Go field names in <b>sorted</b> order (go-msgpack sorts a
/// struct's fields by name when it writes a map), omitempty fields left out when empty.
/// </summary>
/// <remarks>
/// <para>Byte slices: Go writes a nil slice as msgpack nil and an empty non-nil one as an empty
/// string; the records cannot tell the two apart, so an empty or null array is written as nil —
/// which is what memberlist itself sends in every case that occurs (an ack without payload, a
/// node without meta) — and nil reads back as an empty array.</para>
/// <para>Decoding is Go's: keys in any order, unknown keys skipped, missing keys the zero value,
/// a repeated key's last value wins; a value of the wrong msgpack type is
/// <see cref="DecodeError.WrongType"/>. A Vsn shorter than six bytes (or missing) reads as all zeros,
/// meaning "not present" — memberlist ignores such an alive for a new node and keeps the known
/// versions otherwise, so the core decides; bytes past the sixth are ignored as Go does.</para>
/// <para>Thread-safety: all members are static and stateless.</para>
/// </remarks>
public static class MessageCodec
{
    /// <summary>Writes <paramref name="message"/> (one of the records of Messages.cs, or <see cref="UserMsg"/>) with its type byte.</summary>
    /// <exception cref="ArgumentException">Not a memberlist packet message (a programming error).</exception>
    public static void Write(IBufferWriter<byte> output, object message)
    {
        switch (message)
        {
            case Ping m: Write(output, m); break;
            case IndirectPingReq m: Write(output, m); break;
            case AckResp m: Write(output, m); break;
            case NackResp m: Write(output, m); break;
            case ErrResp m: Write(output, m); break;
            case Suspect m: Write(output, m); break;
            case Alive m: Write(output, m); break;
            case Dead m: Write(output, m); break;
            case UserMsg m: Write(output, m); break;
            default: throw new ArgumentException($"not a memberlist message: {message.GetType().Name}", nameof(message));
        }
    }

    public static void Write(IBufferWriter<byte> output, Ping m)
    {
        var w = GoMsgpackWriter.Create(output, (byte)MessageType.Ping);
        var sourceAddr = m.SourceAddr is { Length: > 0 };
        w.WriteMapHeader(2 + (sourceAddr ? 1 : 0) + (m.SourceNode.Length > 0 ? 1 : 0) + (m.SourcePort != 0 ? 1 : 0));
        GoMsgpackWriter.WriteField(ref w, "Node"u8); WireWriter.String(ref w, m.Node);
        GoMsgpackWriter.WriteField(ref w, "SeqNo"u8); WireWriter.UInt(ref w, m.SeqNo);
        if (sourceAddr) { GoMsgpackWriter.WriteField(ref w, "SourceAddr"u8); WireWriter.Bytes(ref w, m.SourceAddr); }
        if (m.SourceNode.Length > 0) { GoMsgpackWriter.WriteField(ref w, "SourceNode"u8); WireWriter.String(ref w, m.SourceNode); }
        if (m.SourcePort != 0) { GoMsgpackWriter.WriteField(ref w, "SourcePort"u8); WireWriter.UInt(ref w, m.SourcePort); }
        w.Flush();
    }

    public static void Write(IBufferWriter<byte> output, IndirectPingReq m)
    {
        var w = GoMsgpackWriter.Create(output, (byte)MessageType.IndirectPing);
        var sourceAddr = m.SourceAddr is { Length: > 0 };
        w.WriteMapHeader(5 + (sourceAddr ? 1 : 0) + (m.SourceNode.Length > 0 ? 1 : 0) + (m.SourcePort != 0 ? 1 : 0));
        GoMsgpackWriter.WriteField(ref w, "Nack"u8); w.Write(m.Nack);
        GoMsgpackWriter.WriteField(ref w, "Node"u8); WireWriter.String(ref w, m.Node);
        GoMsgpackWriter.WriteField(ref w, "Port"u8); WireWriter.UInt(ref w, m.Port);
        GoMsgpackWriter.WriteField(ref w, "SeqNo"u8); WireWriter.UInt(ref w, m.SeqNo);
        if (sourceAddr) { GoMsgpackWriter.WriteField(ref w, "SourceAddr"u8); WireWriter.Bytes(ref w, m.SourceAddr); }
        if (m.SourceNode.Length > 0) { GoMsgpackWriter.WriteField(ref w, "SourceNode"u8); WireWriter.String(ref w, m.SourceNode); }
        if (m.SourcePort != 0) { GoMsgpackWriter.WriteField(ref w, "SourcePort"u8); WireWriter.UInt(ref w, m.SourcePort); }
        GoMsgpackWriter.WriteField(ref w, "Target"u8); WireWriter.Bytes(ref w, m.Target);
        w.Flush();
    }

    public static void Write(IBufferWriter<byte> output, AckResp m)
    {
        var w = GoMsgpackWriter.Create(output, (byte)MessageType.AckResp);
        w.WriteMapHeader(2);
        GoMsgpackWriter.WriteField(ref w, "Payload"u8); WireWriter.Bytes(ref w, m.Payload);
        GoMsgpackWriter.WriteField(ref w, "SeqNo"u8); WireWriter.UInt(ref w, m.SeqNo);
        w.Flush();
    }

    public static void Write(IBufferWriter<byte> output, NackResp m)
    {
        var w = GoMsgpackWriter.Create(output, (byte)MessageType.NackResp);
        w.WriteMapHeader(1);
        GoMsgpackWriter.WriteField(ref w, "SeqNo"u8); WireWriter.UInt(ref w, m.SeqNo);
        w.Flush();
    }

    public static void Write(IBufferWriter<byte> output, ErrResp m)
    {
        var w = GoMsgpackWriter.Create(output, (byte)MessageType.Err);
        w.WriteMapHeader(1);
        GoMsgpackWriter.WriteField(ref w, "Error"u8); WireWriter.String(ref w, m.Error);
        w.Flush();
    }

    public static void Write(IBufferWriter<byte> output, Suspect m) => WriteIncarnationMessage(output, MessageType.Suspect, m.From, m.Incarnation, m.Node);

    public static void Write(IBufferWriter<byte> output, Dead m) => WriteIncarnationMessage(output, MessageType.Dead, m.From, m.Incarnation, m.Node);

    public static void Write(IBufferWriter<byte> output, Alive m)
    {
        var w = GoMsgpackWriter.Create(output, (byte)MessageType.Alive);
        w.WriteMapHeader(6);
        GoMsgpackWriter.WriteField(ref w, "Addr"u8); WireWriter.Bytes(ref w, m.Addr);
        GoMsgpackWriter.WriteField(ref w, "Incarnation"u8); WireWriter.UInt(ref w, m.Incarnation);
        GoMsgpackWriter.WriteField(ref w, "Meta"u8); WireWriter.Bytes(ref w, m.Meta);
        GoMsgpackWriter.WriteField(ref w, "Node"u8); WireWriter.String(ref w, m.Node);
        GoMsgpackWriter.WriteField(ref w, "Port"u8); WireWriter.UInt(ref w, m.Port);
        GoMsgpackWriter.WriteField(ref w, "Vsn"u8); WireWriter.Vsn(ref w, m.Vsn);
        w.Flush();
    }

    /// <summary>A user message in a packet: the type byte, then the payload as is (no msgpack).</summary>
    public static void Write(IBufferWriter<byte> output, UserMsg m)
    {
        var span = output.GetSpan(1 + m.Payload.Length);
        span[0] = (byte)MessageType.User;
        m.Payload.CopyTo(span[1..]);
        output.Advance(1 + m.Payload.Length);
    }

    /// <summary>
    /// Reads one packet message (type byte first) of the kinds a UDP packet carries directly —
    /// not compound, compress or CRC wrappers (see <see cref="MemberlistCodec"/>). Bytes after the
    /// map are ignored, as Go's decoder leaves them unread.
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> message, out object? decoded, out DecodeError error)
    {
        decoded = null;
        if (message.IsEmpty) { error = DecodeError.Empty; return false; }
        var body = message[1..];
        switch ((MessageType)message[0])
        {
            case MessageType.Ping: { var r = new GoMsgpackReader(body); var ok = TryReadPing(ref r, out var m); decoded = m; return Done(ok, ref r, out error); }
            case MessageType.IndirectPing: { var r = new GoMsgpackReader(body); var ok = TryReadIndirectPing(ref r, out var m); decoded = m; return Done(ok, ref r, out error); }
            case MessageType.AckResp: { var r = new GoMsgpackReader(body); var ok = TryReadAck(ref r, out var m); decoded = m; return Done(ok, ref r, out error); }
            case MessageType.NackResp: { var r = new GoMsgpackReader(body); var ok = TryReadNack(ref r, out var m); decoded = m; return Done(ok, ref r, out error); }
            case MessageType.Suspect: { var r = new GoMsgpackReader(body); var ok = TryReadIncarnationMessage(ref r, out var inc, out var node, out var from); decoded = ok ? new Suspect(inc, node, from) : null; return Done(ok, ref r, out error); }
            case MessageType.Dead: { var r = new GoMsgpackReader(body); var ok = TryReadIncarnationMessage(ref r, out var inc, out var node, out var from); decoded = ok ? new Dead(inc, node, from) : null; return Done(ok, ref r, out error); }
            case MessageType.Alive: { var r = new GoMsgpackReader(body); var ok = TryReadAlive(ref r, out var m); decoded = m; return Done(ok, ref r, out error); }
            case MessageType.User: decoded = new UserMsg(body.ToArray()); error = DecodeError.None; return true;
            default: error = DecodeError.UnknownMessageType; return false;
        }
    }

    private static bool Done(bool ok, ref GoMsgpackReader reader, out DecodeError error)
    {
        error = ok ? DecodeError.None : reader.Error.ToDecodeError();
        return ok;
    }

    internal static bool TryReadPing(ref GoMsgpackReader r, out Ping? message)
    {
        message = null;
        if (!r.TryReadMapHeader(out var count)) return false;
        uint seqNo = 0; string node = "", sourceNode = ""; byte[] sourceAddr = []; ushort sourcePort = 0;
        for (var i = 0; i < count; i++)
        {
            if (!r.TryReadKey(out var key)) return false;
            var ok = key switch
            {
                _ when key.SequenceEqual("SeqNo"u8) => r.TryReadUInt32(out seqNo),
                _ when key.SequenceEqual("Node"u8) => r.TryReadString(out node),
                _ when key.SequenceEqual("SourceAddr"u8) => r.TryReadByteArray(out sourceAddr),
                _ when key.SequenceEqual("SourcePort"u8) => r.TryReadUInt16(out sourcePort),
                _ when key.SequenceEqual("SourceNode"u8) => r.TryReadString(out sourceNode),
                _ => r.TrySkip(),
            };
            if (!ok) return false;
        }
        message = new Ping(seqNo, node, sourceAddr.Length == 0 ? null : sourceAddr, sourcePort, sourceNode);
        return true;
    }

    internal static bool TryReadIndirectPing(ref GoMsgpackReader r, out IndirectPingReq? message)
    {
        message = null;
        if (!r.TryReadMapHeader(out var count)) return false;
        uint seqNo = 0; string node = "", sourceNode = ""; byte[] target = [], sourceAddr = []; ushort port = 0, sourcePort = 0; var nack = false;
        for (var i = 0; i < count; i++)
        {
            if (!r.TryReadKey(out var key)) return false;
            var ok = key switch
            {
                _ when key.SequenceEqual("SeqNo"u8) => r.TryReadUInt32(out seqNo),
                _ when key.SequenceEqual("Target"u8) => r.TryReadByteArray(out target),
                _ when key.SequenceEqual("Port"u8) => r.TryReadUInt16(out port),
                _ when key.SequenceEqual("Node"u8) => r.TryReadString(out node),
                _ when key.SequenceEqual("Nack"u8) => r.TryReadBool(out nack),
                _ when key.SequenceEqual("SourceAddr"u8) => r.TryReadByteArray(out sourceAddr),
                _ when key.SequenceEqual("SourcePort"u8) => r.TryReadUInt16(out sourcePort),
                _ when key.SequenceEqual("SourceNode"u8) => r.TryReadString(out sourceNode),
                _ => r.TrySkip(),
            };
            if (!ok) return false;
        }
        message = new IndirectPingReq(seqNo, target, port, node, nack, sourceAddr.Length == 0 ? null : sourceAddr, sourcePort, sourceNode);
        return true;
    }

    internal static bool TryReadAck(ref GoMsgpackReader r, out AckResp? message)
    {
        message = null;
        if (!r.TryReadMapHeader(out var count)) return false;
        uint seqNo = 0; byte[] payload = [];
        for (var i = 0; i < count; i++)
        {
            if (!r.TryReadKey(out var key)) return false;
            var ok = key switch
            {
                _ when key.SequenceEqual("SeqNo"u8) => r.TryReadUInt32(out seqNo),
                _ when key.SequenceEqual("Payload"u8) => r.TryReadByteArray(out payload),
                _ => r.TrySkip(),
            };
            if (!ok) return false;
        }
        message = new AckResp(seqNo, payload);
        return true;
    }

    internal static bool TryReadNack(ref GoMsgpackReader r, out NackResp? message)
    {
        message = null;
        if (!r.TryReadMapHeader(out var count)) return false;
        uint seqNo = 0;
        for (var i = 0; i < count; i++)
        {
            if (!r.TryReadKey(out var key)) return false;
            var ok = key.SequenceEqual("SeqNo"u8) ? r.TryReadUInt32(out seqNo) : r.TrySkip();
            if (!ok) return false;
        }
        message = new NackResp(seqNo);
        return true;
    }

    internal static bool TryReadErr(ref GoMsgpackReader r, out ErrResp? message)
    {
        message = null;
        if (!r.TryReadMapHeader(out var count)) return false;
        var text = "";
        for (var i = 0; i < count; i++)
        {
            if (!r.TryReadKey(out var key)) return false;
            var ok = key.SequenceEqual("Error"u8) ? r.TryReadString(out text) : r.TrySkip();
            if (!ok) return false;
        }
        message = new ErrResp(text);
        return true;
    }

    internal static bool TryReadAlive(ref GoMsgpackReader r, out Alive? message)
    {
        message = null;
        if (!r.TryReadMapHeader(out var count)) return false;
        uint incarnation = 0; string node = ""; byte[] addr = [], meta = []; ushort port = 0; ProtocolVersions vsn = default;
        for (var i = 0; i < count; i++)
        {
            if (!r.TryReadKey(out var key)) return false;
            var ok = key switch
            {
                _ when key.SequenceEqual("Incarnation"u8) => r.TryReadUInt32(out incarnation),
                _ when key.SequenceEqual("Node"u8) => r.TryReadString(out node),
                _ when key.SequenceEqual("Addr"u8) => r.TryReadByteArray(out addr),
                _ when key.SequenceEqual("Port"u8) => r.TryReadUInt16(out port),
                _ when key.SequenceEqual("Meta"u8) => r.TryReadByteArray(out meta),
                _ when key.SequenceEqual("Vsn"u8) => TryReadVsn(ref r, out vsn),
                _ => r.TrySkip(),
            };
            if (!ok) return false;
        }
        message = new Alive(incarnation, node, addr, port, meta, vsn);
        return true;
    }

    internal static bool TryReadPushNodeState(ref GoMsgpackReader r, out PushNodeState? message)
    {
        message = null;
        if (!r.TryReadMapHeader(out var count)) return false;
        uint incarnation = 0; string name = ""; byte[] addr = [], meta = []; ushort port = 0; byte state = 0; ProtocolVersions vsn = default;
        for (var i = 0; i < count; i++)
        {
            if (!r.TryReadKey(out var key)) return false;
            var ok = key switch
            {
                _ when key.SequenceEqual("Name"u8) => r.TryReadString(out name),
                _ when key.SequenceEqual("Addr"u8) => r.TryReadByteArray(out addr),
                _ when key.SequenceEqual("Port"u8) => r.TryReadUInt16(out port),
                _ when key.SequenceEqual("Meta"u8) => r.TryReadByteArray(out meta),
                _ when key.SequenceEqual("Incarnation"u8) => r.TryReadUInt32(out incarnation),
                // Go's NodeStateType is an int; a state this version does not know passes through for the core to ignore.
                _ when key.SequenceEqual("State"u8) => r.TryReadByteValue(out state),
                _ when key.SequenceEqual("Vsn"u8) => TryReadVsn(ref r, out vsn),
                _ => r.TrySkip(),
            };
            if (!ok) return false;
        }
        message = new PushNodeState(name, addr, port, meta, incarnation, (NodeState)state, vsn);
        return true;
    }

    internal static void WritePushNodeState(ref MessagePackWriter w, PushNodeState m)
    {
        w.WriteMapHeader(7);
        GoMsgpackWriter.WriteField(ref w, "Addr"u8); WireWriter.Bytes(ref w, m.Addr);
        GoMsgpackWriter.WriteField(ref w, "Incarnation"u8); WireWriter.UInt(ref w, m.Incarnation);
        GoMsgpackWriter.WriteField(ref w, "Meta"u8); WireWriter.Bytes(ref w, m.Meta);
        GoMsgpackWriter.WriteField(ref w, "Name"u8); WireWriter.String(ref w, m.Name);
        GoMsgpackWriter.WriteField(ref w, "Port"u8); WireWriter.UInt(ref w, m.Port);
        GoMsgpackWriter.WriteField(ref w, "State"u8); WireWriter.UInt(ref w, (byte)m.State);
        GoMsgpackWriter.WriteField(ref w, "Vsn"u8); WireWriter.Vsn(ref w, m.Vsn);
    }

    private static bool TryReadIncarnationMessage(ref GoMsgpackReader r, out uint incarnation, out string node, out string from)
    {
        incarnation = 0; node = ""; from = "";
        if (!r.TryReadMapHeader(out var count)) return false;
        for (var i = 0; i < count; i++)
        {
            if (!r.TryReadKey(out var key)) return false;
            var ok = key switch
            {
                _ when key.SequenceEqual("Incarnation"u8) => r.TryReadUInt32(out incarnation),
                _ when key.SequenceEqual("Node"u8) => r.TryReadString(out node),
                _ when key.SequenceEqual("From"u8) => r.TryReadString(out from),
                _ => r.TrySkip(),
            };
            if (!ok) return false;
        }
        return true;
    }

    private static void WriteIncarnationMessage(IBufferWriter<byte> output, MessageType type, string from, uint incarnation, string node)
    {
        var w = GoMsgpackWriter.Create(output, (byte)type);
        w.WriteMapHeader(3);
        GoMsgpackWriter.WriteField(ref w, "From"u8); WireWriter.String(ref w, from);
        GoMsgpackWriter.WriteField(ref w, "Incarnation"u8); WireWriter.UInt(ref w, incarnation);
        GoMsgpackWriter.WriteField(ref w, "Node"u8); WireWriter.String(ref w, node);
        w.Flush();
    }

    /// <summary>Reads Vsn; fewer than six bytes read as all zeros ("not present": every real member advertises ProtocolMin >= 1).</summary>
    private static bool TryReadVsn(ref GoMsgpackReader r, out ProtocolVersions vsn)
    {
        vsn = default;
        if (!r.TryReadRaw(out var bytes, out _)) return false;
        if (bytes.Length >= 6) vsn = new ProtocolVersions(bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5]);
        return true;
    }
}
