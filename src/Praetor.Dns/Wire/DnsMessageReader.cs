using System.Buffers.Binary;

namespace Praetor.Dns.Wire;

/// <summary>What <see cref="DnsMessageReader.Parse"/> made of a packet.</summary>
public enum DnsParseResult
{
    /// <summary>A query with one question, fully read; the query is filled.</summary>
    Query,

    /// <summary>A malformed query; Id, Opcode, RecursionDesired and CheckingDisabled are filled so the server can answer FORMERR.</summary>
    FormatError,

    /// <summary>Not to be answered: shorter than a header, or a response (QR set).</summary>
    Drop,
}

/// <summary>
/// Reads a DNS query off the wire (RFC 1035 section 4, EDNS0 per RFC 6891). Never throws on any
/// input: every length, count and compression pointer is checked against the packet.
/// </summary>
public static class DnsMessageReader
{
    internal const int HeaderLength = 12;
    internal const int MaxNameWireLength = 255;
    internal const int MaxLabelLength = 63;

    // A name of at most 255 wire bytes has at most 254 label bytes, each at most 4 presentation chars ("\DDD").
    private const int MaxPresentationChars = 4 * MaxNameWireLength;

    /// <summary>Reads <paramref name="packet"/> as a query.</summary>
    public static DnsParseResult Parse(ReadOnlySpan<byte> packet, out DnsQuery query)
    {
        if (packet.Length < HeaderLength)
        {
            query = new DnsQuery(0, 0, false, false, "", 0, 0, null, false);
            return DnsParseResult.Drop;
        }

        var id = BinaryPrimitives.ReadUInt16BigEndian(packet);
        var flags = BinaryPrimitives.ReadUInt16BigEndian(packet[2..]);
        var opcode = (byte)((flags >> 11) & 0xF);
        var rd = (flags & 0x0100) != 0;
        var cd = (flags & 0x0010) != 0;
        query = new DnsQuery(id, opcode, rd, cd, "", 0, 0, null, false);
        if ((flags & 0x8000) != 0)
        {
            return DnsParseResult.Drop;
        }

        var qdCount = BinaryPrimitives.ReadUInt16BigEndian(packet[4..]);
        var anCount = BinaryPrimitives.ReadUInt16BigEndian(packet[6..]);
        var nsCount = BinaryPrimitives.ReadUInt16BigEndian(packet[8..]);
        var arCount = BinaryPrimitives.ReadUInt16BigEndian(packet[10..]);
        if (qdCount != 1)
        {
            return DnsParseResult.FormatError;
        }

        Span<char> chars = stackalloc char[MaxPresentationChars];
        var offset = HeaderLength;
        if (!TryReadName(packet, ref offset, chars, out var nameChars, out _) || packet.Length - offset < 4)
        {
            return DnsParseResult.FormatError;
        }

        var qtype = BinaryPrimitives.ReadUInt16BigEndian(packet[offset..]);
        var qclass = BinaryPrimitives.ReadUInt16BigEndian(packet[(offset + 2)..]);
        offset += 4;

        // Answer and authority records in a query are unusual but legal; they are checked and skipped.
        var skip = anCount + nsCount;
        for (var i = 0; i < skip; i++)
        {
            if (!TryReadRecord(packet, ref offset, out _, out _, out _, out _))
            {
                return DnsParseResult.FormatError;
            }
        }

        ushort? ednsSize = null;
        var dnssecOk = false;
        for (var i = 0; i < arCount; i++)
        {
            if (!TryReadRecord(packet, ref offset, out var ownerIsRoot, out var type, out var rclass, out var ttl))
            {
                return DnsParseResult.FormatError;
            }

            if (type != (ushort)DnsRecordType.OPT)
            {
                continue;
            }

            if (ednsSize is not null || !ownerIsRoot)
            {
                return DnsParseResult.FormatError;
            }

            ednsSize = rclass;
            dnssecOk = (ttl & 0x8000) != 0;
        }

        query = new DnsQuery(id, opcode, rd, cd, new string(chars[..nameChars]), qtype, qclass, ednsSize, dnssecOk);
        return DnsParseResult.Query;
    }

    /// <summary>Reads a resource record's header and skips its RDATA, checking every bound.</summary>
    private static bool TryReadRecord(ReadOnlySpan<byte> packet, ref int offset, out bool ownerIsRoot, out ushort type, out ushort rclass, out uint ttl)
    {
        type = 0;
        rclass = 0;
        ttl = 0;
        if (!TryReadName(packet, ref offset, [], out _, out var wireLength))
        {
            ownerIsRoot = false;
            return false;
        }

        ownerIsRoot = wireLength == 1;
        if (packet.Length - offset < 10)
        {
            return false;
        }

        var fixedPart = packet[offset..];
        type = BinaryPrimitives.ReadUInt16BigEndian(fixedPart);
        rclass = BinaryPrimitives.ReadUInt16BigEndian(fixedPart[2..]);
        ttl = BinaryPrimitives.ReadUInt32BigEndian(fixedPart[4..]);
        var rdLength = BinaryPrimitives.ReadUInt16BigEndian(fixedPart[8..]);
        offset += 10;
        if (packet.Length - offset < rdLength)
        {
            return false;
        }

        offset += rdLength;
        return true;
    }

    /// <summary>
    /// Reads the (possibly compressed) name at <paramref name="offset"/> and moves the offset past it.
    /// Writes its presentation form into <paramref name="destination"/> unless that is empty.
    /// <paramref name="wireLength"/> is the uncompressed length, root byte included.
    /// Pointers must target offsets past the header and strictly before the start of the run of labels
    /// they end, so successive targets strictly decrease and no loop is possible.
    /// </summary>
    internal static bool TryReadName(ReadOnlySpan<byte> packet, ref int offset, Span<char> destination, out int charsWritten, out int wireLength)
    {
        charsWritten = 0;
        wireLength = 0;
        var write = !destination.IsEmpty;
        var position = offset;
        var segmentStart = offset;
        var end = -1; // where the name ends in the packet, set at the first pointer
        while (true)
        {
            if ((uint)position >= (uint)packet.Length)
            {
                return false;
            }

            var length = packet[position];
            switch (length & 0xC0)
            {
                case 0x00:
                    break;
                case 0xC0:
                    if (position + 1 >= packet.Length)
                    {
                        return false;
                    }

                    var target = ((length & 0x3F) << 8) | packet[position + 1];
                    if (target < HeaderLength || target >= segmentStart)
                    {
                        return false;
                    }

                    if (end < 0)
                    {
                        end = position + 2;
                    }

                    position = target;
                    segmentStart = target;
                    continue;
                default:
                    return false; // 01 (extended label, RFC 6891 deprecated) and 10 are not supported
            }

            wireLength += length + 1;
            if (wireLength > MaxNameWireLength)
            {
                return false;
            }

            if (length == 0)
            {
                offset = end < 0 ? position + 1 : end;
                return true;
            }

            if (packet.Length - position - 1 < length)
            {
                return false;
            }

            if (write)
            {
                if (charsWritten > 0)
                {
                    destination[charsWritten++] = '.';
                }

                foreach (var b in packet.Slice(position + 1, length))
                {
                    charsWritten += AppendPresentation(destination[charsWritten..], b);
                }
            }

            position += length + 1;
        }
    }

    private static int AppendPresentation(Span<char> destination, byte b)
    {
        if (b is (byte)'.' or (byte)'\\')
        {
            destination[0] = '\\';
            destination[1] = (char)b;
            return 2;
        }

        if (b is > 0x20 and < 0x7F)
        {
            destination[0] = (char)b;
            return 1;
        }

        destination[0] = '\\';
        destination[1] = (char)('0' + (b / 100));
        destination[2] = (char)('0' + (b / 10 % 10));
        destination[3] = (char)('0' + (b % 10));
        return 4;
    }
}
