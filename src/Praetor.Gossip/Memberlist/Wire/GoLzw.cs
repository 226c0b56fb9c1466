using System.Buffers;

namespace Praetor.Gossip.Memberlist.Wire;

/// <summary>
/// LZW as Go's <c>compress/lzw</c> does it with LSB bit order and 8-bit literals — the only
/// algorithm (lzwAlgo = 0) memberlist's compress message knows. Codes start 9 bits wide and grow
/// to 12; 256 is the clear code, 257 the end code. The writer reproduces Go's output bit for bit
/// (a clear code first, a clear code when the table fills at 4095, the end code, a final partial
/// byte), so compressed fixtures captured from Serf re-encode identically.
/// </summary>
/// <remarks>Hand-written: .NET has no LZW, and no pinned package implements Go's variant.</remarks>
internal static class GoLzw
{
    private const int Clear = 256;
    private const int Eof = 257;
    private const int MaxWidth = 12;
    private const int MaxCode = (1 << MaxWidth) - 1;
    private const int TableSize = 4 * (1 << MaxWidth);
    private const int TableMask = TableSize - 1;

    /// <summary>
    /// Decompresses <paramref name="input"/> into <paramref name="output"/>. Fails with
    /// <see cref="DecodeError.CorruptCompression"/> on an invalid code, missing end code, or more
    /// than <paramref name="outputBytesMax"/> bytes of output (a decompression bomb).
    /// </summary>
    public static bool TryDecompress(ReadOnlySpan<byte> input, IBufferWriter<byte> output, int outputBytesMax, out DecodeError error)
    {
        Span<ushort> prefix = stackalloc ushort[1 << MaxWidth];
        Span<byte> suffix = stackalloc byte[1 << MaxWidth];
        Span<byte> scratch = stackalloc byte[(1 << MaxWidth) + 1];
        int width = 9, hi = Eof, overflow = 1 << width, last = -1, written = 0, position = 0;
        uint bits = 0; int nBits = 0;
        error = DecodeError.CorruptCompression;
        while (true)
        {
            while (nBits < width)
            {
                if (position >= input.Length) return false; // Go: io.ErrUnexpectedEOF
                bits |= (uint)input[position++] << nBits;
                nBits += 8;
            }
            var code = (int)(bits & ((1u << width) - 1));
            bits >>= width;
            nBits -= width;

            int start;
            if (code < Clear)
            {
                start = scratch.Length - 1;
                scratch[start] = (byte)code;
                if (last != -1) { suffix[hi] = (byte)code; prefix[hi] = (ushort)last; }
            }
            else if (code == Clear)
            {
                width = 9; hi = Eof; overflow = 1 << width; last = -1;
                continue;
            }
            else if (code == Eof)
            {
                error = DecodeError.None;
                return true;
            }
            else if (code <= hi)
            {
                int c = code, i = scratch.Length - 1;
                if (code == hi && last != -1)
                {
                    // KwKwK: the code being defined right now expands to last's string plus its own first byte.
                    c = last;
                    while (c >= Clear) c = prefix[c];
                    scratch[i--] = (byte)c;
                    c = last;
                }
                while (c >= Clear)
                {
                    scratch[i--] = suffix[c];
                    c = prefix[c];
                }
                scratch[i] = (byte)c;
                start = i;
                if (last != -1) { suffix[hi] = (byte)c; prefix[hi] = (ushort)last; }
            }
            else
            {
                return false;
            }

            var expansion = scratch[start..];
            written += expansion.Length;
            if (written > outputBytesMax) return false;
            output.Write(expansion);

            last = code;
            hi++;
            if (hi >= overflow)
            {
                if (width == MaxWidth)
                {
                    last = -1;
                    hi--;
                }
                else
                {
                    width++;
                    overflow <<= 1;
                }
            }
        }
    }

    /// <summary>Compresses <paramref name="input"/> exactly as Go's <c>lzw.NewWriter(w, lzw.LSB, 8)</c> followed by Close.</summary>
    public static void Compress(ReadOnlySpan<byte> input, IBufferWriter<byte> output)
    {
        var table = ArrayPool<uint>.Shared.Rent(TableSize);
        try
        {
            Array.Clear(table, 0, TableSize);
            var s = new BitSink(output);
            s.Write(Clear);
            if (!input.IsEmpty)
            {
                var code = (uint)input[0];
                for (var n = 1; n < input.Length; n++)
                {
                    var literal = (uint)input[n];
                    var key = code << 8 | literal;
                    var hash = (key >> 12 ^ key) & TableMask;
                    var found = false;
                    for (uint h = hash, t = table[hash]; t != 0;)
                    {
                        if (key == t >> 12) { code = t & MaxCode; found = true; break; }
                        h = (h + 1) & TableMask;
                        t = table[h];
                    }
                    if (found) continue;
                    s.Write(code);
                    code = literal;
                    if (s.IncHi(table)) continue;
                    while (true)
                    {
                        if (table[hash] == 0) { table[hash] = key << 12 | (uint)s.Hi; break; }
                        hash = (hash + 1) & TableMask;
                    }
                }
                s.Write(code);
                s.IncHi(table);
            }
            s.Write(Eof);
            s.Finish();
        }
        finally
        {
            ArrayPool<uint>.Shared.Return(table);
        }
    }

    /// <summary>Go's lzw.Writer state: the LSB bit accumulator, code width and next code.</summary>
    private struct BitSink(IBufferWriter<byte> output)
    {
        private uint _bits;
        private int _nBits;
        private int _width = 9;
        private int _overflow = 1 << 9;

        public int Hi { get; private set; } = Eof;

        public void Write(uint code)
        {
            _bits |= code << _nBits;
            _nBits += _width;
            while (_nBits >= 8)
            {
                output.GetSpan(1)[0] = (byte)_bits;
                output.Advance(1);
                _bits >>= 8;
                _nBits -= 8;
            }
        }

        /// <summary>Go's incHi: the next code, a wider code, or — out of codes — a clear code and a fresh table (returns true).</summary>
        public bool IncHi(uint[] table)
        {
            Hi++;
            if (Hi == _overflow)
            {
                _width++;
                _overflow <<= 1;
            }
            if (Hi != MaxCode) return false;
            Write(Clear);
            _width = 9;
            Hi = Eof;
            _overflow = 1 << 9;
            Array.Clear(table, 0, TableSize);
            return true;
        }

        public void Finish()
        {
            if (_nBits <= 0) return;
            output.GetSpan(1)[0] = (byte)_bits;
            output.Advance(1);
        }
    }
}
