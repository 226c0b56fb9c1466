using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Praetor.Dns.Wire;

/// <summary>
/// Writes DNS responses (RFC 1035 section 4, name compression per 4.1.4, EDNS0 OPT per RFC 6891).
/// Never throws: a response that does not fit the buffer, or a name that cannot be encoded
/// (a label over 63 bytes, a name over 255 bytes, an empty label, a bad escape), gives -1.
/// </summary>
public static class DnsMessageWriter
{
    private const ushort FlagResponse = 0x8000;
    private const ushort FlagAuthoritative = 0x0400;
    private const ushort FlagTruncated = 0x0200;
    private const ushort FlagRecursionDesired = 0x0100;
    private const ushort FlagRecursionAvailable = 0x0080;
    private const ushort FlagCheckingDisabled = 0x0010;
    private const int MinimumUdpPayload = 512;

    // How many earlier name suffixes are remembered for compression; past that, names are written in full.
    private const int CompressionEntries = 256;

    /// <summary>
    /// Writes the response to <paramref name="query"/>: header, the question echoed, the first
    /// <paramref name="answerCount"/> answers, all authority records, the additional records except
    /// those that only serve dropped answers, and an OPT record when the query had one.
    /// </summary>
    /// <returns>The length written, or -1 if it does not fit in <paramref name="buffer"/> or cannot be encoded.</returns>
    public static int Write(Span<byte> buffer, in DnsQuery query, DnsResponse response, int answerCount, bool compress)
    {
        if (response is null || buffer.Length < DnsMessageReader.HeaderLength)
        {
            return -1;
        }

        var answers = response.Answers;
        answerCount = Math.Clamp(answerCount, 0, answers.Count);
        if (answerCount > ushort.MaxValue || response.Authority.Count > ushort.MaxValue)
        {
            return -1;
        }

        var flags = (ushort)(FlagResponse | ((query.Opcode & 0xF) << 11) | ((int)response.Code & 0xF));
        if (response.Authoritative)
        {
            flags |= FlagAuthoritative;
        }

        if (response.Truncated)
        {
            flags |= FlagTruncated;
        }

        if (query.RecursionDesired)
        {
            flags |= FlagRecursionDesired;
        }

        if (response.RecursionAvailable)
        {
            flags |= FlagRecursionAvailable;
        }

        if (query.CheckingDisabled)
        {
            flags |= FlagCheckingDisabled;
        }

        Span<ushort> offsets = compress ? stackalloc ushort[CompressionEntries] : [];
        Span<uint> hashes = compress ? stackalloc uint[CompressionEntries] : [];
        var writer = new DnsWireWriter(buffer, offsets, hashes);
        writer.Position = DnsMessageReader.HeaderLength;

        if (!writer.TryWriteName(query.Name, usePointer: true)
            || !writer.TryWriteUInt16(query.Type)
            || !writer.TryWriteUInt16(query.Class))
        {
            return -1;
        }

        for (var i = 0; i < answerCount; i++)
        {
            if (!writer.TryWriteRecord(answers[i]))
            {
                return -1;
            }
        }

        foreach (var record in response.Authority)
        {
            if (!writer.TryWriteRecord(record))
            {
                return -1;
            }
        }

        var additional = 0;
        var filter = new DroppedTargets(answers, answerCount);
        foreach (var record in response.Additional)
        {
            if (record is not null && filter.OnlyServesDropped(record.Name))
            {
                continue;
            }

            if (!writer.TryWriteRecord(record))
            {
                return -1;
            }

            additional++;
        }

        if (query.EdnsUdpSize is { } udpSize)
        {
            // Root owner, type OPT, CLASS = our payload size, TTL 0 (extended RCODE, version 0, no DO), no options.
            if (!writer.TryWriteByte(0)
                || !writer.TryWriteUInt16((ushort)DnsRecordType.OPT)
                || !writer.TryWriteUInt16(Math.Max(udpSize, (ushort)MinimumUdpPayload))
                || !writer.TryWriteUInt32(0)
                || !writer.TryWriteUInt16(0))
            {
                return -1;
            }

            additional++;
        }

        if (additional > ushort.MaxValue)
        {
            return -1;
        }

        WriteHeader(buffer, query.Id, flags, 1, (ushort)answerCount, (ushort)response.Authority.Count, (ushort)additional);
        return writer.Position;
    }

    /// <summary>Writes a header-only response (QR set, all counts 0), for a query whose question could not be read.</summary>
    /// <returns>12, or -1 if the buffer is shorter than a header.</returns>
    public static int WriteError(Span<byte> buffer, ushort id, byte opcode, bool recursionDesired, DnsResponseCode code)
    {
        if (buffer.Length < DnsMessageReader.HeaderLength)
        {
            return -1;
        }

        var flags = (ushort)(FlagResponse | ((opcode & 0xF) << 11) | ((int)code & 0xF));
        if (recursionDesired)
        {
            flags |= FlagRecursionDesired;
        }

        WriteHeader(buffer, id, flags, 0, 0, 0, 0);
        return DnsMessageReader.HeaderLength;
    }

    /// <summary>
    /// Encodes a presentation-form name into uncompressed wire form: labels split at unescaped dots,
    /// "\." a dot inside a label, "\\" a backslash, "\DDD" the byte DDD, any other escaped character
    /// itself, non-ASCII characters as UTF-8; a trailing dot is allowed; "" and "." are the root.
    /// </summary>
    /// <returns>The wire length (root byte included), or -1 if the name is invalid (empty label, label
    /// over 63 bytes, name over 255 bytes, bad escape, lone surrogate) or does not fit in <paramref name="destination"/>.</returns>
    public static int EncodeName(ReadOnlySpan<char> name, Span<byte> destination)
    {
        var limit = Math.Min(destination.Length, DnsMessageReader.MaxNameWireLength);
        if (limit < 1)
        {
            return -1;
        }

        if (name.IsEmpty || name is ".")
        {
            destination[0] = 0;
            return 1;
        }

        var lengthAt = 0; // the current label's length byte
        var position = 1; // the next byte to write
        var i = 0;
        var absolute = false;
        Span<byte> utf8 = stackalloc byte[4];
        while (i < name.Length)
        {
            var c = name[i];
            if (c == '.')
            {
                var labelLength = position - lengthAt - 1;
                if (labelLength == 0)
                {
                    return -1;
                }

                destination[lengthAt] = (byte)labelLength;
                i++;
                if (i == name.Length)
                {
                    absolute = true; // a trailing dot: the last label is already closed
                    break;
                }

                lengthAt = position++;
                continue;
            }

            if (c == '\\')
            {
                if (i + 1 >= name.Length)
                {
                    return -1;
                }

                var next = name[i + 1];
                if (char.IsAsciiDigit(next))
                {
                    if (i + 3 >= name.Length || !char.IsAsciiDigit(name[i + 2]) || !char.IsAsciiDigit(name[i + 3]))
                    {
                        return -1;
                    }

                    var value = ((next - '0') * 100) + ((name[i + 2] - '0') * 10) + (name[i + 3] - '0');
                    if (value > 255 || !TryAppend(destination, limit, lengthAt, ref position, (byte)value))
                    {
                        return -1;
                    }

                    i += 4;
                    continue;
                }

                // Any other escaped character stands for itself.
                i++;
                c = next;
            }

            if (c <= 0x7F)
            {
                if (!TryAppend(destination, limit, lengthAt, ref position, (byte)c))
                {
                    return -1;
                }

                i++;
                continue;
            }

            if (Rune.DecodeFromUtf16(name[i..], out var rune, out var consumed) != OperationStatus.Done)
            {
                return -1;
            }

            var count = rune.EncodeToUtf8(utf8);
            for (var k = 0; k < count; k++)
            {
                if (!TryAppend(destination, limit, lengthAt, ref position, utf8[k]))
                {
                    return -1;
                }
            }

            i += consumed;
        }

        if (!absolute)
        {
            var labelLength = position - lengthAt - 1;
            if (labelLength == 0)
            {
                return -1;
            }

            destination[lengthAt] = (byte)labelLength;
        }

        if (position >= limit)
        {
            return -1;
        }

        destination[position] = 0;
        return position + 1;
    }

    private static bool TryAppend(Span<byte> destination, int limit, int lengthAt, ref int position, byte b)
    {
        // The root byte still has to follow, so a label byte may use at most limit - 1 slots.
        if (position >= limit - 1 || position - lengthAt > DnsMessageReader.MaxLabelLength)
        {
            return false;
        }

        destination[position++] = b;
        return true;
    }

    private static void WriteHeader(Span<byte> buffer, ushort id, ushort flags, ushort qd, ushort an, ushort ns, ushort ar)
    {
        BinaryPrimitives.WriteUInt16BigEndian(buffer, id);
        BinaryPrimitives.WriteUInt16BigEndian(buffer[2..], flags);
        BinaryPrimitives.WriteUInt16BigEndian(buffer[4..], qd);
        BinaryPrimitives.WriteUInt16BigEndian(buffer[6..], an);
        BinaryPrimitives.WriteUInt16BigEndian(buffer[8..], ns);
        BinaryPrimitives.WriteUInt16BigEndian(buffer[10..], ar);
    }
}
