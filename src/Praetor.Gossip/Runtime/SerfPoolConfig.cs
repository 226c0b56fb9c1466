using System.Net;
using Microsoft.Extensions.Logging;
using Praetor.Gossip.Memberlist;
using Praetor.Gossip.Memberlist.Wire;
using Praetor.Gossip.Serf;

namespace Praetor.Gossip;

/// <summary>
/// What a <see cref="SerfPool"/> needs to start: its name, where it listens, what it advertises,
/// its tags, the protocol parameters of both layers and (optionally) the gossip keyring.
/// </summary>
/// <param name="NodeName">This node's name in the pool (unique in the pool).</param>
/// <param name="Bind">The address and port of the UDP socket and the TCP listener (the same port for both); port 0 picks a free port.</param>
public sealed record SerfPoolConfig(string NodeName, IPEndPoint Bind)
{
    /// <summary>The address others reach us at; null: the bind address (a wildcard bind advertises the first non-loopback IPv4 address). A port of 0 means the bound port.</summary>
    public IPEndPoint? Advertise { get; init; }

    /// <summary>Serf tags carried in the node meta (at most 512 bytes encoded).</summary>
    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();

    /// <summary>memberlist's parameters (LAN by default; <see cref="GossipOptions.Local"/> for loopback tests). The encryption overhead is set by the pool when a keyring is given.</summary>
    public GossipOptions GossipOptions { get; init; } = GossipOptions.Lan();

    /// <summary>
    /// Serf's parameters. The default speaks Serf protocol 5, as the real <c>serf agent</c>
    /// advertises it (versions 1,5,2,2,5,5); the delegate's current version is taken from here.
    /// </summary>
    public SerfOptions SerfOptions { get; init; } = new() { ProtocolVersion = SerfOptions.ProtocolVersionMax };

    /// <summary>Encrypts and authenticates every packet and stream with the primary key (any key decrypts) when set; null gossips in plaintext.</summary>
    public Keyring? Keyring { get; init; }

    /// <summary>
    /// Where the keyring is written (atomically) after every change by a keyring query, as Serf's
    /// KeyringFile (<see cref="KeyringFile"/>); null keeps changes in memory only.
    /// </summary>
    public string? KeyringFile { get; init; }

    /// <summary>Where the pool logs joins, failures and dropped input; null logs nothing.</summary>
    public ILogger? Logger { get; init; }

    /// <summary>5 s: how long a leave waits for each of its broadcasts (the leave intent, then memberlist's dead message) to be sent its last time (Serf's BroadcastTimeout).</summary>
    public TimeSpan BroadcastTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>1 s: after the leave broadcasts, time for them to reach the rest of the pool (Serf's LeavePropagateDelay).</summary>
    public TimeSpan LeavePropagateDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// 1 s: the longest the pool goes without advancing the cores' clocks. The pool ticks the
    /// cores at their own next deadline (a probe phase, a gossip beat, a suspicion timeout...),
    /// so this bounds only a quiet pool's sleep.
    /// </summary>
    public TimeSpan IdleTickInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>128: TCP connections served at once; more are closed at accept (memberlist's maxPushPullRequests).</summary>
    public int TcpConnectionsMax { get; init; } = 128;

    /// <summary>4096: events kept for a slow reader of <see cref="ISerfPool.Events"/>; beyond it the oldest are dropped.</summary>
    public int EventQueueEventsMax { get; init; } = 4096;

    /// <summary>
    /// Serf's snapshot file (SnapshotPath): members and clocks are appended to it while the pool
    /// runs, and at start the clocks are restored from it and the members alive at its end are
    /// rejoined; null keeps no snapshot.
    /// </summary>
    public string? SnapshotPath { get; init; }

    /// <summary>Rejoin the snapshot's members even when it ends with a graceful leave (RejoinAfterLeave); off by default.</summary>
    public bool RejoinAfterLeave { get; init; }

    /// <summary>Compress packets (when that makes them smaller) and streams with LZW, as memberlist's EnableCompression; off by default.</summary>
    public bool Compress { get; init; }

    /// <summary>
    /// Where the pool's meter (<see cref="GossipStatistics.MeterName"/>) comes from: the agent's
    /// factory, so that its sink collects this pool; null: a meter of the pool's own, disposed with it.
    /// </summary>
    public System.Diagnostics.Metrics.IMeterFactory? MeterFactory { get; init; }
}
