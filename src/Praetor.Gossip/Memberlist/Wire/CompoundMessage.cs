using System.Buffers;
using System.Buffers.Binary;

namespace Praetor.Gossip.Memberlist.Wire;

/// <summary>
/// memberlist's compound message (type 7): <c>[7][count: byte][count × length: uint16 BE][parts]</c>,
/// several messages in one UDP packet.
/// </summary>
public static class CompoundMessage
{
    /// <summary>Writes a compound message of <paramref name="parts"/> (each a whole message with its type byte).</summary>
    /// <exception cref="ArgumentException">More than 255 parts, or a part over 65535 bytes (the core sizes packets below both).</exception>
    public static void Write(IBufferWriter<byte> output, ReadOnlySpan<ReadOnlyMemory<byte>> parts)
    {
        if (parts.Length > WireLimits.CompoundPartsMax) throw new ArgumentException("a compound message holds at most 255 parts", nameof(parts));
        var headerBytes = 2 + 2 * parts.Length;
        var header = output.GetSpan(headerBytes);
        header[0] = (byte)MessageType.Compound;
        header[1] = (byte)parts.Length;
        for (var i = 0; i < parts.Length; i++)
        {
            if (parts[i].Length > WireLimits.CompoundPartBytesMax) throw new ArgumentException("a compound part is at most 65535 bytes", nameof(parts));
            BinaryPrimitives.WriteUInt16BigEndian(header[(2 + 2 * i)..], (ushort)parts[i].Length);
        }
        output.Advance(headerBytes);
        foreach (var part in parts) output.Write(part.Span);
    }

    /// <summary>
    /// Splits a compound body (the bytes after the type byte) as memberlist's decodeCompoundMessage
    /// does: the complete parts go to <paramref name="parts"/> as ranges of <paramref name="body"/>;
    /// <paramref name="truncatedParts"/> counts the parts cut off at the end. False when the
    /// count byte or the length table itself is cut short.
    /// </summary>
    public static bool TrySplit(ReadOnlySpan<byte> body, List<Range> parts, out int truncatedParts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        truncatedParts = 0;
        if (body.IsEmpty) return false;
        int count = body[0];
        if (body.Length < 1 + 2 * count) return false;
        var offset = 1 + 2 * count;
        for (var i = 0; i < count; i++)
        {
            int length = BinaryPrimitives.ReadUInt16BigEndian(body[(1 + 2 * i)..]);
            if (body.Length - offset < length)
            {
                truncatedParts = count - i;
                return true;
            }
            parts.Add(new Range(offset, offset + length));
            offset += length;
        }
        return true;
    }
}
