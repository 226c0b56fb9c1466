using System.Buffers.Binary;
using System.Text;

namespace Praetor.Dns.Tests.Wire;

/// <summary>Builds raw DNS packets byte by byte, malformed ones included.</summary>
internal sealed class PacketBuilder
{
    private readonly List<byte> bytes = [];

    public int Length => bytes.Count;

    public static PacketBuilder Query(string name, ushort type = 1, ushort id = 0xBEEF, ushort flags = 0x0100, ushort an = 0, ushort ns = 0, ushort ar = 0)
        => new PacketBuilder().Header(id, flags, 1, an, ns, ar).Name(name).U16(type).U16(1);

    public PacketBuilder Header(ushort id, ushort flags, ushort qd, ushort an, ushort ns, ushort ar)
        => U16(id).U16(flags).U16(qd).U16(an).U16(ns).U16(ar);

    /// <summary>A plain dotted name (no escapes) written as labels and the root byte.</summary>
    public PacketBuilder Name(string name)
    {
        if (name.Length > 0)
        {
            foreach (var label in name.Split('.'))
            {
                Label(Encoding.ASCII.GetBytes(label));
            }
        }

        return Raw(0);
    }

    public PacketBuilder Label(byte[] label)
    {
        bytes.Add((byte)label.Length);
        bytes.AddRange(label);
        return this;
    }

    public PacketBuilder Pointer(int offset) => Raw((byte)(0xC0 | (offset >> 8)), (byte)offset);

    public PacketBuilder Raw(params byte[] raw)
    {
        bytes.AddRange(raw);
        return this;
    }

    public PacketBuilder U16(ushort value) => Raw((byte)(value >> 8), (byte)value);

    public PacketBuilder U32(uint value) => U16((ushort)(value >> 16)).U16((ushort)value);

    /// <summary>Type, class, TTL and RDATA of a record whose owner was already written.</summary>
    public PacketBuilder RecordTail(ushort type, ushort rclass, uint ttl, byte[] rdata)
        => U16(type).U16(rclass).U32(ttl).U16((ushort)rdata.Length).Raw(rdata);

    public PacketBuilder Opt(ushort udpSize, bool dnssecOk = false, byte ownerLength = 0)
    {
        if (ownerLength > 0)
        {
            Label(Enumerable.Repeat((byte)'x', ownerLength).ToArray()).Raw(0);
        }
        else
        {
            Raw(0);
        }

        return RecordTail(41, udpSize, dnssecOk ? 0x8000u : 0u, []);
    }

    public byte[] Build() => [.. bytes];
}

/// <summary>An independent, strict decoder of our responses: every pointer must point backwards, and it says which names used one.</summary>
internal static class TestDecoder
{
    public sealed record Record(string Name, ushort Type, ushort Class, uint Ttl, int RdataOffset, int RdataLength, bool NameCompressed);

    public sealed record Message(ushort Id, ushort Flags, string QuestionName, ushort QuestionType, ushort QuestionClass,
        List<Record> Answers, List<Record> Authority, List<Record> Additional);

    public static Message Decode(byte[] packet)
    {
        var id = BinaryPrimitives.ReadUInt16BigEndian(packet);
        var flags = BinaryPrimitives.ReadUInt16BigEndian(packet.AsSpan(2));
        var qd = BinaryPrimitives.ReadUInt16BigEndian(packet.AsSpan(4));
        var an = BinaryPrimitives.ReadUInt16BigEndian(packet.AsSpan(6));
        var ns = BinaryPrimitives.ReadUInt16BigEndian(packet.AsSpan(8));
        var ar = BinaryPrimitives.ReadUInt16BigEndian(packet.AsSpan(10));
        Assert.Equal(1, qd);
        var offset = 12;
        var qname = ReadName(packet, ref offset, out _);
        var qtype = BinaryPrimitives.ReadUInt16BigEndian(packet.AsSpan(offset));
        var qclass = BinaryPrimitives.ReadUInt16BigEndian(packet.AsSpan(offset + 2));
        offset += 4;
        var answers = ReadSection(packet, ref offset, an);
        var authority = ReadSection(packet, ref offset, ns);
        var additional = ReadSection(packet, ref offset, ar);
        Assert.Equal(packet.Length, offset);
        return new Message(id, flags, qname, qtype, qclass, answers, authority, additional);
    }

    private static List<Record> ReadSection(byte[] packet, ref int offset, int count)
    {
        var records = new List<Record>();
        for (var i = 0; i < count; i++)
        {
            var name = ReadName(packet, ref offset, out var compressed);
            var span = packet.AsSpan(offset);
            var rdLength = BinaryPrimitives.ReadUInt16BigEndian(span[8..]);
            records.Add(new Record(name, BinaryPrimitives.ReadUInt16BigEndian(span), BinaryPrimitives.ReadUInt16BigEndian(span[2..]),
                BinaryPrimitives.ReadUInt32BigEndian(span[4..]), offset + 10, rdLength, compressed));
            offset += 10 + rdLength;
            Assert.True(offset <= packet.Length, "record runs past the end");
        }

        return records;
    }

    /// <summary>Reads a name (lower-level than presentation form: labels joined by '.', bytes as Latin-1).</summary>
    public static string ReadName(byte[] packet, ref int offset, out bool compressed)
    {
        compressed = false;
        var labels = new List<string>();
        var position = offset;
        var end = -1;
        var hops = 0;
        while (true)
        {
            var length = packet[position];
            if ((length & 0xC0) == 0xC0)
            {
                var target = ((length & 0x3F) << 8) | packet[position + 1];
                Assert.True(target < position, $"pointer at {position} to {target} does not point backwards");
                Assert.True(target >= 12, "pointer into the header");
                Assert.True(++hops < 128, "pointer loop");
                compressed = true;
                if (end < 0)
                {
                    end = position + 2;
                }

                position = target;
                continue;
            }

            Assert.Equal(0, length & 0xC0);
            if (length == 0)
            {
                offset = end < 0 ? position + 1 : end;
                return string.Join('.', labels);
            }

            labels.Add(Encoding.Latin1.GetString(packet, position + 1, length));
            position += length + 1;
        }
    }
}
