using Praetor.State.Catalog;

namespace Praetor.Agent.Endpoints.Remote;

/// <summary>A client agent's Health endpoint: every read by RPC to a server.</summary>
public sealed class RemoteHealthEndpoint(EndpointRpcClient rpc) : IHealthEndpoint
{
    /// <inheritdoc/>
    public Task<QueryResult<IReadOnlyList<HealthCheck>>> NodeChecksAsync(string node, QueryOptions options, CancellationToken cancellationToken) =>
        rpc.QueryAsync(EndpointRpcMethods.HealthNodeChecks, (node, options), options, cancellationToken);

    /// <inheritdoc/>
    public Task<QueryResult<IReadOnlyList<HealthCheck>>> ServiceChecksAsync(string service, QueryOptions options, CancellationToken cancellationToken) =>
        rpc.QueryAsync(EndpointRpcMethods.HealthServiceChecks, (service, options), options, cancellationToken);

    /// <inheritdoc/>
    public Task<QueryResult<IReadOnlyList<ServiceHealth>>> ServiceHealthAsync(
        string service, IReadOnlyList<string> tags, NodeMetaFilter meta, bool passingOnly, QueryOptions options, CancellationToken cancellationToken) =>
        rpc.QueryAsync(EndpointRpcMethods.HealthServiceNodes, ((service, tags), (meta, passingOnly), options), options, cancellationToken);

    /// <inheritdoc/>
    public Task<QueryResult<IReadOnlyList<HealthCheck>>> ChecksInStateAsync(string state, QueryOptions options, CancellationToken cancellationToken) =>
        rpc.QueryAsync(EndpointRpcMethods.HealthChecksInState, (state, options), options, cancellationToken);
}
