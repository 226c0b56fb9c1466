using System.Net;
using System.Threading.Channels;
using Praetor.Gossip.Memberlist.Wire;
using Praetor.Gossip.Serf;

namespace Praetor.Gossip;

/// <summary>
/// A running gossip pool (Serf over memberlist) as the agent uses it: the LAN pool every agent
/// joins, or the WAN pool of servers. Implemented by <c>SerfPool</c> over UDP and TCP; tests of
/// the agent may use a fake. Every member is safe to call from any thread.
/// </summary>
public interface ISerfPool : IAsyncDisposable
{
    /// <summary>The address and port other members reach this one at (the advertise address).</summary>
    IPEndPoint AdvertiseEndpoint { get; }

    /// <summary>This node's Vivaldi network coordinate, moved by every direct probe's RTT (Serf's GetCoordinate).</summary>
    Coordinate LocalCoordinate { get; }

    /// <summary>The coordinate last heard from <paramref name="node"/> in a ping ack (this node's own included), if any (Serf's GetCachedCoordinate).</summary>
    Coordinate? CachedCoordinate(string node);

    /// <summary>Every member this node knows, itself included, with its status and tags.</summary>
    IReadOnlyList<SerfMember> Members();

    /// <summary>
    /// Joins the pool through the given agents (<c>host:port</c>, or an IP with the default Serf
    /// port), each tried in turn; returns how many answered. Throws <see cref="GossipException"/>
    /// naming every address that failed when none answered.
    /// </summary>
    Task<int> JoinAsync(IReadOnlyList<string> addresses, bool ignoreOldEvents, CancellationToken cancellationToken);

    /// <summary>Leaves gracefully: broadcasts the intent, waits for it to spread (bounded), then stops gossiping.</summary>
    Task LeaveAsync(CancellationToken cancellationToken);

    /// <summary>Marks a failed member as left (<paramref name="prune"/>: forgets it at once); false when no such member.</summary>
    bool ForceLeave(string node, bool prune);

    /// <summary>Replaces this node's tags and gossips the update; a clear error (over 512 bytes encoded) as <see cref="GossipException"/>.</summary>
    void SetTags(IReadOnlyDictionary<string, string> tags);

    /// <summary>Fires a user event; throws <see cref="GossipException"/> with Serf's message when the name and payload are too large.</summary>
    void FireUserEvent(string name, byte[] payload, bool coalesce);

    /// <summary>Member and user events as the pool delivers them (after coalescing), for handlers and catalog reconciliation.</summary>
    ChannelReader<SerfEvent> Events { get; }

    /// <summary>
    /// Sends a query to the pool (Serf.Query; <paramref name="param"/> null: Serf's defaults) and
    /// returns its collector: acks (when requested) and one response per node until the deadline.
    /// Throws <see cref="GossipException"/> with Serf's message when the query is too large.
    /// </summary>
    Task<SerfQueryResponse> QueryAsync(string name, byte[]? payload, QueryParam? param, CancellationToken cancellationToken);

    /// <summary>
    /// Runs a keyring operation across the pool as Serf's KeyManager (list, or install/use/remove
    /// of the base64 <paramref name="key"/>) and adds up the answers; the response's Error is set
    /// when a node failed or not every node answered. Throws <see cref="GossipException"/> for a
    /// key that is not base64.
    /// </summary>
    Task<KeyringResponse> KeyringAsync(KeyringOperation operation, string? key, byte relayFactor, CancellationToken cancellationToken);

    /// <summary>The gossip encryption keys in use (primary first); null when gossip is not encrypted.</summary>
    Keyring? Keyring { get; }
}

/// <summary>An operating error of the gossip pool, with a message for the user (a failed join, tags too large, an event too large).</summary>
public sealed class GossipException(string message) : Exception(message);
