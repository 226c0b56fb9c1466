using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text.Unicode;

namespace Praetor.Dns.Wire;

/// <summary>
/// A cursor over a response buffer: appends fields, names (with RFC 1035 4.1.4 compression when
/// given a table) and records, each returning false instead of running past the buffer.
/// </summary>
internal ref struct DnsWireWriter
{
    private const int MaxLabels = 128; // a 255-byte name has at most 127 labels
    private const int MaxPointerOffset = 0x3FFF;
    private const int MaxCharacterString = 255;

    private readonly Span<byte> buffer;

    // Earlier name suffixes that later names may point to: their offsets and case-folded hashes.
    private readonly Span<ushort> suffixOffsets;
    private readonly Span<uint> suffixHashes;
    private int suffixCount;

    public DnsWireWriter(Span<byte> buffer, Span<ushort> suffixOffsets, Span<uint> suffixHashes)
    {
        this.buffer = buffer;
        this.suffixOffsets = suffixOffsets;
        this.suffixHashes = suffixHashes;
        suffixCount = 0;
        Position = 0;
    }

    public int Position { get; set; }

    private readonly bool Compressing => !suffixOffsets.IsEmpty;

    public bool TryWriteByte(byte value)
    {
        if (Position >= buffer.Length)
        {
            return false;
        }

        buffer[Position++] = value;
        return true;
    }

    public bool TryWriteUInt16(ushort value)
    {
        if (buffer.Length - Position < 2)
        {
            return false;
        }

        BinaryPrimitives.WriteUInt16BigEndian(buffer[Position..], value);
        Position += 2;
        return true;
    }

    public bool TryWriteUInt32(uint value)
    {
        if (buffer.Length - Position < 4)
        {
            return false;
        }

        BinaryPrimitives.WriteUInt32BigEndian(buffer[Position..], value);
        Position += 4;
        return true;
    }

    /// <summary>
    /// Writes a presentation-form name. When compressing, the longest suffix already in the message
    /// becomes a pointer if <paramref name="usePointer"/>; either way the labels written here become
    /// targets for later names.
    /// </summary>
    public bool TryWriteName(string? name, bool usePointer)
    {
        if (name is null)
        {
            return false;
        }

        Span<byte> wire = stackalloc byte[DnsMessageReader.MaxNameWireLength];
        var length = DnsMessageWriter.EncodeName(name, wire);
        if (length < 0)
        {
            return false;
        }

        wire = wire[..length];
        if (!Compressing)
        {
            return TryWriteBytes(wire);
        }

        // Label starts, and a case-folded hash of the suffix each one begins.
        Span<byte> starts = stackalloc byte[MaxLabels];
        Span<uint> hashes = stackalloc uint[MaxLabels];
        var labels = 0;
        for (var at = 0; wire[at] != 0; at += wire[at] + 1)
        {
            starts[labels++] = (byte)at;
        }

        var hash = 2166136261u;
        for (var k = labels - 1; k >= 0; k--)
        {
            hash = HashLabel(hash, wire.Slice(starts[k], wire[starts[k]] + 1));
            hashes[k] = hash;
        }

        var matched = labels; // the first label not written out (labels: none matched)
        var pointer = -1;
        if (usePointer)
        {
            for (var k = 0; k < labels && pointer < 0; k++)
            {
                for (var e = 0; e < suffixCount; e++)
                {
                    if (suffixHashes[e] == hashes[k] && SuffixEquals(wire[starts[k]..], suffixOffsets[e]))
                    {
                        pointer = suffixOffsets[e];
                        matched = k;
                        break;
                    }
                }
            }
        }

        var start = Position;
        var written = matched == labels ? wire : wire[..starts[matched]];
        if (!TryWriteBytes(written) || (pointer >= 0 && !TryWriteUInt16((ushort)(0xC000 | pointer))))
        {
            return false;
        }

        for (var k = 0; k < matched && suffixCount < suffixOffsets.Length; k++)
        {
            var offset = start + starts[k];
            if (offset > MaxPointerOffset)
            {
                break;
            }

            suffixOffsets[suffixCount] = (ushort)offset;
            suffixHashes[suffixCount] = hashes[k];
            suffixCount++;
        }

        return true;
    }

    /// <summary>Writes one record: owner, type, class IN, TTL, RDLENGTH and RDATA. False for an unknown record kind.</summary>
    public bool TryWriteRecord(DnsRecord? record)
    {
        if (record is null || !TryWriteName(record.Name, usePointer: true))
        {
            return false;
        }

        if (!TryWriteUInt16((ushort)record.Type) || !TryWriteUInt16(DnsClass.Internet) || !TryWriteUInt32(record.Ttl) || !TryWriteUInt16(0))
        {
            return false;
        }

        var rdataStart = Position;
        var ok = record switch
        {
            DnsAddressRecord a => TryWriteAddress(a),
            DnsSrvRecord s => TryWriteUInt16(s.Priority) && TryWriteUInt16(s.Weight) && TryWriteUInt16(s.Port)
                // RFC 2782: the target is not compressed (it may still be pointed to).
                && TryWriteName(s.Target, usePointer: false),
            DnsTxtRecord t => TryWriteText(t.Text),
            DnsPtrRecord p => TryWriteName(p.Target, usePointer: true),
            DnsCnameRecord c => TryWriteName(c.Target, usePointer: true),
            DnsNsRecord n => TryWriteName(n.Target, usePointer: true),
            DnsSoaRecord soa => TryWriteName(soa.PrimaryServer, usePointer: true) && TryWriteName(soa.Mailbox, usePointer: true)
                && TryWriteUInt32(soa.Serial) && TryWriteUInt32(soa.Refresh) && TryWriteUInt32(soa.Retry)
                && TryWriteUInt32(soa.Expire) && TryWriteUInt32(soa.MinimumTtl),
            _ => false,
        };
        var rdLength = Position - rdataStart;
        if (!ok || rdLength > ushort.MaxValue)
        {
            return false;
        }

        BinaryPrimitives.WriteUInt16BigEndian(buffer[(rdataStart - 2)..], (ushort)rdLength);
        return true;
    }

    private bool TryWriteBytes(scoped ReadOnlySpan<byte> bytes)
    {
        if (!bytes.TryCopyTo(buffer[Position..]))
        {
            return false;
        }

        Position += bytes.Length;
        return true;
    }

    private bool TryWriteAddress(DnsAddressRecord record)
    {
        var address = record.Address;
        if (address is null || address.AddressFamily is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6))
        {
            return false;
        }

        if (!address.TryWriteBytes(buffer[Position..], out var written))
        {
            return false;
        }

        Position += written;
        return true;
    }

    /// <summary>Each string as character-strings of at most 255 UTF-8 bytes, split between characters; none at all as one empty string.</summary>
    private bool TryWriteText(IReadOnlyList<string>? text)
    {
        if (text is null || text.Count == 0)
        {
            return TryWriteByte(0);
        }

        for (var i = 0; i < text.Count; i++)
        {
            ReadOnlySpan<char> rest = text[i];
            do
            {
                var lengthAt = Position;
                if (!TryWriteByte(0))
                {
                    return false;
                }

                var room = Math.Min(MaxCharacterString, buffer.Length - Position);
                var status = Utf8.FromUtf16(rest, buffer.Slice(Position, room), out var read, out var written);
                if (status == System.Buffers.OperationStatus.DestinationTooSmall && room < MaxCharacterString)
                {
                    return false; // the buffer ran out, not the character-string
                }

                if (status is not (System.Buffers.OperationStatus.Done or System.Buffers.OperationStatus.DestinationTooSmall) || (read == 0 && !rest.IsEmpty))
                {
                    return false;
                }

                buffer[lengthAt] = (byte)written;
                Position += written;
                rest = rest[read..];
            }
            while (!rest.IsEmpty);
        }

        return true;
    }

    /// <summary>Whether the wire-form suffix equals the name at <paramref name="offset"/> in the buffer (ASCII case-insensitive).</summary>
    private readonly bool SuffixEquals(ReadOnlySpan<byte> suffix, int offset)
    {
        var a = 0;
        var b = offset;
        while (true)
        {
            // Pointers in our own output always go backwards, so this ends.
            while ((buffer[b] & 0xC0) == 0xC0)
            {
                b = ((buffer[b] & 0x3F) << 8) | buffer[b + 1];
            }

            var length = suffix[a];
            if (buffer[b] != length)
            {
                return false;
            }

            if (length == 0)
            {
                return true;
            }

            for (var k = 1; k <= length; k++)
            {
                if (ToLower(suffix[a + k]) != ToLower(buffer[b + k]))
                {
                    return false;
                }
            }

            a += length + 1;
            b += length + 1;
        }
    }

    private static uint HashLabel(uint hash, ReadOnlySpan<byte> label)
    {
        foreach (var b in label)
        {
            hash = (hash ^ ToLower(b)) * 16777619u;
        }

        return hash;
    }

    private static byte ToLower(byte b) => b is >= (byte)'A' and <= (byte)'Z' ? (byte)(b | 0x20) : b;
}

/// <summary>
/// Which additional records to leave out when answers are cut: those named by the target of a dropped
/// SRV or CNAME answer and by no kept one.
/// </summary>
internal struct DroppedTargets
{
    private const int LinearScanLimit = 32;

    private readonly List<DnsRecord> answers;
    private readonly int kept;
    private HashSet<string>? keptTargets;
    private HashSet<string>? droppedTargets;

    public DroppedTargets(List<DnsRecord> answers, int kept)
    {
        this.answers = answers;
        this.kept = kept;
    }

    /// <summary>Whether a record with this owner only serves dropped answers.</summary>
    public bool OnlyServesDropped(string? name)
    {
        if (name is null || kept >= answers.Count)
        {
            return false;
        }

        if (answers.Count <= LinearScanLimit)
        {
            return TargetIn(name, kept, answers.Count) && !TargetIn(name, 0, kept);
        }

        if (droppedTargets is null)
        {
            keptTargets = Targets(0, kept);
            droppedTargets = Targets(kept, answers.Count);
        }

        return droppedTargets.Contains(name) && !keptTargets!.Contains(name);
    }

    private readonly bool TargetIn(string name, int from, int to)
    {
        for (var i = from; i < to; i++)
        {
            if (Target(answers[i]) is { } target && string.Equals(target, name, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private readonly HashSet<string> Targets(int from, int to)
    {
        var set = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = from; i < to; i++)
        {
            if (Target(answers[i]) is { } target)
            {
                set.Add(target);
            }
        }

        return set;
    }

    private static string? Target(DnsRecord? record) => record switch
    {
        DnsSrvRecord srv => srv.Target,
        DnsCnameRecord cname => cname.Target,
        _ => null,
    };
}
