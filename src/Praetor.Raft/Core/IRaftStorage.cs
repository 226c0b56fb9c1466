namespace Praetor.Raft.Core;

/// <summary>
/// The stable log the host keeps for the core: the entries persisted from earlier
/// <see cref="Ready"/>s after the latest snapshot, the snapshot, and the hard state. The core
/// only reads it, from the host's thread, between Ready/Advance hand-offs; the host writes it as
/// the Ready contract says. <see cref="MemoryRaftStorage"/> is its in-memory twin.
/// </summary>
/// <remarks>
/// Indexes: the snapshot covers everything through <see cref="SnapshotIndex"/> (0 when there is
/// no snapshot); entries run from <see cref="FirstIndex"/> to <see cref="LastIndex"/>
/// (<c>LastIndex = FirstIndex - 1</c> when empty), and <see cref="FirstIndex"/> is at most
/// <c>SnapshotIndex + 1</c>: entries a snapshot covers may be kept (Consul's trailing logs), so a
/// follower a little behind is sent entries rather than the whole snapshot. The snapshot's term
/// at <see cref="SnapshotIndex"/> is always answered by <see cref="TryGetTerm"/>.
/// </remarks>
public interface IRaftStorage
{
    /// <summary>The persisted hard state and the configuration as of the snapshot (the bootstrap configuration when there is none).</summary>
    (HardState HardState, Configuration Configuration) InitialState();

    /// <summary>The index of the first stored entry (at most <see cref="SnapshotIndex"/> + 1).</summary>
    ulong FirstIndex { get; }

    /// <summary>The index the latest snapshot covers through; 0 when there is none.</summary>
    ulong SnapshotIndex { get; }

    /// <summary>The index of the last stored entry (or the snapshot's index when none follows it).</summary>
    ulong LastIndex { get; }

    /// <summary>The term of the entry at <paramref name="index"/>; false when it is compacted away or beyond the last index.</summary>
    bool TryGetTerm(ulong index, out ulong term);

    /// <summary>
    /// The entries in [<paramref name="low"/>, <paramref name="high"/>), stopping once their
    /// commands total more than <paramref name="bytesMax"/> (at least one entry is returned).
    /// The caller asks only within [<see cref="FirstIndex"/>, <see cref="LastIndex"/> + 1).
    /// </summary>
    IReadOnlyList<LogEntry> Entries(ulong low, ulong high, long bytesMax);

    /// <summary>The latest snapshot; null while none can be sent yet (the leader retries later).</summary>
    RaftSnapshot? Snapshot();
}

/// <summary>
/// <see cref="IRaftStorage"/> with the host's writes, in the order the Ready contract gives
/// them: each is durable when it returns. <see cref="MemoryRaftStorage"/> (in memory) and
/// <see cref="Storage.FileRaftStorage"/> (a directory on disk) implement it.
/// </summary>
public interface IWritableRaftStorage : IRaftStorage
{
    /// <summary>The hard state last persisted.</summary>
    HardState HardState { get; }

    /// <summary>Persists the hard state.</summary>
    void SetHardState(HardState state);

    /// <summary>Appends <paramref name="entries"/>, first dropping stored entries from the first one's index on (a conflicting suffix).</summary>
    void Append(IReadOnlyList<LogEntry> entries);

    /// <summary>Replaces everything with a snapshot received from the leader (a Ready's <see cref="Ready.Snapshot"/>).</summary>
    void ApplySnapshot(RaftSnapshot snapshot);

    /// <summary>
    /// Writes durably the snapshot the host took, without changing what the storage holds: the
    /// slow half of <see cref="CreateSnapshot"/>, which then finds it written. Unlike the other
    /// members it may run on another thread, concurrently with the owner's calls — but not with
    /// <see cref="ApplySnapshot"/>, <see cref="CreateSnapshot"/> or another <see cref="WriteSnapshot"/>.
    /// </summary>
    void WriteSnapshot(RaftSnapshot snapshot);

    /// <summary>
    /// Records a snapshot the host took of its state machine at <paramref name="index"/> (applied),
    /// with the configuration as of that index (<see cref="RaftNode.ConfigurationAt"/>), and drops
    /// the entries it covers except the last <paramref name="trailingLogs"/> through
    /// <paramref name="index"/> (log compaction; a store that drops whole files may keep more). A
    /// follower that needs a dropped entry gets the snapshot.
    /// </summary>
    void CreateSnapshot(ulong index, Configuration configuration, byte[] data, ulong trailingLogs);
}
