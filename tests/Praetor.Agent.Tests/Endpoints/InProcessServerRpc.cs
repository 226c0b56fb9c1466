using System.Collections.Concurrent;
using Praetor.Agent.Endpoints.Remote;

namespace Praetor.Agent.Tests.Endpoints;

/// <summary>
/// <see cref="IServerRpc"/> in process: dispatches each call to the handler registered under its
/// method (as the RPC server would), and remembers the timeout of each call.
/// </summary>
internal sealed class InProcessServerRpc : IServerRpc
{
    private readonly ConcurrentDictionary<string, Func<ReadOnlyMemory<byte>, CancellationToken, Task<byte[]>>> _handlers = new(StringComparer.Ordinal);

    /// <summary>The timeout of every call so far, by method.</summary>
    public ConcurrentQueue<(string Method, TimeSpan Timeout)> Calls { get; } = new();

    /// <summary>The last request body of each method.</summary>
    public ConcurrentDictionary<string, byte[]> Requests { get; } = new(StringComparer.Ordinal);

    /// <summary>When set, replaces every response body (to feed the client garbage).</summary>
    public Func<byte[], byte[]>? RewriteResponse { get; set; }

    public IReadOnlyCollection<string> Methods => [.. _handlers.Keys];

    /// <summary>The registration delegate handed to <see cref="EndpointRpcHandlers.Register"/>.</summary>
    public void Register(string method, Func<ReadOnlyMemory<byte>, CancellationToken, Task<byte[]>> handler) =>
        Assert.True(_handlers.TryAdd(method, handler), $"{method} registered twice");

    public Task<byte[]> Handle(string method, ReadOnlyMemory<byte> body) => _handlers[method](body, CancellationToken.None);

    public async Task<byte[]> CallAsync(string method, ReadOnlyMemory<byte> body, TimeSpan timeout, CancellationToken cancellationToken)
    {
        Calls.Enqueue((method, timeout));
        Requests[method] = body.ToArray();
        var response = await _handlers[method](body.ToArray(), cancellationToken).WaitAsync(timeout, cancellationToken);
        return RewriteResponse is null ? response : RewriteResponse(response);
    }
}
