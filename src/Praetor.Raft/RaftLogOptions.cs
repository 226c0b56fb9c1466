using System.Diagnostics.Metrics;
using Praetor.Raft.Core;

namespace Praetor.Raft;

/// <summary>What a <see cref="RaftLog"/> runs: the server, its storage and state machine, how it reaches the others, and its clocks.</summary>
public sealed record RaftLogOptions
{
    /// <summary>This server's Raft id: non-zero, unique in the cluster.</summary>
    public required ulong ServerId { get; init; }

    /// <summary>
    /// The server's log, hard state and snapshots: a <see cref="MemoryRaftStorage"/> or a
    /// <see cref="Storage.FileRaftStorage"/> (<see cref="RaftLog.OpenDataDirectory"/>). The log owns
    /// it from then on: written on the loop only, disposed with the log.
    /// </summary>
    public required IWritableRaftStorage Storage { get; init; }

    /// <summary>Where committed commands are applied, on the loop.</summary>
    public required IStateMachine StateMachine { get; init; }

    /// <summary>Carries messages to the other servers; null for a server that is alone.</summary>
    public IRaftTransport? Transport { get; init; }

    /// <summary>
    /// Server ids' RPC addresses (<c>host:port</c>) known from outside the log (the agent's gossip);
    /// read on every lookup, so a live dictionary may be passed. The addresses the log's own
    /// configuration changes carry take precedence (<see cref="RaftLog.TryGetAddress"/>).
    /// </summary>
    public IReadOnlyDictionary<ulong, string> Addresses { get; init; } = new Dictionary<ulong, string>();

    /// <summary>The core's parameters; its <see cref="RaftOptions.Id"/> is replaced by <see cref="ServerId"/>.</summary>
    public RaftOptions Core { get; init; } = new();

    /// <summary>How often the core's clock ticks (<see cref="RaftLog.DefaultTickInterval"/> for a LAN server).</summary>
    public TimeSpan TickInterval { get; init; } = RaftLog.DefaultTickInterval;

    /// <summary>16,384 entries (Consul's <c>raft_snapshot_threshold</c>): entries applied since the last snapshot before the next one is taken.</summary>
    public ulong SnapshotThreshold { get; init; } = 16_384;

    /// <summary>
    /// 10,240 entries (Consul's <c>raft_trailing_logs</c>): the entries through a snapshot's index
    /// that compaction keeps, so a follower that far behind is sent entries rather than the snapshot.
    /// </summary>
    public ulong TrailingLogs { get; init; } = 10_240;

    /// <summary>30 s (Consul's <c>raft_snapshot_interval</c>): how often the loop checks <see cref="SnapshotThreshold"/>.</summary>
    public TimeSpan SnapshotInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The agent's meter factory; null: a meter of the log's own, ended with it.</summary>
    public IMeterFactory? Meters { get; init; }

    /// <summary>The clock of ticks and of the leader's last contact; <see cref="TimeProvider.System"/> when null.</summary>
    public TimeProvider? Time { get; init; }

    /// <summary>Every problem with these options, empty when they are valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (ServerId == 0) problems.Add("ServerId must be non-zero");
        if (TickInterval <= TimeSpan.Zero) problems.Add($"TickInterval must be positive, got {TickInterval}");
        if (SnapshotThreshold < 1) problems.Add("SnapshotThreshold must be at least 1");
        if (SnapshotInterval <= TimeSpan.Zero) problems.Add($"SnapshotInterval must be positive, got {SnapshotInterval}");
        problems.AddRange((Core with { Id = ServerId == 0 ? 1 : ServerId }).Validate());
        return problems;
    }
}

/// <summary>One server of the Raft configuration, as <c>/v1/operator/raft/configuration</c> and <c>operator raft list-peers</c> show it.</summary>
/// <param name="Id">The server's Raft id.</param>
/// <param name="Address">Its RPC address (<c>host:port</c>), or its id in decimal when no address is known.</param>
/// <param name="Voter">Whether it votes (false: a non-voter catching up).</param>
/// <param name="Leader">Whether this server knows it as the current leader.</param>
public sealed record RaftServer(ulong Id, string Address, bool Voter, bool Leader);

/// <summary>This server's view of the Raft configuration and its log (<see cref="RaftLog.GetConfiguration"/>).</summary>
/// <param name="Servers">The configured servers, voters then non-voters, each by id.</param>
/// <param name="LeaderId">The known leader (0: none).</param>
/// <param name="Term">The current term.</param>
/// <param name="LastIndex">The index of the last entry in this server's log.</param>
/// <param name="CommitIndex">The highest index this server knows committed.</param>
/// <param name="AppliedIndex">The highest index applied to this server's state machine.</param>
public sealed record RaftConfigurationView(IReadOnlyList<RaftServer> Servers, ulong LeaderId, ulong Term, ulong LastIndex, ulong CommitIndex, ulong AppliedIndex);
