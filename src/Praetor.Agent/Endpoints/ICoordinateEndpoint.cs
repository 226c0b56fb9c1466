using Praetor.Gossip.Serf;
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

/// <summary>Datacenters ordered by distance, as Consul's router (GetDatacentersByDistance) orders them.</summary>
public static class DatacenterDistance
{
    /// <summary>
    /// The datacenters of <paramref name="maps"/>, nearest first: by the median of the estimated
    /// round trips from <paramref name="self"/> to each of a datacenter's servers; a datacenter with
    /// no coordinate of a compatible dimensionality last; ties by name.
    /// </summary>
    public static IEnumerable<string> Order(Coordinate self, IEnumerable<DatacenterCoordinates> maps)
    {
        ArgumentNullException.ThrowIfNull(self);
        return maps
            .Select(map => (map.Datacenter, Rtt: MedianRtt(self, map.Coordinates)))
            .OrderBy(d => d.Rtt)
            .ThenBy(d => d.Datacenter, StringComparer.Ordinal)
            .Select(d => d.Datacenter);
    }

    private static double MedianRtt(Coordinate self, IReadOnlyList<CoordinateEntry> servers)
    {
        var rtts = servers.Where(s => s.Coord.IsCompatibleWith(self)).Select(s => self.DistanceTo(s.Coord)).Order().ToList();
        return rtts.Count == 0 ? double.PositiveInfinity : rtts[rtts.Count / 2];
    }
}
