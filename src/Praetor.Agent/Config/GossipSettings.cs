using Praetor.Gossip.Memberlist;

namespace Praetor.Agent.Config;

/// <summary>
/// Consul's <c>gossip_lan</c> / <c>gossip_wan</c>: memberlist parameters set over the pool's
/// defaults (Consul's gossip_lan / gossip_wan, or <c>-dev</c>'s faster timings); a key not given
/// keeps the default.
/// </summary>
public sealed record GossipSettings
{
    /// <summary><c>gossip_nodes</c>: members each gossip tick sends to.</summary>
    public int? GossipNodes { get; init; }

    /// <summary><c>gossip_interval</c>: how often broadcasts are gossiped.</summary>
    public TimeSpan? GossipInterval { get; init; }

    /// <summary><c>probe_interval</c>: the SWIM protocol period.</summary>
    public TimeSpan? ProbeInterval { get; init; }

    /// <summary><c>probe_timeout</c>: the wait for a direct ack before indirect probes.</summary>
    public TimeSpan? ProbeTimeout { get; init; }

    /// <summary><c>retransmit_mult</c>: a broadcast is sent this × ceil(log10(N+1)) times.</summary>
    public int? RetransmitMult { get; init; }

    /// <summary><c>suspicion_mult</c>: the minimum suspicion timeout in probe intervals (× log10 N).</summary>
    public int? SuspicionMult { get; init; }

    /// <summary><paramref name="defaults"/> with every key given here set over it.</summary>
    public GossipOptions ApplyTo(GossipOptions defaults) => defaults with
    {
        GossipNodes = GossipNodes ?? defaults.GossipNodes,
        GossipInterval = GossipInterval ?? defaults.GossipInterval,
        ProbeInterval = ProbeInterval ?? defaults.ProbeInterval,
        ProbeTimeout = ProbeTimeout ?? defaults.ProbeTimeout,
        RetransmitMult = RetransmitMult ?? defaults.RetransmitMult,
        SuspicionMult = SuspicionMult ?? defaults.SuspicionMult,
    };
}
