using System.Globalization;
using System.Net.Sockets;

namespace Praetor.Raft.Transport;

/// <summary>Helpers of the server port shared by the Raft transport and the agent RPC: the one way to dial another server, and how a connection is named in log lines.</summary>
public static class ServerPort
{
    /// <summary>
    /// Connects to <paramref name="address"/> (<c>host:port</c>, <c>[v6]:port</c>), disables Nagle,
    /// and writes the connection type byte. The stream owns the socket.
    /// </summary>
    /// <exception cref="FormatException"><paramref name="address"/> is not <c>host:port</c>.</exception>
    /// <exception cref="SocketException">The host did not resolve, or the connection was refused or failed.</exception>
    /// <exception cref="IOException">Writing the type byte failed.</exception>
    /// <exception cref="TimeoutException">No connection within <paramref name="timeout"/>.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static async Task<NetworkStream> ConnectAsync(string address, ServerConnectionType type, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var (host, port) = ParseAddress(address);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(host, port, deadline.Token).ConfigureAwait(false);
            var stream = new NetworkStream(socket, ownsSocket: true);
            await stream.WriteAsync(new[] { (byte)type }, deadline.Token).ConfigureAwait(false);
            return stream;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            socket.Dispose();
            throw new TimeoutException($"no connection to {address} within {timeout.TotalMilliseconds:0} ms");
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Splits <c>host:port</c> (the host of <c>[v6]:port</c> without its brackets).</summary>
    /// <exception cref="FormatException">No port, a port out of range, or no host.</exception>
    public static (string Host, int Port) ParseAddress(string address)
    {
        var colon = address.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(address.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
        {
            throw new FormatException($"server address \"{address}\" is not host:port");
        }
        var host = address[..colon];
        if (host.StartsWith('[') && host.EndsWith(']')) host = host[1..^1];
        if (host.Length == 0) throw new FormatException($"server address \"{address}\" has no host");
        return (host, port);
    }

    /// <summary>The remote end of <paramref name="stream"/> for a log line: its address when it is a socket's stream.</summary>
    public static string DescribeRemote(Stream stream)
    {
        try
        {
            return stream is NetworkStream network ? network.Socket.RemoteEndPoint?.ToString() ?? "an unknown peer" : "a stream";
        }
        catch (Exception ex) when (ex is ObjectDisposedException or SocketException)
        {
            return "a closed connection";
        }
    }
}
