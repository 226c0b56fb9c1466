namespace Praetor.Agent.Endpoints.Remote;

/// <summary>
/// How a client agent's endpoints call a server: encodes a read, sends it through
/// <see cref="IServerRpc"/> with a timeout that outlasts the server's wait, and decodes the
/// answer or throws the server's refusal again.
/// </summary>
/// <param name="config">The agent's configuration: its default and maximum query times bound a blocking query's wait, as on a server.</param>
public sealed class EndpointRpcClient(IServerRpc rpc, AgentConfig config)
{
    /// <summary>
    /// What a call may take beyond the server's wait: Consul's <c>rpc_hold_timeout</c> (7 s), its
    /// allowance for finding a leader and for the network.
    /// </summary>
    public static readonly TimeSpan HoldTimeout = TimeSpan.FromSeconds(7);

    /// <summary>
    /// The RPC timeout of a read with <paramref name="options"/> (Consul's QueryOptions.Timeout):
    /// <see cref="HoldTimeout"/>, plus for a blocking query the wait the server may hold it and that
    /// wait's largest jitter.
    /// </summary>
    public TimeSpan Timeout(QueryOptions options)
    {
        if (options.MinIndex == 0)
        {
            return HoldTimeout;
        }
        var wait = BlockingQuery.Wait(options, config);
        return wait + wait / BlockingQuery.JitterFraction + HoldTimeout;
    }

    /// <summary>Runs a read that blocks per <paramref name="options"/> on a server.</summary>
    internal Task<TResult> QueryAsync<TArgs, TResult>(EndpointRpcMethod<TArgs, TResult> method, TArgs args, QueryOptions options, CancellationToken cancellationToken) =>
        CallAsync(method, args, Timeout(options), cancellationToken);

    /// <summary>Runs a read that does not block on a server.</summary>
    internal Task<TResult> CallAsync<TArgs, TResult>(EndpointRpcMethod<TArgs, TResult> method, TArgs args, CancellationToken cancellationToken) =>
        CallAsync(method, args, HoldTimeout, cancellationToken);

    /// <summary>Runs a call that may take up to <paramref name="timeout"/> on a server.</summary>
    internal async Task<TResult> CallAsync<TArgs, TResult>(EndpointRpcMethod<TArgs, TResult> method, TArgs args, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var response = await rpc.CallAsync(method.Name, method.EncodeRequest(args), timeout, cancellationToken).ConfigureAwait(false);
        return method.DecodeResponse(response);
    }
}
