using System.Buffers.Binary;
using System.Text;

namespace Praetor.Gossip.Msgpack;

/// <summary>
/// A bounds-checked msgpack reader over a span that reads values the way hashicorp/go-msgpack's
/// decoder (the <c>codec.MsgpackHandle{}</c> memberlist and Serf use) accepts them, and never throws.
/// The one reader of both the memberlist codec and Serf's.
/// </summary>
/// <remarks>
/// Written by hand rather than on MessagePack-CSharp's <c>MessagePackReader</c> (which the writer
/// side does use) because that reader needs a <c>ReadOnlyMemory</c>/<c>ReadOnlySequence</c> (not a
/// span) and reports malformed input by throwing, while every gossip packet is hostile input that
/// must be dropped cheaply (a flood of bad packets must not turn into a flood of exceptions). It
/// also has to be lenient exactly where Go's decoder is: str and bin interchangeable for strings
/// and byte slices (Go writes both as old-spec raw; we also take bin for strings, which Go would
/// not), any integer width into any integer field when the value fits, integers into floats, 0/1
/// as booleans, and nil as the zero value of any field.
/// Every <c>TryRead*</c> (but the peek <see cref="TryReadNil"/>) returns false on malformed or
/// truncated input and sets <see cref="Error"/> (<see cref="MsgpackError.Truncated"/> when the
/// input merely ends early, so a stream reader can wait for more bytes); the caller then drops
/// the message.
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
        Error = MsgpackError.None;
    }

    /// <summary>Why the last failed read failed.</summary>
    public MsgpackError Error { get; private set; }

    public readonly int Position => _position;

    public readonly int Remaining => _buffer.Length - _position;

    public readonly bool End => _position >= _buffer.Length;

    /// <summary>The bytes not read yet.</summary>
    public readonly ReadOnlySpan<byte> Rest => _buffer[_position..];

    /// <summary>True (and consumes it) when the next value is nil; a peek, so false sets no <see cref="Error"/>.</summary>
    public bool TryReadNil()
    {
        if (_position < _buffer.Length && _buffer[_position] == 0xc0)
        {
            _position++;
            return true;
        }
        return false;
    }

    /// <summary>Reads a map header; nil reads as a map of -1 entries (Go: a nil map, or a zero struct), which a <c>for (i &lt; count)</c> loop reads as empty.</summary>
    public bool TryReadMapHeader(out int count)
    {
        count = 0;
        if (!TryReadCode(out var code)) return false;
        if (code == 0xc0) { count = -1; return true; }
        if (code is >= 0x80 and <= 0x8f) { count = code & 0x0f; return true; }
        if (code == 0xde) return TryReadLength(2, out count) && CountFits(count, 2);
        if (code == 0xdf) return TryReadLength(4, out count) && CountFits(count, 2);
        return WrongCode(code);
    }

    /// <summary>Reads an array header; nil reads as -1 (Go: a nil slice).</summary>
    public bool TryReadArrayHeader(out int count)
    {
        count = 0;
        if (!TryReadCode(out var code)) return false;
        if (code == 0xc0) { count = -1; return true; }
        if (code is >= 0x90 and <= 0x9f) { count = code & 0x0f; return true; }
        if (code == 0xdc) return TryReadLength(2, out count) && CountFits(count, 1);
        if (code == 0xdd) return TryReadLength(4, out count) && CountFits(count, 1);
        return WrongCode(code);
    }

    /// <summary>
    /// Reads a str or bin value's bytes without copying; nil gives <paramref name="isNil"/> true and an empty span.
    /// </summary>
    public bool TryReadRaw(out ReadOnlySpan<byte> bytes, out bool isNil)
    {
        bytes = default;
        isNil = false;
        if (!TryReadCode(out var code)) return false;
        int length;
        switch (code)
        {
            case 0xc0: isNil = true; return true;
            case >= 0xa0 and <= 0xbf: length = code & 0x1f; break;
            case 0xd9 or 0xc4: if (!TryReadLength(1, out length)) return false; break;
            case 0xda or 0xc5: if (!TryReadLength(2, out length)) return false; break;
            case 0xdb or 0xc6: if (!TryReadLength(4, out length)) return false; break;
            default: return WrongCode(code);
        }
        return TryTake(length, out bytes);
    }

    /// <summary>Reads a map key or struct field name as raw bytes (str, or bin; nil is the empty key).</summary>
    public bool TryReadKey(out ReadOnlySpan<byte> key) => TryReadRaw(out key, out _);

    /// <summary>Reads a string (str or bin, as Go accepts both); nil reads as "".</summary>
    public bool TryReadString(out string value)
    {
        value = "";
        if (!TryReadRaw(out var bytes, out _)) return false;
        // Go strings are byte strings; invalid UTF-8 becomes U+FFFD here rather than failing the message.
        if (!bytes.IsEmpty) value = Encoding.UTF8.GetString(bytes);
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

    /// <summary>Reads a byte slice into a new array where nil and empty both read as empty (for records that do not tell them apart).</summary>
    public bool TryReadByteArray(out byte[] value)
    {
        value = [];
        if (!TryReadRaw(out var bytes, out _)) return false;
        if (!bytes.IsEmpty) value = bytes.ToArray();
        return true;
    }

    /// <summary>Reads an unsigned integer of any msgpack width no larger than <paramref name="max"/>; nil reads as 0.</summary>
    public bool TryReadUInt(ulong max, out ulong value)
    {
        if (!TryReadInteger(out value, out var negative)) return false;
        if (negative || value > max) { value = 0; return Fail(MsgpackError.OutOfRange); }
        return true;
    }

    /// <summary>Reads any msgpack integer that is not negative; nil reads as 0.</summary>
    public bool TryReadUInt64(out ulong value) => TryReadUInt(ulong.MaxValue, out value);

    public bool TryReadUInt32(out uint value)
    {
        var ok = TryReadUInt(uint.MaxValue, out var wide);
        value = (uint)wide;
        return ok;
    }

    public bool TryReadUInt16(out ushort value)
    {
        var ok = TryReadUInt(ushort.MaxValue, out var wide);
        value = (ushort)wide;
        return ok;
    }

    public bool TryReadByteValue(out byte value)
    {
        var ok = TryReadUInt(byte.MaxValue, out var wide);
        value = (byte)wide;
        return ok;
    }

    /// <summary>Reads a Go <c>int</c> that must lie in 0..<paramref name="max"/> (counts and lengths).</summary>
    public bool TryReadCount(int max, out int value)
    {
        var ok = TryReadUInt((ulong)max, out var wide);
        value = (int)wide;
        return ok;
    }

    /// <summary>Reads any msgpack integer as a signed 64-bit value (Go's int64 / time.Duration); nil reads as 0.</summary>
    public bool TryReadInt64(out long value)
    {
        value = 0;
        if (!TryReadInteger(out var bits, out var negative)) return false;
        if (!negative && bits > long.MaxValue) return Fail(MsgpackError.OutOfRange);
        value = unchecked((long)bits);
        return true;
    }

    /// <summary>Reads a float32, float64 or integer (Go converts integers); nil reads as 0.</summary>
    public bool TryReadDouble(out double value)
    {
        value = 0;
        if (End) return Fail(MsgpackError.Truncated);
        var code = _buffer[_position];
        if (code == 0xca)
        {
            _position++;
            if (!Need(4)) return false;
            value = BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadInt32BigEndian(_buffer[_position..]));
            _position += 4;
            return true;
        }
        if (code == 0xcb)
        {
            _position++;
            if (!Need(8)) return false;
            value = BitConverter.Int64BitsToDouble(BinaryPrimitives.ReadInt64BigEndian(_buffer[_position..]));
            _position += 8;
            return true;
        }
        if (!TryReadInt64(out var integer)) return false;
        value = integer;
        return true;
    }

    /// <summary>Reads true/false, or the fixints 0/1 as Go's decoder allows; nil reads as false.</summary>
    public bool TryReadBool(out bool value)
    {
        value = false;
        if (!TryReadCode(out var code)) return false;
        switch (code)
        {
            case 0xc0 or 0xc2 or 0x00: return true;
            case 0xc3 or 0x01: value = true; return true;
            default: return WrongCode(code);
        }
    }

    /// <summary>Takes <paramref name="length"/> raw bytes as they stand (not a msgpack value: user state or a user message payload after the header).</summary>
    public bool TryTake(int length, out ReadOnlySpan<byte> bytes)
    {
        bytes = default;
        if (length > Remaining) return Fail(MsgpackError.Truncated);
        bytes = _buffer.Slice(_position, length);
        _position += length;
        return true;
    }

    /// <summary>Skips one value of any type (an unknown struct field), following at most <see cref="SkipDepthMax"/> levels of nesting.</summary>
    public bool TrySkip() => TrySkip(0);

    private bool TrySkip(int depth)
    {
        if (depth > SkipDepthMax) return Fail(MsgpackError.Malformed);
        if (End) return Fail(MsgpackError.Truncated);
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
                if (!Need(3)) return false;
                return Advance(3 + _buffer[_position + 1]);
            case 0xc8:
                if (!Need(4)) return false;
                return Advance(4 + BinaryPrimitives.ReadUInt16BigEndian(_buffer[(_position + 1)..]));
            case 0xc9:
                if (!Need(6)) return false;
                var extLength = BinaryPrimitives.ReadUInt32BigEndian(_buffer[(_position + 1)..]);
                return extLength <= int.MaxValue - 6 ? Advance(6 + (int)extLength) : Fail(MsgpackError.Truncated);
            default:
                return Fail(MsgpackError.Malformed); // 0xc1 is never used
        }
    }

    /// <summary>Any msgpack integer (nil is 0) as its 64 bits: the value itself, or two's complement when <paramref name="negative"/>.</summary>
    private bool TryReadInteger(out ulong bits, out bool negative)
    {
        bits = 0;
        negative = false;
        if (!TryReadCode(out var code)) return false;
        long signed;
        switch (code)
        {
            case <= 0x7f: bits = code; return true;
            case >= 0xe0: signed = (sbyte)code; break;
            case 0xc0: return true;
            case 0xcc: if (!Need(1)) return false; bits = _buffer[_position]; _position += 1; return true;
            case 0xcd: if (!Need(2)) return false; bits = BinaryPrimitives.ReadUInt16BigEndian(_buffer[_position..]); _position += 2; return true;
            case 0xce: if (!Need(4)) return false; bits = BinaryPrimitives.ReadUInt32BigEndian(_buffer[_position..]); _position += 4; return true;
            case 0xcf: if (!Need(8)) return false; bits = BinaryPrimitives.ReadUInt64BigEndian(_buffer[_position..]); _position += 8; return true;
            case 0xd0: if (!Need(1)) return false; signed = (sbyte)_buffer[_position]; _position += 1; break;
            case 0xd1: if (!Need(2)) return false; signed = BinaryPrimitives.ReadInt16BigEndian(_buffer[_position..]); _position += 2; break;
            case 0xd2: if (!Need(4)) return false; signed = BinaryPrimitives.ReadInt32BigEndian(_buffer[_position..]); _position += 4; break;
            case 0xd3: if (!Need(8)) return false; signed = BinaryPrimitives.ReadInt64BigEndian(_buffer[_position..]); _position += 8; break;
            default: return WrongCode(code);
        }
        bits = unchecked((ulong)signed);
        negative = signed < 0;
        return true;
    }

    private bool TryReadCode(out byte code)
    {
        if (_position >= _buffer.Length) { code = 0; return Fail(MsgpackError.Truncated); }
        code = _buffer[_position++];
        return true;
    }

    /// <summary>A big-endian length of 1, 2 or 4 bytes.</summary>
    private bool TryReadLength(int bytes, out int length)
    {
        length = 0;
        if (!Need(bytes)) return false;
        var span = _buffer.Slice(_position, bytes);
        uint value = bytes switch
        {
            1 => span[0],
            2 => BinaryPrimitives.ReadUInt16BigEndian(span),
            _ => BinaryPrimitives.ReadUInt32BigEndian(span),
        };
        // Nothing gossip sends comes near 2 GiB; a larger length can only be garbage or truncation.
        if (value > int.MaxValue) return Fail(MsgpackError.Truncated);
        _position += bytes;
        length = (int)value;
        return true;
    }

    // Every element takes at least one byte, so a count beyond the bytes left is a lie that
    // would otherwise make a caller allocate for it.
    private bool CountFits(int count, int bytesPerEntryMin) =>
        (long)count * bytesPerEntryMin <= Remaining || Fail(MsgpackError.Truncated);

    private bool Advance(int count)
    {
        if (!Need(count)) return false;
        _position += count;
        return true;
    }

    private bool Need(int bytes) => Remaining >= bytes || Fail(MsgpackError.Truncated);

    /// <summary>A type code the read cannot take: steps back onto it and fails (0xc1 is not msgpack at all).</summary>
    private bool WrongCode(byte code)
    {
        _position--;
        return Fail(code == 0xc1 ? MsgpackError.Malformed : MsgpackError.WrongType);
    }

    private bool Fail(MsgpackError error)
    {
        Error = error;
        return false;
    }
}
