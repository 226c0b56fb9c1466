using Praetor.State.Coordinates;

namespace Praetor.Agent.Endpoints.Remote;

/// <summary>A client agent's Coordinate endpoint: updates and reads by RPC to a server, which batches the updates and holds the table.</summary>
public sealed class RemoteCoordinateEndpoint(EndpointRpcClient rpc) : ICoordinateEndpoint
{
    /// <inheritdoc/>
    public Task UpdateAsync(CoordinateEntry update, CancellationToken cancellationToken) =>
        rpc.CallAsync(EndpointRpcMethods.CoordinateUpdate, update, cancellationToken);

    /// <inheritdoc/>
    public Task<QueryResult<IReadOnlyList<CoordinateEntry>>> ListNodesAsync(QueryOptions options, CancellationToken cancellationToken) =>
        rpc.QueryAsync(EndpointRpcMethods.CoordinateListNodes, options, options, cancellationToken);

    /// <inheritdoc/>
    public Task<QueryResult<IReadOnlyList<CoordinateEntry>>> NodeAsync(string node, QueryOptions options, CancellationToken cancellationToken) =>
        rpc.QueryAsync(EndpointRpcMethods.CoordinateNode, (node, options), options, cancellationToken);

    /// <inheritdoc/>
    public Task<IReadOnlyList<DatacenterCoordinates>> ListDatacentersAsync(CancellationToken cancellationToken) =>
        rpc.CallAsync(EndpointRpcMethods.CoordinateListDatacenters, default, cancellationToken);
}
