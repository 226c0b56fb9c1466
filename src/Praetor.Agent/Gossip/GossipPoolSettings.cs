using System.Net;
using Microsoft.Extensions.Logging;
using Praetor.Gossip;
using Praetor.Gossip.Memberlist;
using Praetor.Gossip.Memberlist.Wire;
using Praetor.Gossip.Serf;

namespace Praetor.Agent.Gossip;

/// <summary>Which of Consul's gossip pools: the LAN pool of every agent of a datacenter, or the WAN pool of every server of every datacenter.</summary>
public enum GossipArea
{
    Lan,
    Wan,
}

/// <summary>
/// What the agent asks of one gossip pool: which pool, the member's name (<c>node</c> on the LAN,
/// <c>node.dc</c> on the WAN), where to bind (port 0 picks a free one), what to advertise (null:
/// the bound address and port), Consul's member tags, the protocol parameters, the gossip keys,
/// and Serf's snapshot.
/// </summary>
public sealed record GossipPoolSettings(
    GossipArea Area,
    string NodeName,
    IPEndPoint Bind,
    IPEndPoint? Advertise,
    IReadOnlyDictionary<string, string> Tags,
    GossipOptions Gossip,
    SerfOptions Serf,
    Keyring? Keyring,
    ILogger? Log)
{
    /// <summary>Serf's snapshot file (see <c>GossipPool.SnapshotPath</c>); null (-dev, as Consul) keeps none.</summary>
    public string? SnapshotPath { get; init; }

    /// <summary>Rejoin the snapshot's members after a graceful leave too (<c>rejoin_after_leave</c>).</summary>
    public bool RejoinAfterLeave { get; init; }

    /// <summary>Where the pool keeps its keyring (Consul's <c>&lt;data_dir&gt;/serf/local.keyring</c>, <c>remote.keyring</c> on the WAN); null: in memory only.</summary>
    public string? KeyringFile { get; init; }

    /// <summary>The agent's meter factory, on which the pool creates its meter; null: the pool's own.</summary>
    public System.Diagnostics.Metrics.IMeterFactory? MeterFactory { get; init; }
}

/// <summary>Starts a gossip pool (the real <c>SerfPool</c>, or a test's fake); throws when it cannot bind.</summary>
public delegate Task<ISerfPool> SerfPoolFactory(GossipPoolSettings settings, TimeProvider time, CancellationToken cancellationToken);

/// <summary>A gossip pool could not start (its port taken, its address not local): the agent cannot run.</summary>
public sealed class GossipPoolStartException(string message, Exception? inner) : Exception(message, inner);
