using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Praetor.Dns;

/// <summary>
/// Forwards questions outside the domain to the configured upstream servers (<c>recursors</c>), over
/// the client's transport, each with <c>recursor_timeout</c>, in order (or shuffled with
/// <c>recursor_strategy = random</c>). An upstream that does not answer, answers garbage, or answers
/// anything but NOERROR/NXDOMAIN is skipped for the next, as Consul does.
/// </summary>
public static class DnsRecursor
{
    /// <summary>The first usable upstream reply to <paramref name="request"/>, as received; null when none answered.</summary>
    public static async Task<byte[]?> ExchangeAsync(
        ReadOnlyMemory<byte> request, IReadOnlyList<IPEndPoint> recursors, bool random, TimeSpan timeout, bool tcp, CancellationToken cancellationToken)
    {
        var order = Enumerable.Range(0, recursors.Count).ToArray();
        if (random)
        {
            Random.Shared.Shuffle(order);
        }
        var id = BinaryPrimitives.ReadUInt16BigEndian(request.Span);
        foreach (var index in order)
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(timeout);
            byte[]? reply;
            try
            {
                reply = tcp
                    ? await ExchangeTcpAsync(request, recursors[index], deadline.Token).ConfigureAwait(false)
                    : await ExchangeUdpAsync(request, recursors[index], deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                continue;
            }
            catch (SocketException)
            {
                continue;
            }
            if (reply is { Length: >= 12 } && BinaryPrimitives.ReadUInt16BigEndian(reply) == id && (reply[2] & 0x80) != 0
                && (reply[3] & 0x0F) is 0 or 3)
            {
                return reply;
            }
        }
        return null;
    }

    private static async Task<byte[]?> ExchangeUdpAsync(ReadOnlyMemory<byte> request, IPEndPoint recursor, CancellationToken cancellationToken)
    {
        using var socket = new Socket(recursor.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        await socket.ConnectAsync(recursor, cancellationToken).ConfigureAwait(false);
        await socket.SendAsync(request, SocketFlags.None, cancellationToken).ConfigureAwait(false);
        var buffer = new byte[ushort.MaxValue];
        var id = BinaryPrimitives.ReadUInt16BigEndian(request.Span);
        while (true)
        {
            var length = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            // A stray datagram (another ID) is not the answer: keep waiting until the deadline.
            if (length >= 12 && BinaryPrimitives.ReadUInt16BigEndian(buffer) == id)
            {
                return buffer[..length];
            }
        }
    }

    private static async Task<byte[]?> ExchangeTcpAsync(ReadOnlyMemory<byte> request, IPEndPoint recursor, CancellationToken cancellationToken)
    {
        using var socket = new Socket(recursor.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(recursor, cancellationToken).ConfigureAwait(false);
        var framed = new byte[request.Length + 2];
        BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)request.Length);
        request.CopyTo(framed.AsMemory(2));
        await socket.SendAsync(framed, SocketFlags.None, cancellationToken).ConfigureAwait(false);
        var prefix = new byte[2];
        if (!await DnsTcp.ReadExactlyAsync(socket, prefix, cancellationToken).ConfigureAwait(false))
        {
            return null;
        }
        var reply = new byte[BinaryPrimitives.ReadUInt16BigEndian(prefix)];
        return await DnsTcp.ReadExactlyAsync(socket, reply, cancellationToken).ConfigureAwait(false) ? reply : null;
    }
}

/// <summary>DNS over TCP framing (RFC 1035 section 4.2.2): each message after a two-byte length.</summary>
internal static class DnsTcp
{
    /// <summary>Fills <paramref name="buffer"/>; false when the peer closes first.</summary>
    public static async Task<bool> ReadExactlyAsync(Socket socket, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var read = 0;
        while (read < buffer.Length)
        {
            var n = await socket.ReceiveAsync(buffer[read..], SocketFlags.None, cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                return false;
            }
            read += n;
        }
        return true;
    }
}
