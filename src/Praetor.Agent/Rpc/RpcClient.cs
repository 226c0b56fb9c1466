using System.Buffers;
using System.Collections.Concurrent;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Praetor.Raft.Transport;

namespace Praetor.Agent.Rpc;

/// <summary>
/// The client side of the agent RPC: one connection per server address, dialled on the first call
/// to it and shared by every call to it (requests multiplexed by sequence number, answers in any
/// order). A connection that fails fails every call waiting on it with
/// <see cref="RpcUnavailableException"/> and leaves the pool; the next call to that address dials
/// again. Every member is safe to call from any thread.
/// </summary>
public sealed class RpcClient : IAsyncDisposable
{
    /// <summary>5 s: the longest a connection attempt may take (a call's own timeout may cut it shorter).</summary>
    public static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(5);

    private readonly ConcurrentDictionary<string, Lazy<Task<RpcConnection>>> _connections = new(StringComparer.Ordinal);
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();

    /// <summary>A client with no connections yet; lost connections are reported to <paramref name="logger"/>.</summary>
    public RpcClient(ILogger? logger = null) => _logger = logger ?? NullLogger.Instance;

    /// <summary>
    /// Calls <paramref name="method"/> on the server at <paramref name="address"/> (<c>host:port</c>
    /// of its server port) with <paramref name="body"/>; returns the response body.
    /// </summary>
    /// <exception cref="RpcErrorException">The server answered with an error, or the request is larger than a frame may be (<see cref="WireFrame.PayloadBytesMax"/>) and was not sent.</exception>
    /// <exception cref="RpcUnavailableException">No answer: the server could not be reached, the connection was lost, or <paramref name="timeout"/> passed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="ObjectDisposedException">The client was disposed.</exception>
    public async Task<byte[]> CallAsync(string address, string method, ReadOnlyMemory<byte> body, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_stop.IsCancellationRequested, this);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stop.Token);
        deadline.CancelAfter(timeout);
        try
        {
            RpcConnection connection;
            try
            {
                connection = await ConnectionTo(address).WaitAsync(deadline.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is SocketException or IOException or TimeoutException or FormatException)
            {
                throw new RpcUnavailableException($"rpc: {method} to {address} failed: cannot connect: {ex.Message}", ex) { Unsent = true };
            }
            return await connection.CallAsync(method, body, deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            ObjectDisposedException.ThrowIf(_stop.IsCancellationRequested, this);
            throw new RpcUnavailableException($"rpc: {method} to {address} timed out after {timeout.TotalMilliseconds:0} ms");
        }
        catch (Exception ex) when (ex is SocketException or IOException or TimeoutException or FormatException)
        {
            throw new RpcUnavailableException($"rpc: {method} to {address} failed: {ex.Message}", ex);
        }
    }

    /// <summary>The pooled connection to <paramref name="address"/>, dialled once by whichever call needs it first.</summary>
    private Task<RpcConnection> ConnectionTo(string address)
    {
        while (true)
        {
            var lazy = _connections.GetOrAdd(address, a => new Lazy<Task<RpcConnection>>(() => DialAsync(a)));
            var task = lazy.Value;
            if (task.IsCompletedSuccessfully && task.Result.IsClosed)
            {
                // Closed after it was pooled (its own removal may not have run yet): dial again.
                _connections.TryRemove(new KeyValuePair<string, Lazy<Task<RpcConnection>>>(address, lazy));
                continue;
            }
            return task;
        }
    }

    private async Task<RpcConnection> DialAsync(string address)
    {
        try
        {
            var stream = await ServerPort.ConnectAsync(address, ServerConnectionType.Rpc, ConnectTimeout, _stop.Token).ConfigureAwait(false);
            return new RpcConnection(address, stream, OnClosed);
        }
        catch
        {
            // A failed dial is not pooled: the next call tries again.
            _connections.TryRemove(address, out _);
            throw;
        }
    }

    private void OnClosed(RpcConnection connection, string reason)
    {
        if (_connections.TryGetValue(connection.Address, out var lazy) && lazy.IsValueCreated && lazy.Value.IsCompletedSuccessfully && lazy.Value.Result == connection)
        {
            _connections.TryRemove(new KeyValuePair<string, Lazy<Task<RpcConnection>>>(connection.Address, lazy));
        }
        if (!_stop.IsCancellationRequested) RpcLog.ConnectionLost(_logger, connection.Address, reason);
    }

    /// <summary>Closes every connection; calls still waiting fail with <see cref="RpcUnavailableException"/>.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_stop.IsCancellationRequested) return;
        await _stop.CancelAsync().ConfigureAwait(false);
        foreach (var lazy in _connections.Values)
        {
            if (!lazy.IsValueCreated) continue;
            try
            {
                var connection = await lazy.Value.ConfigureAwait(false);
                await connection.DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is SocketException or IOException or TimeoutException or FormatException or OperationCanceledException)
            {
                // Never connected: nothing to close.
            }
        }
        _connections.Clear();
    }

    /// <summary>One multiplexed connection: calls write their request under a lock; one loop reads the responses and completes the calls.</summary>
    private sealed class RpcConnection : IAsyncDisposable
    {
        private readonly NetworkStream _stream;
        private readonly Action<RpcConnection, string> _onClosed;
        private readonly ConcurrentDictionary<ulong, PendingCall> _pending = new();
        private readonly SemaphoreSlim _writeLock = new(1);
        private readonly CancellationTokenSource _closing = new();
        private readonly Task _reader;
        private long _sequence;
        private int _closed;

        public RpcConnection(string address, NetworkStream stream, Action<RpcConnection, string> onClosed)
        {
            Address = address;
            _stream = stream;
            _onClosed = onClosed;
            _reader = Task.Run(ReadResponsesAsync);
        }

        public string Address { get; }

        public bool IsClosed => Volatile.Read(ref _closed) != 0;

        public async Task<byte[]> CallAsync(string method, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
        {
            var sequence = (ulong)Interlocked.Increment(ref _sequence);
            var call = new PendingCall(method);
            var frame = new ArrayBufferWriter<byte>(64 + method.Length + body.Length);
            try
            {
                RpcCodec.WriteRequest(frame, sequence, method, body.Span);
            }
            catch (ArgumentException)
            {
                throw new RpcErrorException($"rpc: {method} to {Address} not sent: a request of {body.Length} bytes exceeds the {WireFrame.PayloadBytesMax}-byte frame limit");
            }
            _pending[sequence] = call;
            if (IsClosed)
            {
                // Closed between the pool handing it out and the call registering: the sweep may have missed it.
                _pending.TryRemove(sequence, out _);
                throw Unavailable(method, "connection closed");
            }
            try
            {
                await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
                try
                {
                    // Not cancellable: a request cut off half way would corrupt the stream for every other call.
                    await _stream.WriteAsync(frame.WrittenMemory, _closing.Token).ConfigureAwait(false);
                }
                finally
                {
                    _writeLock.Release();
                }
                return await call.Completion.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or ObjectDisposedException or SocketException || (ex is OperationCanceledException && _closing.IsCancellationRequested && !cancellationToken.IsCancellationRequested))
            {
                await CloseAsync($"write failed: {ex.Message}").ConfigureAwait(false);
                throw Unavailable(method, "connection lost");
            }
            finally
            {
                _pending.TryRemove(sequence, out _);
            }
        }

        private RpcUnavailableException Unavailable(string method, string what) => new($"rpc: {method} to {Address} failed: {what}");

        private async Task ReadResponsesAsync()
        {
            string reason;
            try
            {
                while (true)
                {
                    var frame = await WireFrame.ReadAsync(_stream, _closing.Token).ConfigureAwait(false);
                    if (frame is null)
                    {
                        reason = "the server closed the connection";
                        break;
                    }
                    if (!RpcCodec.TryReadResponse(frame, out var response, out var problem))
                    {
                        reason = problem;
                        break;
                    }
                    if (_pending.TryRemove(response.Sequence, out var call))
                    {
                        if (response.Error is { } error)
                        {
                            call.Completion.TrySetException(new RpcErrorException(error));
                        }
                        else
                        {
                            call.Completion.TrySetResult(response.Body);
                        }
                    }
                }
            }
            catch (RaftWireException ex)
            {
                reason = ex.Message;
            }
            catch (OperationCanceledException)
            {
                reason = "closed";
            }
            await CloseAsync(reason).ConfigureAwait(false);
        }

        private async Task CloseAsync(string reason)
        {
            if (Interlocked.Exchange(ref _closed, 1) != 0) return;
            await _closing.CancelAsync().ConfigureAwait(false);
            await _stream.DisposeAsync().ConfigureAwait(false);
            foreach (var (sequence, call) in _pending)
            {
                if (_pending.TryRemove(sequence, out _)) call.Completion.TrySetException(Unavailable(call.Method, $"connection lost: {reason}"));
            }
            _onClosed(this, reason);
        }

        public async ValueTask DisposeAsync()
        {
            await CloseAsync("the client was disposed").ConfigureAwait(false);
            await _reader.ConfigureAwait(false);
        }

        private sealed class PendingCall(string method)
        {
            public string Method { get; } = method;

            public TaskCompletionSource<byte[]> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }
}
