namespace Praetor.Gossip.Memberlist.Wire;

/// <summary>
/// One side of a push/pull exchange over TCP: the header, the node states it announced, and the
/// delegate's (Serf's) user state bytes (empty when the header says 0). Decoded arrays are copies
/// the receiver owns.
/// </summary>
public sealed record PushPull(bool Join, IReadOnlyList<PushNodeState> Nodes, byte[] UserState)
{
    /// <summary>The header as it goes on the wire.</summary>
    public PushPullHeader Header => new(Nodes.Count, UserState.Length, Join);
}
