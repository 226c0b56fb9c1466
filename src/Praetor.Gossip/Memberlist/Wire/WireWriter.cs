using MessagePack;

namespace Praetor.Gossip.Memberlist.Wire;

/// <summary>
/// Writes values as hashicorp/go-msgpack encodes them with memberlist's plain
/// <c>codec.MsgpackHandle{}</c> (WriteExt off): strings and byte slices both as old-spec raw
/// (fixstr / str16 / str32, never str8 or bin), a nil slice as nil, integers in their smallest
/// unsigned form. MessagePack-CSharp's writer in <see cref="MessagePackWriter.OldSpec"/> mode does
/// exactly that; this only adds Go's nil-slice and omitempty conventions.
/// </summary>
internal static class WireWriter
{
    /// <summary>A writer in go-msgpack's old-spec mode; the caller must <see cref="MessagePackWriter.Flush"/> it.</summary>
    public static MessagePackWriter Create(System.Buffers.IBufferWriter<byte> output) => new(output) { OldSpec = true };

    /// <summary>A map key: Go writes struct field names as strings.</summary>
    public static void Key(ref MessagePackWriter writer, ReadOnlySpan<byte> utf8Name) => writer.WriteString(utf8Name);

    /// <summary>A []byte field: empty or null is written as nil, as Go writes a nil slice (see <see cref="MessageCodec"/>).</summary>
    public static void Bytes(ref MessagePackWriter writer, byte[]? value)
    {
        if (value is null || value.Length == 0) writer.WriteNil();
        else writer.Write(value.AsSpan());
    }

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
