namespace Praetor.Raft.Core;

/// <summary>The state a server must persist before it answers anyone (§5, Figure 2): current term, vote, and commit index.</summary>
public readonly record struct HardState(ulong Term, ulong Vote, ulong Commit);

/// <summary>A server's role.</summary>
public enum RaftRole : byte
{
    /// <summary>Follows a leader (or waits for one).</summary>
    Follower,

    /// <summary>Asks for pre-votes; its term is unchanged until a quorum would vote for it.</summary>
    PreCandidate,

    /// <summary>Asks for votes in a new term.</summary>
    Candidate,

    /// <summary>Leads the current term.</summary>
    Leader,
}

/// <summary>Volatile state for the host to report (leader known, role); never persisted.</summary>
public readonly record struct SoftState(ulong Leader, RaftRole Role);

/// <summary>
/// A confirmed read: state read once the host has applied through <see cref="Index"/> is
/// linearizable for the read identified by <see cref="RequestId"/> (the host's own id).
/// </summary>
public readonly record struct ReadState(ulong Index, ulong RequestId);

/// <summary>The metadata of a snapshot: the last index and term it covers and the configuration as of that index.</summary>
public sealed record SnapshotMetadata(ulong Index, ulong Term, Configuration Configuration);

/// <summary>A snapshot: its metadata and the state machine's encoded state (opaque to the core).</summary>
public sealed record RaftSnapshot(SnapshotMetadata Metadata, byte[] Data);

/// <summary>
/// One batch of work the core hands to its host (etcd's Ready). The host follows it field by
/// field, in this order, then calls <see cref="RaftNode.Advance"/> with it:
/// <list type="number">
/// <item><b>Persist durably</b> (fsync) <see cref="Snapshot"/> if set, then <see cref="HardState"/>
/// if set, then <see cref="Entries"/> (which replace any stored entries from the first one's
/// index on). Nothing of it may be skipped or reordered: a vote or an acknowledged entry that is
/// lost in a crash lets two leaders be elected or a committed entry vanish.</item>
/// <item><b>Send</b> <see cref="Messages"/>, only after step 1 is durable: responses in it promise
/// that the vote and entries are on disk.</item>
/// <item><b>Apply</b> <see cref="CommittedEntries"/> in order (restoring <see cref="Snapshot"/>
/// into the state machine first), and serve <see cref="ReadStates"/> once applied through their index.</item>
/// <item>Report <see cref="SoftState"/> if set (leader changes).</item>
/// <item>Call <see cref="RaftNode.Advance"/>: the core then counts the entries as stable (the
/// leader counts its own copy toward commit only now) and the committed entries as applied.</item>
/// </list>
/// The host must not call <see cref="RaftNode.Ready"/> again before it has advanced past the last one.
/// </summary>
public sealed record Ready
{
    /// <summary>Leader and role, when they changed since the last Ready; otherwise null.</summary>
    public SoftState? SoftState { get; init; }

    /// <summary>Term, vote and commit to persist, when they changed; otherwise null.</summary>
    public HardState? HardState { get; init; }

    /// <summary>A snapshot received from the leader to persist and restore; otherwise null.</summary>
    public RaftSnapshot? Snapshot { get; init; }

    /// <summary>Entries to append to stable storage, truncating any stored entries from the first one's index.</summary>
    public IReadOnlyList<LogEntry> Entries { get; init; } = [];

    /// <summary>Messages to send once everything above is durable.</summary>
    public IReadOnlyList<RaftMessage> Messages { get; init; } = [];

    /// <summary>Committed entries to apply, in order (noop and config-change entries included; the host skips them for the state machine).</summary>
    public IReadOnlyList<LogEntry> CommittedEntries { get; init; } = [];

    /// <summary>Read-index reads confirmed since the last Ready.</summary>
    public IReadOnlyList<ReadState> ReadStates { get; init; } = [];
}
