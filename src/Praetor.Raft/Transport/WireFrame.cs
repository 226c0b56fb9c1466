using System.Buffers;
using System.Buffers.Binary;

namespace Praetor.Raft.Transport;

/// <summary>
/// The framing of every stream on the server port after its connection type byte: a frame is the
/// payload's length as a big-endian u32, then the payload. One implementation for the Raft
/// transport and the agent RPC.
/// </summary>
public static class WireFrame
{
    /// <summary>The length prefix: 4 bytes.</summary>
    public const int HeaderBytes = 4;

    /// <summary>
    /// 64 MiB: the largest payload a reader accepts. A larger Raft message (an <c>InstallSnapshot</c>
    /// of a large state) goes in chunks (<see cref="MessageChunks"/>).
    /// </summary>
    public const int PayloadBytesMax = 64 * 1024 * 1024;

    /// <summary>64 KiB: the buffer a payload is read into first; it grows as bytes arrive, so a length that lies costs no more memory than the bytes sent.</summary>
    private const int InitialBufferBytes = 64 * 1024;

    /// <summary>Appends one frame carrying <paramref name="payload"/> to <paramref name="destination"/>.</summary>
    /// <exception cref="ArgumentException">The payload is larger than <see cref="PayloadBytesMax"/> (no reader would accept it).</exception>
    public static void Write(IBufferWriter<byte> destination, ReadOnlySpan<byte> payload)
    {
        if (payload.Length > PayloadBytesMax)
        {
            throw new ArgumentException($"a payload of {payload.Length} bytes exceeds the {PayloadBytesMax}-byte frame limit", nameof(payload));
        }
        var span = destination.GetSpan(HeaderBytes + payload.Length);
        BinaryPrimitives.WriteUInt32BigEndian(span, (uint)payload.Length);
        payload.CopyTo(span[HeaderBytes..]);
        destination.Advance(HeaderBytes + payload.Length);
    }

    /// <summary>
    /// Reads the next frame's payload from <paramref name="source"/>; null when the stream ends
    /// cleanly between frames.
    /// </summary>
    /// <exception cref="RaftWireException">The stream ended inside a frame, a frame announced more than <paramref name="payloadBytesMax"/> bytes, or the stream failed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static async ValueTask<byte[]?> ReadAsync(Stream source, CancellationToken cancellationToken, int payloadBytesMax = PayloadBytesMax)
    {
        var header = new byte[HeaderBytes];
        try
        {
            var read = await source.ReadAtLeastAsync(header, HeaderBytes, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
            if (read == 0) return null;
            if (read < HeaderBytes) throw new RaftWireException($"stream ended after {read} of a frame header's {HeaderBytes} bytes");
            var length = BinaryPrimitives.ReadUInt32BigEndian(header);
            if (length > (uint)payloadBytesMax)
            {
                throw new RaftWireException($"frame of {length} bytes exceeds the {payloadBytesMax}-byte limit");
            }
            var payload = new byte[Math.Min((int)length, InitialBufferBytes)];
            var filled = 0;
            while (filled < length)
            {
                if (filled == payload.Length) Array.Resize(ref payload, (int)Math.Min(length, 2L * payload.Length));
                var got = await source.ReadAsync(payload.AsMemory(filled), cancellationToken).ConfigureAwait(false);
                if (got == 0) throw new RaftWireException($"stream ended after {filled} of a frame's {length} bytes");
                filled += got;
            }
            return payload;
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or System.Net.Sockets.SocketException)
        {
            throw new RaftWireException($"stream failed while reading a frame: {ex.Message}", ex);
        }
    }
}
