namespace Praetor.Raft.Core;

/// <summary>
/// <see cref="IRaftStorage"/> in memory: the twin of the write-ahead log for tests, the
/// simulation and <c>-dev</c>. The host's writes (<see cref="SetHardState"/>, <see cref="Append"/>,
/// <see cref="ApplySnapshot"/>, <see cref="CreateSnapshot"/>) are "durable" the moment they return.
/// Not thread-safe: its owner serializes access.
/// </summary>
public sealed class MemoryRaftStorage : IWritableRaftStorage
{
    private readonly List<LogEntry> _entries = [];
    private HardState _hardState;
    private RaftSnapshot _snapshot;
    private ulong _firstIndex;

    /// <summary>
    /// Storage whose state as of index 0 has <paramref name="configuration"/> and nothing logged.
    /// A server that joins an existing cluster starts with an empty configuration
    /// (<see cref="Empty"/>) and learns the cluster's from the leader's log or snapshot; the first
    /// servers of a cluster start from <see cref="Bootstrap"/>.
    /// </summary>
    public MemoryRaftStorage(Configuration configuration)
    {
        _snapshot = new RaftSnapshot(new SnapshotMetadata(0, 0, configuration), []);
        _firstIndex = 1;
    }

    /// <summary>A server that will be added to an existing cluster: no configuration, nothing logged.</summary>
    public static MemoryRaftStorage Empty() => new(new Configuration([], []));

    /// <summary>
    /// The storage of one of a new cluster's first servers (every one of them bootstraps with the
    /// same <paramref name="configuration"/>): one committed <see cref="ConfigChangeType.AddVoter"/>
    /// entry of term 1 per voter, in id order, so that servers added later learn the initial
    /// configuration from the log like any other change (as etcd's bootstrap does).
    /// </summary>
    public static MemoryRaftStorage Bootstrap(Configuration configuration)
    {
        var storage = Empty();
        var entries = BootstrapEntries(configuration);
        storage.Append(entries);
        storage.SetHardState(BootstrapHardState(entries));
        return storage;
    }

    /// <summary>
    /// The entries a first server of a new cluster starts with (see <see cref="Bootstrap"/>); each
    /// voter's change carries its context from <paramref name="contexts"/> (the host's address), empty when absent.
    /// </summary>
    internal static List<LogEntry> BootstrapEntries(Configuration configuration, IReadOnlyDictionary<ulong, byte[]>? contexts = null)
    {
        var entries = new List<LogEntry>();
        foreach (var voter in configuration.Voters)
        {
            var context = contexts is not null && contexts.TryGetValue(voter, out var bytes) ? bytes : [];
            entries.Add(new LogEntry(1, (ulong)entries.Count + 1, LogEntryType.ConfigChange, new ConfigChange(ConfigChangeType.AddVoter, voter, context).Encode()));
        }
        return entries;
    }

    /// <summary>The hard state that goes with <see cref="BootstrapEntries"/>: term 1, every bootstrap entry committed.</summary>
    internal static HardState BootstrapHardState(List<LogEntry> entries) => new(1, 0, (ulong)entries.Count);

    /// <inheritdoc/>
    public (HardState HardState, Configuration Configuration) InitialState() => (_hardState, _snapshot.Metadata.Configuration);

    /// <inheritdoc/>
    public HardState HardState => _hardState;

    /// <inheritdoc/>
    public ulong FirstIndex => _firstIndex;

    /// <inheritdoc/>
    public ulong SnapshotIndex => _snapshot.Metadata.Index;

    /// <inheritdoc/>
    public ulong LastIndex => _firstIndex + (ulong)_entries.Count - 1;

    /// <inheritdoc/>
    public bool TryGetTerm(ulong index, out ulong term)
    {
        term = 0;
        if (index == _snapshot.Metadata.Index) { term = _snapshot.Metadata.Term; return true; }
        if (index < FirstIndex || index > LastIndex) return false;
        term = _entries[(int)(index - FirstIndex)].Term;
        return true;
    }

    /// <inheritdoc/>
    public IReadOnlyList<LogEntry> Entries(ulong low, ulong high, long bytesMax)
    {
        if (low < FirstIndex || high > LastIndex + 1 || low > high)
        {
            throw new ArgumentOutOfRangeException(nameof(low), $"entries [{low}, {high}) outside the stored [{FirstIndex}, {LastIndex + 1})");
        }
        return RaftLog.LimitBytes(_entries, (int)(low - FirstIndex), (int)(high - low), bytesMax);
    }

    /// <inheritdoc/>
    public RaftSnapshot? Snapshot() => _snapshot;

    /// <inheritdoc/>
    public void SetHardState(HardState state) => _hardState = state;

    /// <inheritdoc/>
    public void Append(IReadOnlyList<LogEntry> entries)
    {
        if (entries.Count == 0) return;
        var first = entries[0].Index;
        if (first > LastIndex + 1) throw new InvalidOperationException($"log gap: appending {first} after {LastIndex}");
        if (first <= SnapshotIndex) throw new InvalidOperationException($"appending {first} at or below the snapshot at {SnapshotIndex}");
        _entries.RemoveRange((int)(first - FirstIndex), (int)(LastIndex + 1 - first));
        _entries.AddRange(entries);
    }

    /// <inheritdoc/>
    public void ApplySnapshot(RaftSnapshot snapshot)
    {
        if (snapshot.Metadata.Index < _snapshot.Metadata.Index) throw new InvalidOperationException($"snapshot {snapshot.Metadata.Index} is older than the stored {_snapshot.Metadata.Index}");
        _snapshot = snapshot;
        _entries.Clear();
        _firstIndex = snapshot.Metadata.Index + 1;
    }

    /// <summary>Nothing to write ahead: <see cref="CreateSnapshot"/> keeps the snapshot in memory.</summary>
    public void WriteSnapshot(RaftSnapshot snapshot)
    {
    }

    /// <inheritdoc/>
    public void CreateSnapshot(ulong index, Configuration configuration, byte[] data, ulong trailingLogs)
    {
        if (index <= _snapshot.Metadata.Index || !TryGetTerm(index, out var term))
        {
            throw new InvalidOperationException($"cannot snapshot at {index}: the stored log is ({_snapshot.Metadata.Index}, {LastIndex}]");
        }
        var keepFrom = Math.Max(_firstIndex, index + 1 - Math.Min(trailingLogs, index));
        _entries.RemoveRange(0, (int)(keepFrom - _firstIndex));
        _firstIndex = keepFrom;
        _snapshot = new RaftSnapshot(new SnapshotMetadata(index, term, configuration), data);
    }
}
