using Praetor.State.Commands;
using Praetor.State.Kv;

namespace Praetor.Agent.Endpoints.Remote;

/// <summary>A client agent's KV endpoint: reads by RPC to a server, writes through <paramref name="writes"/>.</summary>
/// <param name="writes">The local endpoint, whose log forwards each write to the leader.</param>
public sealed class RemoteKvEndpoint(EndpointRpcClient rpc, IKvEndpoint writes) : IKvEndpoint
{
    /// <inheritdoc/>
    public Task<QueryResult<KvEntry?>> GetAsync(string key, QueryOptions options, CancellationToken cancellationToken) =>
        rpc.QueryAsync(EndpointRpcMethods.KvGet, (key, options), options, cancellationToken);

    /// <inheritdoc/>
    public Task<QueryResult<IReadOnlyList<KvEntry>>> ListAsync(string prefix, QueryOptions options, CancellationToken cancellationToken) =>
        rpc.QueryAsync(EndpointRpcMethods.KvList, (prefix, options), options, cancellationToken);

    /// <inheritdoc/>
    public Task<QueryResult<IReadOnlyList<string>>> KeysAsync(string prefix, string? separator, QueryOptions options, CancellationToken cancellationToken) =>
        rpc.QueryAsync(EndpointRpcMethods.KvKeys, (prefix, separator, options), options, cancellationToken);

    /// <inheritdoc/>
    public Task<TxnResult> WriteAsync(KvOperation operation, CancellationToken cancellationToken) => writes.WriteAsync(operation, cancellationToken);
}
