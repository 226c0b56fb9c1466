using System.Buffers.Binary;
using System.Text;

namespace Praetor.Gossip.Memberlist.Wire;

/// <summary>
/// A bounds-checked msgpack reader over a span, accepting values the way hashicorp/go-msgpack's
/// decoder with memberlist's plain <c>codec.MsgpackHandle{}</c> does, and never throwing.
/// </summary>
/// <remarks>
/// Hand-written rather than MessagePack-CSharp's <c>MessagePackReader</c> (which the encoder side
/// does use): that reader reports truncated or mistyped input by throwing and needs a
/// <c>ReadOnlyMemory</c>/<c>ReadOnlySequence</c>, while every gossip packet is hostile input to be
/// dropped cheaply from a span (STYLE habit 6). Leniency follows Go's decoder where it matters for
/// interop: str and bin are interchangeable for strings and byte slices (Go writes both as
/// old-spec raw str; we also take bin for strings, which Go would not), any integer width fits
/// any integer field when the value does, 0/1 read as booleans, and nil reads as the zero value.
/// Every <c>TryRead*</c> returns false on bad input and sets <see cref="Error"/>
/// (<see cref="DecodeError.Truncated"/> when the input merely ends early, so a stream reader can
/// wait for more bytes).
/// </remarks>
internal ref struct WireReader
{
    /// <summary>How deep <see cref="TrySkip"/> follows nested arrays and maps (unknown keys carrying hostile values).</summary>
    public const int SkipDepthMax = 32;

    private readonly ReadOnlySpan<byte> _buffer;
    private int _position;

    public WireReader(ReadOnlySpan<byte> buffer)
    {
        _buffer = buffer;
        _position = 0;
        Error = DecodeError.None;
    }

    /// <summary>Why the last failed read failed.</summary>
    public DecodeError Error { get; private set; }

    public readonly int Position => _position;

    public readonly int Remaining => _buffer.Length - _position;

    /// <summary>The bytes not read yet.</summary>
    public readonly ReadOnlySpan<byte> Rest => _buffer[_position..];

    /// <summary>Reads a map header; nil reads as an empty map (Go: a zero struct).</summary>
    public bool TryReadMapHeader(out int count)
    {
        count = 0;
        if (!TryReadCode(out var code)) return false;
        if (code == 0xc0) return true;
        if (code is >= 0x80 and <= 0x8f) { count = code & 0x0f; return true; }
        if (code == 0xde) return TryReadLength(2, out count) && CountFits(count, 2);
        if (code == 0xdf) return TryReadLength(4, out count) && CountFits(count, 2);
        return Fail(IsValidCode(code) ? DecodeError.WrongType : DecodeError.MalformedMsgpack);
    }

    /// <summary>Reads a map key as raw bytes (str, or bin; nil is the empty key).</summary>
    public bool TryReadKey(out ReadOnlySpan<byte> key) => TryReadBytes(out key);

    /// <summary>Reads a str or bin value (nil is empty) without copying.</summary>
    public bool TryReadBytes(out ReadOnlySpan<byte> value)
    {
        value = default;
        if (!TryReadCode(out var code)) return false;
        int length;
        switch (code)
        {
            case 0xc0: return true;
            case >= 0xa0 and <= 0xbf: length = code & 0x1f; break;
            case 0xd9 or 0xc4: if (!TryReadLength(1, out length)) return false; break;
            case 0xda or 0xc5: if (!TryReadLength(2, out length)) return false; break;
            case 0xdb or 0xc6: if (!TryReadLength(4, out length)) return false; break;
            default: return Fail(IsValidCode(code) ? DecodeError.WrongType : DecodeError.MalformedMsgpack);
        }
        if (length > Remaining) return Fail(DecodeError.Truncated);
        value = _buffer.Slice(_position, length);
        _position += length;
        return true;
    }

    /// <summary>Reads a byte slice into a new array (empty for nil or zero length).</summary>
    public bool TryReadByteArray(out byte[] value)
    {
        value = [];
        if (!TryReadBytes(out var span)) return false;
        if (!span.IsEmpty) value = span.ToArray();
        return true;
    }

    /// <summary>Reads a string (str or bin; nil is ""). Invalid UTF-8 is replaced, as Go strings are bytes.</summary>
    public bool TryReadString(out string value)
    {
        value = "";
        if (!TryReadBytes(out var span)) return false;
        if (!span.IsEmpty) value = Encoding.UTF8.GetString(span);
        return true;
    }

    /// <summary>Reads a boolean: true/false, the fixints 0 and 1 (as Go does), or nil (false).</summary>
    public bool TryReadBool(out bool value)
    {
        value = false;
        if (!TryReadCode(out var code)) return false;
        switch (code)
        {
            case 0xc0 or 0xc2 or 0x00: return true;
            case 0xc3 or 0x01: value = true; return true;
            default: return Fail(IsValidCode(code) ? DecodeError.WrongType : DecodeError.MalformedMsgpack);
        }
    }

    /// <summary>Reads an unsigned integer of any msgpack width no larger than <paramref name="max"/> (nil is 0).</summary>
    public bool TryReadUInt(ulong max, out ulong value)
    {
        if (!TryReadInteger(out value, out var negative)) return false;
        if (negative || value > max) { value = 0; return Fail(DecodeError.InvalidValue); }
        return true;
    }

    public bool TryReadUInt32(out uint value)
    {
        var ok = TryReadUInt(uint.MaxValue, out var v);
        value = (uint)v;
        return ok;
    }

    public bool TryReadUInt16(out ushort value)
    {
        var ok = TryReadUInt(ushort.MaxValue, out var v);
        value = (ushort)v;
        return ok;
    }

    public bool TryReadUInt8(out byte value)
    {
        var ok = TryReadUInt(byte.MaxValue, out var v);
        value = (byte)v;
        return ok;
    }

    /// <summary>Reads a Go <c>int</c> that must lie in 0..<paramref name="max"/> (counts and lengths).</summary>
    public bool TryReadCount(int max, out int value)
    {
        var ok = TryReadUInt((ulong)max, out var v);
        value = (int)v;
        return ok;
    }

    /// <summary>Takes <paramref name="length"/> raw bytes that follow the msgpack values (user state, a user message payload).</summary>
    public bool TryReadRaw(int length, out ReadOnlySpan<byte> value)
    {
        value = default;
        if (length > Remaining) return Fail(DecodeError.Truncated);
        value = _buffer.Slice(_position, length);
        _position += length;
        return true;
    }

    /// <summary>Skips one value of any type, following at most <see cref="SkipDepthMax"/> levels of nesting.</summary>
    public bool TrySkip() => TrySkip(0);

    private bool TrySkip(int depth)
    {
        if (depth > SkipDepthMax) return Fail(DecodeError.MalformedMsgpack);
        if (!TryReadCode(out var code)) return false;
        long items = 0;
        int skipBytes;
        switch (code)
        {
            case <= 0x7f or >= 0xe0 or 0xc0 or 0xc2 or 0xc3: return true;
            case >= 0x80 and <= 0x8f: items = 2L * (code & 0x0f); skipBytes = 0; break;
            case >= 0x90 and <= 0x9f: items = code & 0x0f; skipBytes = 0; break;
            case >= 0xa0 and <= 0xbf: skipBytes = code & 0x1f; break;
            case 0xc1: return Fail(DecodeError.MalformedMsgpack);
            case 0xc4 or 0xd9: if (!TryReadLength(1, out skipBytes)) return false; break;
            case 0xc5 or 0xda: if (!TryReadLength(2, out skipBytes)) return false; break;
            case 0xc6 or 0xdb: if (!TryReadLength(4, out skipBytes)) return false; break;
            case 0xc7: if (!TryReadLength(1, out skipBytes)) return false; skipBytes++; break;
            case 0xc8: if (!TryReadLength(2, out skipBytes)) return false; skipBytes++; break;
            case 0xc9: if (!TryReadLength(4, out skipBytes)) return false; skipBytes++; break;
            case 0xca: skipBytes = 4; break;
            case 0xcb: skipBytes = 8; break;
            case 0xcc or 0xd0: skipBytes = 1; break;
            case 0xcd or 0xd1: skipBytes = 2; break;
            case 0xce or 0xd2: skipBytes = 4; break;
            case 0xcf or 0xd3: skipBytes = 8; break;
            case 0xd4: skipBytes = 2; break;
            case 0xd5: skipBytes = 3; break;
            case 0xd6: skipBytes = 5; break;
            case 0xd7: skipBytes = 9; break;
            case 0xd8: skipBytes = 17; break;
            case 0xdc: if (!TryReadLength(2, out var a16)) return false; items = a16; skipBytes = 0; break;
            case 0xdd: if (!TryReadLength(4, out var a32)) return false; items = a32; skipBytes = 0; break;
            case 0xde: if (!TryReadLength(2, out var m16)) return false; items = 2L * m16; skipBytes = 0; break;
            default: /* 0xdf */ if (!TryReadLength(4, out var m32)) return false; items = 2L * m32; skipBytes = 0; break;
        }
        if (skipBytes > Remaining) return Fail(DecodeError.Truncated);
        _position += skipBytes;
        // Every item takes at least one byte, so a count beyond what is left cannot be satisfied.
        if (items > Remaining) return Fail(DecodeError.Truncated);
        for (long i = 0; i < items; i++)
        {
            if (!TrySkip(depth + 1)) return false;
        }
        return true;
    }

    private bool TryReadInteger(out ulong magnitude, out bool negative)
    {
        magnitude = 0;
        negative = false;
        if (!TryReadCode(out var code)) return false;
        long signed;
        switch (code)
        {
            case <= 0x7f: magnitude = code; return true;
            case >= 0xe0: magnitude = (ulong)-(sbyte)code; negative = true; return true;
            case 0xc0: return true;
            case 0xcc: if (!Need(1)) return false; magnitude = _buffer[_position]; _position += 1; return true;
            case 0xcd: if (!Need(2)) return false; magnitude = BinaryPrimitives.ReadUInt16BigEndian(_buffer[_position..]); _position += 2; return true;
            case 0xce: if (!Need(4)) return false; magnitude = BinaryPrimitives.ReadUInt32BigEndian(_buffer[_position..]); _position += 4; return true;
            case 0xcf: if (!Need(8)) return false; magnitude = BinaryPrimitives.ReadUInt64BigEndian(_buffer[_position..]); _position += 8; return true;
            case 0xd0: if (!Need(1)) return false; signed = (sbyte)_buffer[_position]; _position += 1; break;
            case 0xd1: if (!Need(2)) return false; signed = BinaryPrimitives.ReadInt16BigEndian(_buffer[_position..]); _position += 2; break;
            case 0xd2: if (!Need(4)) return false; signed = BinaryPrimitives.ReadInt32BigEndian(_buffer[_position..]); _position += 4; break;
            case 0xd3: if (!Need(8)) return false; signed = BinaryPrimitives.ReadInt64BigEndian(_buffer[_position..]); _position += 8; break;
            default: return Fail(IsValidCode(code) ? DecodeError.WrongType : DecodeError.MalformedMsgpack);
        }
        negative = signed < 0;
        magnitude = negative ? (ulong)(-(signed + 1)) + 1 : (ulong)signed;
        return true;
    }

    private bool TryReadCode(out byte code)
    {
        if (_position >= _buffer.Length) { code = 0; return Fail(DecodeError.Truncated); }
        code = _buffer[_position++];
        return true;
    }

    private bool TryReadLength(int bytes, out int length)
    {
        length = 0;
        if (!Need(bytes)) return false;
        var span = _buffer.Slice(_position, bytes);
        _position += bytes;
        uint value = bytes switch
        {
            1 => span[0],
            2 => BinaryPrimitives.ReadUInt16BigEndian(span),
            _ => BinaryPrimitives.ReadUInt32BigEndian(span),
        };
        // Nothing memberlist sends comes near 2 GiB; a larger length can only be garbage or truncation.
        if (value > int.MaxValue) return Fail(DecodeError.Truncated);
        length = (int)value;
        return true;
    }

    private bool CountFits(int count, int bytesPerItem)
    {
        if ((long)count * bytesPerItem > Remaining) return Fail(DecodeError.Truncated);
        return true;
    }

    private bool Need(int bytes) => Remaining >= bytes || Fail(DecodeError.Truncated);

    private bool Fail(DecodeError error)
    {
        Error = error;
        return false;
    }

    private static bool IsValidCode(byte code) => code != 0xc1;
}
