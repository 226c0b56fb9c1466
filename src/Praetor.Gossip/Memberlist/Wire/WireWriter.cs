using MessagePack;
using Praetor.Gossip.Msgpack;

namespace Praetor.Gossip.Memberlist.Wire;

/// <summary>
/// Memberlist's conventions on top of <see cref="GoMsgpackWriter"/> (go-msgpack's old-spec
/// encoding, shared with Serf): its records' empty-is-nil byte slices, and the six-byte Vsn.
/// </summary>
internal static class WireWriter
{
    /// <summary>A []byte field: empty or null is written as nil, as Go writes a nil slice (see <see cref="MessageCodec"/>).</summary>
    public static void Bytes(ref MessagePackWriter writer, byte[]? value) =>
        GoMsgpackWriter.WriteBytes(ref writer, value is { Length: > 0 } ? value : null);

    /// <summary>An unsigned integer in go-msgpack's smallest form (fixint, uint8, uint16, uint32, uint64).</summary>
    public static void UInt(ref MessagePackWriter writer, ulong value) => writer.Write(value);

    /// <summary>A Go string (empty strings are written, as a0).</summary>
    public static void String(ref MessagePackWriter writer, string value) => writer.Write(value);

    /// <summary>A six-byte Vsn slice ([]uint8 in Go, so a raw string of six bytes).</summary>
    public static void Vsn(ref MessagePackWriter writer, ProtocolVersions v)
    {
        writer.WriteStringHeader(6);
        var span = writer.GetSpan(6);
        span[0] = v.ProtocolMin; span[1] = v.ProtocolMax; span[2] = v.ProtocolCurrent;
        span[3] = v.DelegateMin; span[4] = v.DelegateMax; span[5] = v.DelegateCurrent;
        writer.Advance(6);
    }
}
