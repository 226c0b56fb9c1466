using Praetor.State.Coordinates;

namespace Praetor.Agent.Endpoints;

/// <summary>
/// Consul's Coordinate endpoint: on a server <see cref="CoordinateEndpoint"/> (updates batched
/// into the log, reads from the state store), on a client <see cref="Remote.RemoteCoordinateEndpoint"/>
/// (all by RPC to a server).
/// </summary>
public interface ICoordinateEndpoint
{
    /// <summary>
    /// Coordinate.Update: queues a node's coordinate for the next batch. An
    /// <see cref="EndpointException"/> (bad request) for a node not in the catalog, a coordinate
    /// of another dimensionality, or a non-finite one; nothing is queued then.
    /// </summary>
    Task UpdateAsync(CoordinateEntry update, CancellationToken cancellationToken);

    /// <summary>Coordinate.ListNodes: every node's coordinate, blocking on the coordinates table.</summary>
    Task<QueryResult<IReadOnlyList<CoordinateEntry>>> ListNodesAsync(QueryOptions options, CancellationToken cancellationToken);

    /// <summary>Coordinate.Node: one node's coordinates (one per segment; none for an unknown node), blocking.</summary>
    Task<QueryResult<IReadOnlyList<CoordinateEntry>>> NodeAsync(string node, QueryOptions options, CancellationToken cancellationToken);

    /// <summary>Coordinate.ListDatacenters: the WAN coordinates of the servers of every datacenter a server knows.</summary>
    Task<IReadOnlyList<DatacenterCoordinates>> ListDatacentersAsync(CancellationToken cancellationToken);
}

/// <summary>
/// The servers of one datacenter with their WAN coordinates (Consul's structs.DatacenterMap):
/// <see cref="AreaId"/> is <c>wan</c>, the only network area; server nodes are named <c>node.dc</c>.
/// </summary>
public sealed record DatacenterCoordinates(string Datacenter, string AreaId, IReadOnlyList<CoordinateEntry> Coordinates);
