namespace Praetor.Gossip.Memberlist;

/// <summary>
/// An upper bound on a message's encoded size (type byte + msgpack map with memberlist's field
/// names), so the core can fill a UDP packet without the codec. Over-estimating only wastes a
/// few bytes of a packet; under-estimating could overflow it, so every field takes its widest form.
/// </summary>
public static class MessageSizeEstimate
{
    private const int TypeByte = 1;
    private const int MapHeader = 1;
    private const int UInt32Field = 5;
    private const int UInt16Field = 3;
    private const int BoolField = 1;

    /// <summary>The estimated encoded size of <paramref name="message"/> in bytes.</summary>
    public static int Bytes(object message) => TypeByte + MapHeader + message switch
    {
        Ping p => Key("SeqNo") + UInt32Field + Key("Node") + Str(p.Node) + Key("SourceAddr") + Bin(p.SourceAddr) + Key("SourcePort") + UInt16Field + Key("SourceNode") + Str(p.SourceNode),
        IndirectPingReq r => Key("SeqNo") + UInt32Field + Key("Target") + Bin(r.Target) + Key("Port") + UInt16Field + Key("Node") + Str(r.Node) + Key("Nack") + BoolField
            + Key("SourceAddr") + Bin(r.SourceAddr) + Key("SourcePort") + UInt16Field + Key("SourceNode") + Str(r.SourceNode),
        AckResp a => Key("SeqNo") + UInt32Field + Key("Payload") + Bin(a.Payload),
        NackResp => Key("SeqNo") + UInt32Field,
        Suspect s => Key("Incarnation") + UInt32Field + Key("Node") + Str(s.Node) + Key("From") + Str(s.From),
        Dead d => Key("Incarnation") + UInt32Field + Key("Node") + Str(d.Node) + Key("From") + Str(d.From),
        Alive a => Key("Incarnation") + UInt32Field + Key("Node") + Str(a.Node) + Key("Addr") + Bin(a.Addr) + Key("Port") + UInt16Field + Key("Meta") + Bin(a.Meta) + Key("Vsn") + Bin(new byte[6]),
        ErrResp e => Key("Error") + Str(e.Error),
        _ => throw new ArgumentException($"no size estimate for {message.GetType().Name}", nameof(message)),
    };

    private static int Key(string name) => 1 + name.Length;

    private static int Str(string s)
    {
        var n = System.Text.Encoding.UTF8.GetByteCount(s);
        return n + (n < 32 ? 1 : n < 256 ? 2 : n < 65536 ? 3 : 5);
    }

    private static int Bin(byte[]? b)
    {
        var n = b?.Length ?? 0;
        return n + (n < 256 ? 2 : n < 65536 ? 3 : 5);
    }
}
