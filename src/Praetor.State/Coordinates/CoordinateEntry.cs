using Praetor.Gossip.Serf;

namespace Praetor.State.Coordinates;

/// <summary>
/// The network coordinate of one node in one network segment (Consul's structs.Coordinate):
/// <see cref="Segment"/> is empty for the default segment, the only one Praetor has.
/// </summary>
public sealed record CoordinateEntry(string Node, string Segment, Coordinate Coord);
