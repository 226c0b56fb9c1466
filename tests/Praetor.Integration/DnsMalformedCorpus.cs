using System.Buffers.Binary;

namespace Praetor.Integration;

/// <summary>One malformed DNS message and how it was made, for failure messages.</summary>
public sealed record DnsMalformedMessage(string Kind, byte[] Bytes)
{
    /// <summary>The opcode its header claims (0 when it has no full header), since a non-QUERY opcode may be answered NOTIMP.</summary>
    public int Opcode => Bytes.Length >= DnsPacket.HeaderLength ? DnsPacket.Opcode(Bytes) : 0;

    public override string ToString() =>
        $"{Kind} ({Bytes.Length} bytes: {Convert.ToHexString(Bytes.AsSpan(0, Math.Min(Bytes.Length, 48)))}{(Bytes.Length > 48 ? "..." : "")})";
}

/// <summary>
/// Malformed DNS messages, made by hand or from a seeded <see cref="Random"/>: random bytes,
/// truncated valid queries, wrong section counts, a compression pointer loop at offset 12, bad
/// label lengths, an over-long name, a missing OPT record, and 60 KB messages. Every message of two
/// bytes or more carries a unique ID (its index + 1), so a reply can be traced to what caused it.
/// </summary>
public static class DnsMalformedCorpus
{
    public const int LargeMessageBytes = 60 * 1024;

    /// <summary>The hand-made cases and <paramref name="randomCount"/> random ones.</summary>
    public static IReadOnlyList<DnsMalformedMessage> Create(Random random, int randomCount)
    {
        ArgumentNullException.ThrowIfNull(random);
        var messages = new List<DnsMalformedMessage>(HandMade(random));
        for (var i = 0; i < randomCount; i++)
        {
            var bytes = new byte[random.Next(0, 513)];
            random.NextBytes(bytes);
            messages.Add(new DnsMalformedMessage("random bytes", bytes));
        }
        for (var i = 0; i < messages.Count; i++)
        {
            if (messages[i].Bytes.Length >= 2)
            {
                BinaryPrimitives.WriteUInt16BigEndian(messages[i].Bytes, (ushort)(i + 1));
            }
        }
        return messages;
    }

    private static IEnumerable<DnsMalformedMessage> HandMade(Random random)
    {
        var valid = DnsPacket.Query(0, "web.service.consul", DnsPacket.TypeA);
        for (var length = 0; length < valid.Length; length++)
        {
            yield return new DnsMalformedMessage($"a valid query cut to {length} bytes", valid[..length]);
        }
        foreach (var (offset, count) in new[] { (4, 0), (4, 2), (4, 0xFFFF), (6, 1), (6, 0xFFFF), (8, 1), (8, 0xFFFF), (10, 1), (10, 0xFFFF) })
        {
            var wrong = (byte[])valid.Clone();
            BinaryPrimitives.WriteUInt16BigEndian(wrong.AsSpan(offset), (ushort)count);
            var section = offset switch { 4 => "QDCOUNT", 6 => "ANCOUNT", 8 => "NSCOUNT", _ => "ARCOUNT" };
            yield return new DnsMalformedMessage($"a valid query but {section} = {count}", wrong);
        }
        yield return new DnsMalformedMessage("a compression pointer loop: 0xC0 0x0C at offset 12", Question([0xC0, 0x0C]));
        yield return new DnsMalformedMessage("a compression pointer past the end", Question([0xC0, 0xFF]));
        yield return new DnsMalformedMessage("a two-pointer loop", Question([0xC0, 0x0E, 0xC0, 0x0C]));
        yield return new DnsMalformedMessage("a label longer than the message", Question([0x3F, (byte)'a', (byte)'b']));
        yield return new DnsMalformedMessage("a label length with the reserved 0x80 bits", Question([0x81, (byte)'a', 0x00]));
        yield return new DnsMalformedMessage("a label length with the reserved 0x40 bits", Question([0x41, (byte)'a', 0x00]));
        yield return new DnsMalformedMessage("a name of 5 x 63-byte labels (over 255 bytes)", Question([.. Enumerable.Repeat(Label(63), 5).SelectMany(static l => l), 0x00]));
        yield return new DnsMalformedMessage("a header claiming one question and nothing else", Header(qdCount: 1));
        yield return new DnsMalformedMessage("a question without type and class", Header(qdCount: 1).Concat(Label(3)).Append((byte)0).ToArray());
        yield return new DnsMalformedMessage("ARCOUNT 1 with an OPT record cut short", [.. Arcount1(valid), 0x00, 0x00, 0x29, 0x04]);
        yield return new DnsMalformedMessage("ARCOUNT 1 with an OPT record whose RDLENGTH runs past the end",
            [.. Arcount1(valid), 0x00, 0x00, 0x29, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x64]);
        var longName = new List<byte>(Header(qdCount: 1));
        while (longName.Count + 64 <= LargeMessageBytes)
        {
            longName.AddRange(Label(63));
        }
        yield return new DnsMalformedMessage("60 KB: a name of 63-byte labels with no end", [.. longName]);
        var garbage = new byte[LargeMessageBytes - valid.Length];
        random.NextBytes(garbage);
        var countsLie = (byte[])valid.Clone();
        BinaryPrimitives.WriteUInt16BigEndian(countsLie.AsSpan(6), 0xFFFF);
        yield return new DnsMalformedMessage("60 KB: a valid question, ANCOUNT 65535, then random bytes", [.. countsLie, .. garbage]);
    }

    /// <summary>A query header (opcode QUERY, RD) claiming <paramref name="qdCount"/> questions.</summary>
    private static byte[] Header(int qdCount)
    {
        var header = new byte[DnsPacket.HeaderLength];
        header[2] = 0x01;
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(4), (ushort)qdCount);
        return header;
    }

    /// <summary>A one-question header, then <paramref name="name"/> as given, then type A class IN.</summary>
    private static byte[] Question(byte[] name) => [.. Header(qdCount: 1), .. name, 0x00, 0x01, 0x00, 0x01];

    private static byte[] Label(int length) => [(byte)length, .. Enumerable.Repeat((byte)'a', length)];

    private static byte[] Arcount1(byte[] valid)
    {
        var copy = (byte[])valid.Clone();
        BinaryPrimitives.WriteUInt16BigEndian(copy.AsSpan(10), 1);
        return copy;
    }
}
