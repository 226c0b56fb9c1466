namespace Praetor.Raft.Core;

/// <summary>
/// The parameters of one <see cref="RaftNode"/>. Time is counted in ticks: the host calls
/// <see cref="RaftNode.Tick"/> at a fixed interval; at a 100 ms tick the defaults below are a 1 s
/// election timeout (Consul's at raft_multiplier 1) and 100 ms heartbeats. Validate once with
/// <see cref="Validate"/>; the core assumes a valid record.
/// </summary>
public sealed record RaftOptions
{
    /// <summary>This server's id: non-zero (0 means "none" in votes and leader ids), unique in the cluster.</summary>
    public ulong Id { get; init; }

    /// <summary>10 ticks: a follower that hears no leader for a random timeout in [T, 2T) ticks starts a (pre-)election; also the check-quorum period and the leader-stickiness window.</summary>
    public int ElectionTicks { get; init; } = 10;

    /// <summary>1 tick: the leader sends heartbeats this often; well below <see cref="ElectionTicks"/> so a few lost ones do not cost an election.</summary>
    public int HeartbeatTicks { get; init; } = 1;

    /// <summary>
    /// 2 ticks: the margin the leader lease keeps for clock drift and tick granularity. A leader's
    /// lease lasts <see cref="ElectionTicks"/> − this from the tick before it sent a heartbeat that a
    /// quorum acknowledged; a follower that received it refuses votes for at least
    /// <see cref="ElectionTicks"/> − 1 of its own tick periods (its next tick may come at once). So
    /// one tick of the margin goes to that rounding, and the rest to drift: the default allows
    /// clocks that drift less than 10% over the default election timeout (1 of 10 ticks). Scale it
    /// with <see cref="ElectionTicks"/>.
    /// </summary>
    public int LeaseClockDriftTicks { get; init; } = 2;

    /// <summary>64 entries: the most entries one AppendEntries carries (batching bounds a message's size and the follower's work per step).</summary>
    public int AppendEntriesBatchEntriesMax { get; init; } = 64;

    /// <summary>1 MiB: the most command bytes one AppendEntries carries (one entry is always sent, however large).</summary>
    public long AppendEntriesBatchBytesMax { get; init; } = 1 << 20;

    /// <summary>256 messages: AppendEntries in flight to one follower in replicate state before the leader waits for acknowledgements (pipelining window).</summary>
    public int InflightAppendsMax { get; init; } = 256;

    /// <summary>4 MiB: the most bytes of committed entries one <see cref="Ready"/> hands over to apply.</summary>
    public long ApplyBatchBytesMax { get; init; } = 4 << 20;

    /// <summary>Off: planted bugs for the simulation to find. Test-only; see <see cref="RaftFaults"/>.</summary>
    public RaftFaults Faults { get; init; } = RaftFaults.None;

    /// <summary>Every problem with these options, empty when they are valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (Id == 0) problems.Add("Id must be non-zero");
        if (HeartbeatTicks < 1) problems.Add($"HeartbeatTicks must be at least 1, got {HeartbeatTicks}");
        if (ElectionTicks <= HeartbeatTicks) problems.Add($"ElectionTicks ({ElectionTicks}) must exceed HeartbeatTicks ({HeartbeatTicks})");
        if (LeaseClockDriftTicks < 0 || LeaseClockDriftTicks >= ElectionTicks) problems.Add($"LeaseClockDriftTicks must be in [0, ElectionTicks), got {LeaseClockDriftTicks}");
        if (AppendEntriesBatchEntriesMax < 1) problems.Add($"AppendEntriesBatchEntriesMax must be at least 1, got {AppendEntriesBatchEntriesMax}");
        if (AppendEntriesBatchBytesMax < 1) problems.Add($"AppendEntriesBatchBytesMax must be at least 1, got {AppendEntriesBatchBytesMax}");
        if (InflightAppendsMax < 1) problems.Add($"InflightAppendsMax must be at least 1, got {InflightAppendsMax}");
        if (ApplyBatchBytesMax < 1) problems.Add($"ApplyBatchBytesMax must be at least 1, got {ApplyBatchBytesMax}");
        return problems;
    }
}

/// <summary>
/// TEST-ONLY switches that plant known bugs, so that issue 6's simulation can show it finds each
/// one. Every switch is off in <see cref="None"/>, the only value production code uses.
/// </summary>
public sealed record RaftFaults
{
    /// <summary>No planted bug (the default).</summary>
    public static RaftFaults None { get; } = new();

    /// <summary>
    /// Acknowledge before fsync. The core counts the leader's own entries as durable as soon as
    /// they are appended (not after <see cref="RaftNode.Advance"/>); a host that honours this
    /// flag also sends a <see cref="Ready"/>'s messages before persisting its entries and hard state.
    /// </summary>
    public bool AcknowledgeBeforeFsync { get; init; }

    /// <summary>Accept an AppendEntries whose term is below the current term (breaks §5.1's term check).</summary>
    public bool AcceptStaleTermAppend { get; init; }

    /// <summary>Serve a default-mode (lease) read on a leader whose lease has expired or was never held.</summary>
    public bool ServeReadWithoutLease { get; init; }

    /// <summary>Hand entries over to apply as soon as they are in the log, before they are committed.</summary>
    public bool ApplyBeforeCommit { get; init; }

    /// <summary>Count every granting vote response, so a duplicated response counts its voter twice.</summary>
    public bool CountVoteTwice { get; init; }
}
