using System.Buffers.Binary;
using System.Text;

namespace Praetor.Gossip.Serf.Wire;

/// <summary>
/// A bounds-checked msgpack reader over a span that reads values the way hashicorp/go-msgpack's
/// decoder (the <c>codec.MsgpackHandle{}</c> Serf uses) accepts them, and never throws.
/// </summary>
/// <remarks>
/// Written by hand rather than on MessagePack-CSharp's <c>MessagePackReader</c> because that
/// reader needs a <c>ReadOnlyMemory</c>/<c>ReadOnlySequence</c> (not a span) and reports malformed
/// input by throwing, while every gossip packet is hostile input that must be dropped cheaply
/// (a flood of bad packets must not turn into a flood of exceptions). It also has to be lenient
/// exactly where Go's decoder is: str and bin interchangeable for strings and byte slices
/// (Go writes both as old-spec raw), any integer width into any integer field when the value
/// fits, integers into floats, 0/1 as booleans, and nil as the zero value of any field.
/// Every method returns false on malformed or truncated input and leaves the position where
/// the failure was found; the caller then drops the message.
/// </remarks>
internal ref struct GoMsgpackReader
{
    /// <summary>How deep <see cref="TrySkip"/> follows nested arrays and maps before giving up (hostile input).</summary>
    public const int SkipDepthMax = 32;

    private readonly ReadOnlySpan<byte> _buffer;
    private int _position;

    public GoMsgpackReader(ReadOnlySpan<byte> buffer)
    {
        _buffer = buffer;
        _position = 0;
    }

    public readonly int Position => _position;

    public readonly int Remaining => _buffer.Length - _position;

    public readonly bool End => _position >= _buffer.Length;

    /// <summary>True (and consumes it) when the next value is nil.</summary>
    public bool TryReadNil()
    {
        if (_position < _buffer.Length && _buffer[_position] == 0xc0)
        {
            _position++;
            return true;
        }
        return false;
    }

    /// <summary>Reads a map header; nil reads as a map of -1 entries (Go: a nil map, or a zero struct).</summary>
    public bool TryReadMapHeader(out int count)
    {
        count = 0;
        if (!TryReadByte(out var code)) return false;
        if (code == 0xc0) { count = -1; return true; }
        if (code is >= 0x80 and <= 0x8f) { count = code & 0x0f; return true; }
        if (code == 0xde) return TryReadLength16(out count) && CountFits(count, 2);
        if (code == 0xdf) return TryReadLength32(out count) && CountFits(count, 2);
        _position--;
        return false;
    }

    /// <summary>Reads an array header; nil reads as -1 (Go: a nil slice).</summary>
    public bool TryReadArrayHeader(out int count)
    {
        count = 0;
        if (!TryReadByte(out var code)) return false;
        if (code == 0xc0) { count = -1; return true; }
        if (code is >= 0x90 and <= 0x9f) { count = code & 0x0f; return true; }
        if (code == 0xdc) return TryReadLength16(out count) && CountFits(count, 1);
        if (code == 0xdd) return TryReadLength32(out count) && CountFits(count, 1);
        _position--;
        return false;
    }

    /// <summary>
    /// Reads a str or bin value's bytes without copying; nil gives <paramref name="isNil"/> true and an empty span.
    /// </summary>
    public bool TryReadRaw(out ReadOnlySpan<byte> bytes, out bool isNil)
    {
        bytes = default;
        isNil = false;
        if (!TryReadByte(out var code)) return false;
        int length;
        switch (code)
        {
            case 0xc0:
                isNil = true;
                return true;
            case >= 0xa0 and <= 0xbf:
                length = code & 0x1f;
                break;
            case 0xd9 or 0xc4:
                if (!TryReadByte(out var l8)) return false;
                length = l8;
                break;
            case 0xda or 0xc5:
                if (!TryReadLength16(out length)) return false;
                break;
            case 0xdb or 0xc6:
                if (!TryReadLength32(out length)) return false;
                break;
            default:
                _position--;
                return false;
        }
        if (length > Remaining) return false;
        bytes = _buffer.Slice(_position, length);
        _position += length;
        return true;
    }

    /// <summary>Reads a string (str or bin, as Go accepts both); nil reads as "".</summary>
    public bool TryReadString(out string value)
    {
        value = "";
        if (!TryReadRaw(out var bytes, out _)) return false;
        // Go strings are byte strings; invalid UTF-8 becomes U+FFFD here rather than failing the message.
        value = bytes.IsEmpty ? "" : Encoding.UTF8.GetString(bytes);
        return true;
    }

    /// <summary>Reads a byte slice; nil reads as null (Go's nil slice), an empty raw as an empty array.</summary>
    public bool TryReadBytes(out byte[]? value)
    {
        value = null;
        if (!TryReadRaw(out var bytes, out var isNil)) return false;
        if (!isNil) value = bytes.ToArray();
        return true;
    }

    /// <summary>Reads any msgpack integer that is not negative; nil reads as 0.</summary>
    public bool TryReadUInt64(out ulong value)
    {
        value = 0;
        if (!TryReadInteger(out var magnitude, out var negative)) return false;
        if (negative) return false;
        value = magnitude;
        return true;
    }

    public bool TryReadUInt32(out uint value)
    {
        value = 0;
        if (!TryReadUInt64(out var wide) || wide > uint.MaxValue) return false;
        value = (uint)wide;
        return true;
    }

    public bool TryReadUInt16(out ushort value)
    {
        value = 0;
        if (!TryReadUInt64(out var wide) || wide > ushort.MaxValue) return false;
        value = (ushort)wide;
        return true;
    }

    public bool TryReadByteValue(out byte value)
    {
        value = 0;
        if (!TryReadUInt64(out var wide) || wide > byte.MaxValue) return false;
        value = (byte)wide;
        return true;
    }

    /// <summary>Reads any msgpack integer as a signed 64-bit value (Go's int64 / time.Duration); nil reads as 0.</summary>
    public bool TryReadInt64(out long value)
    {
        value = 0;
        if (!TryReadInteger(out var bits, out var negative)) return false;
        if (!negative && bits > long.MaxValue) return false;
        value = unchecked((long)bits);
        return true;
    }

    /// <summary>Reads a float32, float64 or integer (Go converts integers); nil reads as 0.</summary>
    public bool TryReadDouble(out double value)
    {
        value = 0;
        if (End) return false;
        var code = _buffer[_position];
        if (code == 0xca)
        {
            _position++;
            if (Remaining < 4) return false;
            value = BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadInt32BigEndian(_buffer.Slice(_position)));
            _position += 4;
            return true;
        }
        if (code == 0xcb)
        {
            _position++;
            if (Remaining < 8) return false;
            value = BitConverter.Int64BitsToDouble(BinaryPrimitives.ReadInt64BigEndian(_buffer.Slice(_position)));
            _position += 8;
            return true;
        }
        if (!TryReadInt64(out var integer)) return false;
        value = integer;
        return true;
    }

    /// <summary>Reads true/false, or 0/1 as Go's decoder allows; nil reads as false.</summary>
    public bool TryReadBool(out bool value)
    {
        value = false;
        if (!TryReadByte(out var code)) return false;
        switch (code)
        {
            case 0xc0 or 0xc2 or 0x00: return true;
            case 0xc3 or 0x01: value = true; return true;
            default: _position--; return false;
        }
    }

    /// <summary>Skips one value of any type (an unknown struct field), following at most <see cref="SkipDepthMax"/> levels.</summary>
    public bool TrySkip() => TrySkip(0);

    private bool TrySkip(int depth)
    {
        if (depth > SkipDepthMax) return false;
        if (End) return false;
        var code = _buffer[_position];
        switch (code)
        {
            case <= 0x7f or >= 0xe0 or 0xc0 or 0xc2 or 0xc3:
                _position++;
                return true;
            case >= 0x80 and <= 0x8f or 0xde or 0xdf:
                if (!TryReadMapHeader(out var pairs)) return false;
                for (var i = 0; i < pairs * 2; i++)
                {
                    if (!TrySkip(depth + 1)) return false;
                }
                return true;
            case >= 0x90 and <= 0x9f or 0xdc or 0xdd:
                if (!TryReadArrayHeader(out var items)) return false;
                for (var i = 0; i < items; i++)
                {
                    if (!TrySkip(depth + 1)) return false;
                }
                return true;
            case >= 0xa0 and <= 0xbf or 0xd9 or 0xda or 0xdb or 0xc4 or 0xc5 or 0xc6:
                return TryReadRaw(out _, out _);
            case 0xcc or 0xd0: return Advance(2);
            case 0xcd or 0xd1 or 0xd4: return Advance(3);
            case 0xd5: return Advance(4);
            case 0xce or 0xd2 or 0xca: return Advance(5);
            case 0xd6: return Advance(6);
            case 0xcf or 0xd3 or 0xcb: return Advance(9);
            case 0xd7: return Advance(10);
            case 0xd8: return Advance(18);
            case 0xc7:
                if (Remaining < 3) return false;
                return Advance(3 + _buffer[_position + 1]);
            case 0xc8:
                if (Remaining < 4) return false;
                return Advance(4 + BinaryPrimitives.ReadUInt16BigEndian(_buffer.Slice(_position + 1)));
            case 0xc9:
                if (Remaining < 6) return false;
                var extLength = BinaryPrimitives.ReadUInt32BigEndian(_buffer.Slice(_position + 1));
                return extLength <= int.MaxValue - 6 && Advance(6 + (int)extLength);
            default:
                return false; // 0xc1 is never used
        }
    }

    private bool TryReadInteger(out ulong bits, out bool negative)
    {
        bits = 0;
        negative = false;
        if (!TryReadByte(out var code)) return false;
        switch (code)
        {
            case <= 0x7f:
                bits = code;
                return true;
            case >= 0xe0:
                negative = true;
                bits = unchecked((ulong)(long)(sbyte)code);
                return true;
            case 0xc0:
                return true;
            case 0xcc:
                if (!TryReadByte(out var u8)) return false;
                bits = u8;
                return true;
            case 0xcd:
                if (Remaining < 2) return false;
                bits = BinaryPrimitives.ReadUInt16BigEndian(_buffer.Slice(_position));
                _position += 2;
                return true;
            case 0xce:
                if (Remaining < 4) return false;
                bits = BinaryPrimitives.ReadUInt32BigEndian(_buffer.Slice(_position));
                _position += 4;
                return true;
            case 0xcf:
                if (Remaining < 8) return false;
                bits = BinaryPrimitives.ReadUInt64BigEndian(_buffer.Slice(_position));
                _position += 8;
                return true;
            case 0xd0:
                if (!TryReadByte(out var i8)) return false;
                return Signed((sbyte)i8, out bits, out negative);
            case 0xd1:
                if (Remaining < 2) return false;
                var i16 = BinaryPrimitives.ReadInt16BigEndian(_buffer.Slice(_position));
                _position += 2;
                return Signed(i16, out bits, out negative);
            case 0xd2:
                if (Remaining < 4) return false;
                var i32 = BinaryPrimitives.ReadInt32BigEndian(_buffer.Slice(_position));
                _position += 4;
                return Signed(i32, out bits, out negative);
            case 0xd3:
                if (Remaining < 8) return false;
                var i64 = BinaryPrimitives.ReadInt64BigEndian(_buffer.Slice(_position));
                _position += 8;
                return Signed(i64, out bits, out negative);
            default:
                _position--;
                return false;
        }
    }

    private static bool Signed(long value, out ulong bits, out bool negative)
    {
        bits = unchecked((ulong)value);
        negative = value < 0;
        return true;
    }

    private bool TryReadByte(out byte value)
    {
        if (_position >= _buffer.Length)
        {
            value = 0;
            return false;
        }
        value = _buffer[_position++];
        return true;
    }

    private bool TryReadLength16(out int length)
    {
        length = 0;
        if (Remaining < 2) return false;
        length = BinaryPrimitives.ReadUInt16BigEndian(_buffer.Slice(_position));
        _position += 2;
        return true;
    }

    private bool TryReadLength32(out int length)
    {
        length = 0;
        if (Remaining < 4) return false;
        var wide = BinaryPrimitives.ReadUInt32BigEndian(_buffer.Slice(_position));
        if (wide > int.MaxValue) return false;
        length = (int)wide;
        _position += 4;
        return true;
    }

    // Every element takes at least one byte, so a count beyond the bytes left is a lie that
    // would otherwise make a caller allocate for it.
    private readonly bool CountFits(int count, int bytesPerEntryMin) => (long)count * bytesPerEntryMin <= Remaining;

    private bool Advance(int count)
    {
        if (count > Remaining) return false;
        _position += count;
        return true;
    }
}
