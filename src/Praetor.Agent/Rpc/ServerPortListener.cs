using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Praetor.Raft.Transport;

namespace Praetor.Agent.Rpc;

/// <summary>
/// The server port (Consul's 8300): one TCP listener for everything servers and agents say to a
/// server. Each connection's first byte is its <see cref="ServerConnectionType"/>; the connection
/// then belongs to the handler registered for that type (Raft: <see cref="TcpRaftTransport.ServeAsync"/>,
/// agent RPC: <see cref="RpcServer.ServeAsync"/>) until it returns, and is closed after. A
/// connection that sends no type byte within the handshake timeout, an unknown type, or one
/// beyond <see cref="ConnectionsMax"/> is closed at once (logged, counted in
/// <see cref="ConnectionsRejected"/>). A handler that throws costs its connection only.
/// </summary>
public sealed class ServerPortListener : IAsyncDisposable
{
    /// <summary>1,024 connections: the most served at once; more are closed on accept.</summary>
    public const int ConnectionsMax = 1_024;

    /// <summary>5 s: how long a new connection has to send its type byte.</summary>
    public static readonly TimeSpan HandshakeTimeoutDefault = TimeSpan.FromSeconds(5);

    private readonly Socket _socket;
    private readonly ILogger _logger;
    private readonly TimeSpan _handshakeTimeout;
    private readonly ConcurrentDictionary<ServerConnectionType, Func<Stream, CancellationToken, Task>> _handlers = new();
    private readonly ConcurrentDictionary<Socket, Task> _connections = new();
    private readonly CancellationTokenSource _stop = new();
    private Task _accepting = Task.CompletedTask;
    private long _rejected;
    private int _started;

    /// <summary>
    /// Binds the server port at <paramref name="bind"/> (port 0: a free one, see
    /// <see cref="LocalEndPoint"/>). It accepts nothing before <see cref="Start"/>.
    /// </summary>
    /// <exception cref="SocketException">The address cannot be bound (in use, not local).</exception>
    public ServerPortListener(IPEndPoint bind, ILogger? logger = null, TimeSpan? handshakeTimeout = null)
    {
        _logger = logger ?? NullLogger.Instance;
        _handshakeTimeout = handshakeTimeout ?? HandshakeTimeoutDefault;
        _socket = new Socket(bind.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            _socket.Bind(bind);
            _socket.Listen(512);
        }
        catch
        {
            _socket.Dispose();
            throw;
        }
        LocalEndPoint = (IPEndPoint)_socket.LocalEndPoint!;
    }

    /// <summary>The address and port the listener is bound to.</summary>
    public IPEndPoint LocalEndPoint { get; }

    /// <summary>Connections closed before a handler took them: no or an unknown type byte, over <see cref="ConnectionsMax"/>.</summary>
    public long ConnectionsRejected => Interlocked.Read(ref _rejected);

    /// <summary>
    /// Hands connections of <paramref name="type"/> to <paramref name="handler"/>: it gets the
    /// stream after the type byte and a token cancelled at shutdown, and the listener closes the
    /// connection when it returns.
    /// </summary>
    /// <exception cref="ArgumentException">A handler is already registered for <paramref name="type"/>.</exception>
    public void Register(ServerConnectionType type, Func<Stream, CancellationToken, Task> handler)
    {
        if (!_handlers.TryAdd(type, handler)) throw new ArgumentException($"a handler for {type} connections is already registered", nameof(type));
    }

    /// <summary>Starts accepting connections (once).</summary>
    public void Start()
    {
        if (Interlocked.Exchange(ref _started, 1) != 0) return;
        RpcLog.Listening(_logger, LocalEndPoint);
        _accepting = Task.Run(AcceptAsync);
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _socket.AcceptAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (SocketException ex) when (!_stop.IsCancellationRequested)
            {
                // A connection reset while queued, or the process out of descriptors: keep accepting.
                RpcLog.AcceptFailed(_logger, ex);
                try
                {
                    // Out of descriptors fails every accept at once: pause rather than spin.
                    await Task.Delay(TimeSpan.FromMilliseconds(10), _stop.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                continue;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            if (_connections.Count >= ConnectionsMax)
            {
                Reject(socket, $"{ConnectionsMax} connections are being served");
                continue;
            }
            socket.NoDelay = true;
            var serving = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _connections[socket] = serving.Task;
            _ = ServeAsync(socket, serving);
        }
    }

    private async Task ServeAsync(Socket socket, TaskCompletionSource serving)
    {
        var stream = new NetworkStream(socket, ownsSocket: true);
        var remote = ServerPort.DescribeRemote(stream);
        var type = new byte[1];
        try
        {
            await Task.Yield();
            int read;
            using (var handshake = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token))
            {
                handshake.CancelAfter(_handshakeTimeout);
                try
                {
                    read = await stream.ReadAsync(type, handshake.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!_stop.IsCancellationRequested)
                {
                    Rejected(remote, $"no connection type byte within {_handshakeTimeout.TotalMilliseconds:0} ms");
                    return;
                }
            }
            if (read == 0)
            {
                Rejected(remote, "closed before its connection type byte");
                return;
            }
            if (!_handlers.TryGetValue((ServerConnectionType)type[0], out var handler))
            {
                Rejected(remote, $"unknown connection type 0x{type[0]:x2}");
                return;
            }
            await handler(stream, _stop.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or SocketException || (ex is ObjectDisposedException or OperationCanceledException && _stop.IsCancellationRequested))
        {
            // The peer went away, or the listener is shutting down.
        }
        catch (Exception ex)
        {
            RpcLog.HandlerFailed(_logger, ex, ((ServerConnectionType)type[0]).ToString(), remote);
        }
        finally
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            _connections.TryRemove(socket, out _);
            serving.TrySetResult();
        }
    }

    private void Reject(Socket socket, string reason)
    {
        var remote = socket.RemoteEndPoint?.ToString() ?? "an unknown peer";
        socket.Dispose();
        Rejected(remote, reason);
    }

    private void Rejected(string remote, string reason)
    {
        Interlocked.Increment(ref _rejected);
        RpcLog.ConnectionRejected(_logger, remote, reason);
    }

    /// <summary>Stops accepting, cancels every handler, closes every connection, and waits for the handlers to return.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_stop.IsCancellationRequested) return;
        await _stop.CancelAsync().ConfigureAwait(false);
        _socket.Dispose();
        await _accepting.ConfigureAwait(false);
        foreach (var socket in _connections.Keys)
        {
            // Unblocks handlers that do not watch the token mid-read.
            socket.Dispose();
        }
        await Task.WhenAll(_connections.Values).ConfigureAwait(false);
        _stop.Dispose();
    }
}
