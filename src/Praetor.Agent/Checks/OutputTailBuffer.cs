using System.Text;

namespace Praetor.Agent.Checks;

/// <summary>
/// Keeps the last <c>capacity</c> bytes written to it and counts all of them, as Consul's
/// circbuf does for check output: the end of a script's output is where the error usually is.
/// Thread-safe, because a script's stdout and stderr are written to one buffer from two readers.
/// </summary>
internal sealed class OutputTailBuffer
{
    private readonly byte[] _ring;
    private readonly Lock _gate = new();
    private long _totalWritten;

    public OutputTailBuffer(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        _ring = new byte[capacity];
    }

    public long TotalWritten
    {
        get
        {
            lock (_gate)
            {
                return _totalWritten;
            }
        }
    }

    /// <summary>
    /// Reads <paramref name="source"/> (a child's stdout or stderr) into the buffer until it ends or
    /// <paramref name="cancellationToken"/> fires; reading stops quietly whatever the pipe's state,
    /// and what was read is kept.
    /// </summary>
    public async Task ReadFromAsync(Stream source, CancellationToken cancellationToken)
    {
        var buffer = new byte[4096];
        try
        {
            int read;
            while ((read = await source.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                Write(buffer.AsSpan(0, read));
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or ObjectDisposedException)
        {
            // The run is over, or the pipe broke: keep what was read.
        }
    }

    public void Write(ReadOnlySpan<byte> data)
    {
        lock (_gate)
        {
            _totalWritten += data.Length;
            if (data.Length >= _ring.Length)
            {
                // Only the tail of this write survives; lay it out so that it ends at the write position.
                data = data[^_ring.Length..];
            }
            var position = (int)((_totalWritten - data.Length) % _ring.Length);
            var first = Math.Min(data.Length, _ring.Length - position);
            data[..first].CopyTo(_ring.AsSpan(position));
            data[first..].CopyTo(_ring);
        }
    }

    /// <summary>The kept bytes, oldest first, decoded as UTF-8 (a character cut at the start becomes U+FFFD).</summary>
    public string GetText()
    {
        lock (_gate)
        {
            if (_totalWritten <= _ring.Length)
            {
                return Encoding.UTF8.GetString(_ring, 0, (int)_totalWritten);
            }
            var start = (int)(_totalWritten % _ring.Length);
            var ordered = new byte[_ring.Length];
            _ring.AsSpan(start).CopyTo(ordered);
            _ring.AsSpan(0, start).CopyTo(ordered.AsSpan(_ring.Length - start));
            return Encoding.UTF8.GetString(ordered);
        }
    }

    /// <summary>
    /// The kept output, prefixed as Consul's script checks do when some was dropped:
    /// <c>Captured N of M bytes\n...\n</c>.
    /// </summary>
    public string GetTextWithTruncationNote()
    {
        lock (_gate)
        {
            var text = GetText();
            return _totalWritten > _ring.Length
                ? $"Captured {_ring.Length} of {_totalWritten} bytes\n...\n{text}"
                : text;
        }
    }
}
