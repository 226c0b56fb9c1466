using System.Buffers;
using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Praetor.Raft.Transport;

namespace Praetor.Agent.Rpc;

/// <summary>
/// The server side of the agent RPC: methods by name, each a handler from a request body to a
/// response body. <see cref="ServeAsync"/> serves one connection (after its
/// <see cref="ServerConnectionType.Rpc"/> byte): requests run concurrently (up to
/// <see cref="RequestsInFlightMax"/>; beyond it the connection is not read until one finishes) and
/// their responses go back in the order they finish, matched by sequence number. An unknown method
/// is answered with Consul's "rpc: can't find method X"; a handler's
/// <see cref="RpcErrorException"/> with its message; any other exception is logged and answered
/// with a generic error. A malformed request frame closes the connection (logged, counted).
/// </summary>
public sealed class RpcServer
{
    /// <summary>256 requests: the most one connection may have running at once.</summary>
    public const int RequestsInFlightMax = 256;

    private readonly ConcurrentDictionary<string, Func<ReadOnlyMemory<byte>, CancellationToken, Task<byte[]>>> _methods = new(StringComparer.Ordinal);
    private readonly ILogger _logger;
    private long _connectionsClosed;

    /// <summary>A server with no methods; failures are reported to <paramref name="logger"/>.</summary>
    public RpcServer(ILogger? logger = null) => _logger = logger ?? NullLogger.Instance;

    /// <summary>Connections closed on malformed input: a request that does not decode, a truncated stream, an oversized frame.</summary>
    public long ConnectionsClosed => Interlocked.Read(ref _connectionsClosed);

    /// <summary>
    /// Registers <paramref name="handler"/> for <paramref name="method"/>. The handler may run on any
    /// thread, concurrently with itself; its token is cancelled when the connection closes; throw
    /// <see cref="RpcErrorException"/> to answer with an error.
    /// </summary>
    /// <exception cref="ArgumentException">The method is already registered, empty, or longer than 256 characters.</exception>
    public void Register(string method, Func<ReadOnlyMemory<byte>, CancellationToken, Task<byte[]>> handler)
    {
        if (method.Length is 0 or > RpcCodec.MethodCharsMax) throw new ArgumentException($"a method name has 1 to {RpcCodec.MethodCharsMax} characters", nameof(method));
        if (!_methods.TryAdd(method, handler)) throw new ArgumentException($"method {method} is already registered", nameof(method));
    }

    /// <summary>
    /// Serves one connection until it ends, fails, sends a malformed request, or
    /// <paramref name="cancellationToken"/> is cancelled; then waits for its running requests.
    /// Never throws. The caller owns and closes <paramref name="stream"/>.
    /// </summary>
    public async Task ServeAsync(Stream stream, CancellationToken cancellationToken)
    {
        using var connection = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var slots = new SemaphoreSlim(RequestsInFlightMax);
        using var writeLock = new SemaphoreSlim(1);
        var remote = ServerPort.DescribeRemote(stream);
        try
        {
            while (await WireFrame.ReadAsync(stream, connection.Token).ConfigureAwait(false) is { } frame)
            {
                if (!RpcCodec.TryReadRequest(frame, out var request, out var problem))
                {
                    Interlocked.Increment(ref _connectionsClosed);
                    RpcLog.MalformedRequest(_logger, remote, problem);
                    break;
                }
                await slots.WaitAsync(connection.Token).ConfigureAwait(false);
                _ = RunAsync(request, stream, remote, writeLock, slots, connection);
            }
        }
        catch (RaftWireException ex)
        {
            if (!connection.IsCancellationRequested)
            {
                Interlocked.Increment(ref _connectionsClosed);
                RpcLog.MalformedRequest(_logger, remote, ex.Message);
            }
        }
        catch (OperationCanceledException) when (connection.IsCancellationRequested)
        {
            // Shutting down, or a response could not be written.
        }
        await connection.CancelAsync().ConfigureAwait(false);
        // Every slot back: no request of this connection is still running or writing.
        for (var i = 0; i < RequestsInFlightMax; i++) await slots.WaitAsync(CancellationToken.None).ConfigureAwait(false);
    }

    private async Task RunAsync(RpcRequest request, Stream stream, string remote, SemaphoreSlim writeLock, SemaphoreSlim slots, CancellationTokenSource connection)
    {
        try
        {
            await Task.Yield();
            string? error = null;
            byte[] body = [];
            if (!_methods.TryGetValue(request.Method, out var handler))
            {
                error = $"rpc: can't find method {request.Method}";
            }
            else
            {
                try
                {
                    body = await handler(request.Body, connection.Token).ConfigureAwait(false);
                }
                catch (RpcErrorException ex)
                {
                    error = ex.Message;
                }
                catch (OperationCanceledException) when (connection.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception ex)
                {
                    RpcLog.MethodFailed(_logger, ex, request.Method, remote);
                    error = $"rpc: internal error in {request.Method} (see the server's log)";
                }
            }
            var frame = new ArrayBufferWriter<byte>(64 + body.Length);
            try
            {
                RpcCodec.WriteResponse(frame, request.Sequence, error, body);
            }
            catch (ArgumentException ex)
            {
                RpcLog.MethodFailed(_logger, ex, request.Method, remote);
                frame.ResetWrittenCount();
                RpcCodec.WriteResponse(frame, request.Sequence, $"rpc: the response of {request.Method} exceeds the frame limit", []);
            }
            await writeLock.WaitAsync(connection.Token).ConfigureAwait(false);
            try
            {
                await stream.WriteAsync(frame.WrittenMemory, connection.Token).ConfigureAwait(false);
            }
            finally
            {
                writeLock.Release();
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or OperationCanceledException or System.Net.Sockets.SocketException)
        {
            // The connection is gone (or a write was cut off half way): end it, the client redials.
            await connection.CancelAsync().ConfigureAwait(false);
        }
        finally
        {
            slots.Release();
        }
    }
}
