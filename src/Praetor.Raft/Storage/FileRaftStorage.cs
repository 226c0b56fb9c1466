using Praetor.Raft.Core;

namespace Praetor.Raft.Storage;

/// <summary>
/// <see cref="IWritableRaftStorage"/> over a directory (the agent's <c>&lt;data_dir&gt;/raft</c>):
/// <list type="bullet">
/// <item><c>wal/</c>: the write-ahead log, segment files of at most
/// <see cref="FileRaftStorageOptions.SegmentBytesMax"/> named by their first index
/// (<see cref="WalSegment"/>). An append writes the batch and fsyncs it before it returns; a
/// conflicting suffix is cut off the file (and later segments deleted, the directory fsynced)
/// before the new entries are written.</item>
/// <item><c>state</c>: the hard state, replaced atomically (<see cref="StableStateFile"/>).</item>
/// <item><c>snapshots/&lt;term&gt;-&lt;index&gt;/</c>: the latest
/// <see cref="FileRaftStorageOptions.SnapshotsRetained"/> snapshots, each written atomically with
/// checksums (<see cref="SnapshotFiles"/>). Taking one deletes the segments wholly below the
/// trailing entries it keeps; the entries of the segments left stay readable
/// (<see cref="FirstIndex"/> is the first segment's first index).</item>
/// </list>
/// Opening recovers: segments are read in order; a torn tail of the last segment (a write that
/// never returned, so was never acknowledged) is cut off and listed in <see cref="Warnings"/>;
/// any other damage — a bad checksum before the end, a gap in the indexes, a bad state or
/// snapshot file — throws a <see cref="RaftStorageException"/> naming the file and offset.
/// Memory: 16 bytes per stored entry (term and record offset) and the latest snapshot's data;
/// commands are read from the files when asked for. Not thread-safe: its owner serializes access.
/// </summary>
public sealed class FileRaftStorage : IWritableRaftStorage, IDisposable
{
    private readonly string _walDirectory;
    private readonly string _snapshotDirectory;
    private readonly string _statePath;
    private readonly FileRaftStorageOptions _options;
    private readonly bool _fsync;
    private readonly List<WalSegment> _segments = [];
    private readonly List<string> _warnings = [];
    private HardState _hardState;
    private HardState _durableHardState;
    private RaftSnapshot _snapshot;
    private ulong _lastIndex;

    private FileRaftStorage(string directory, FileRaftStorageOptions options)
    {
        Directory = directory;
        _options = options;
        _fsync = !options.Faults.AcknowledgeBeforeFsync;
        _walDirectory = Path.Combine(directory, "wal");
        _snapshotDirectory = Path.Combine(directory, "snapshots");
        _statePath = Path.Combine(directory, "state");
        _snapshot = new RaftSnapshot(new SnapshotMetadata(0, 0, new Configuration([], [])), []);
    }

    /// <summary>The storage directory.</summary>
    public string Directory { get; }

    /// <summary>What recovery repaired at opening (torn tails cut off, interrupted snapshot writes removed), for the host to log.</summary>
    public IReadOnlyList<string> Warnings => _warnings;

    /// <summary>
    /// Opens the storage in <paramref name="directory"/>, creating it empty (no configuration,
    /// nothing logged: a server to be added to a cluster) when there is none, and recovers it.
    /// </summary>
    /// <exception cref="RaftStorageException">The stored state is damaged beyond a torn tail.</exception>
    /// <exception cref="ArgumentException"><paramref name="options"/> are invalid (every problem listed).</exception>
    public static FileRaftStorage Open(string directory, FileRaftStorageOptions? options = null)
    {
        options ??= new FileRaftStorageOptions();
        if (options.Validate() is { Count: > 0 } problems) throw new ArgumentException(string.Join("; ", problems), nameof(options));
        var storage = new FileRaftStorage(directory, options);
        try
        {
            storage.Recover();
            return storage;
        }
        catch
        {
            storage.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Creates the storage of one of a new cluster's first servers in <paramref name="directory"/>,
    /// as <see cref="MemoryRaftStorage.Bootstrap"/> does; refuses a directory that already holds a log or state.
    /// </summary>
    public static FileRaftStorage Bootstrap(string directory, Configuration configuration, FileRaftStorageOptions? options = null)
    {
        var storage = Open(directory, options);
        if (storage.LastIndex != 0 || storage._hardState != default)
        {
            storage.Dispose();
            throw new InvalidOperationException($"{directory}: cannot bootstrap, it already holds Raft state (last index {storage.LastIndex}, term {storage._hardState.Term})");
        }
        var entries = MemoryRaftStorage.BootstrapEntries(configuration);
        storage.Append(entries);
        var bootstrapped = MemoryRaftStorage.BootstrapHardState(entries);
        storage.WriteHardState(bootstrapped);
        storage._hardState = bootstrapped;
        return storage;
    }

    /// <inheritdoc/>
    public HardState HardState => _hardState;

    /// <inheritdoc/>
    public (HardState HardState, Configuration Configuration) InitialState() => (_hardState, _snapshot.Metadata.Configuration);

    /// <inheritdoc/>
    public ulong FirstIndex => _segments.Count > 0 ? Math.Min(_segments[0].FirstIndex, SnapshotIndex + 1) : SnapshotIndex + 1;

    /// <inheritdoc/>
    public ulong SnapshotIndex => _snapshot.Metadata.Index;

    /// <inheritdoc/>
    public ulong LastIndex => _lastIndex;

    /// <inheritdoc/>
    public bool TryGetTerm(ulong index, out ulong term)
    {
        term = 0;
        if (index == _snapshot.Metadata.Index) { term = _snapshot.Metadata.Term; return true; }
        if (index < FirstIndex || index > LastIndex) return false;
        term = SegmentOf(index).TermAt(index);
        return true;
    }

    /// <inheritdoc/>
    public IReadOnlyList<LogEntry> Entries(ulong low, ulong high, long bytesMax)
    {
        if (low < FirstIndex || high > LastIndex + 1 || low > high)
        {
            throw new ArgumentOutOfRangeException(nameof(low), $"entries [{low}, {high}) outside the stored [{FirstIndex}, {LastIndex + 1})");
        }
        var result = new List<LogEntry>((int)Math.Min(high - low, 64));
        long total = 0;
        for (var index = low; index < high; index++)
        {
            var segment = SegmentOf(index);
            // The same measure as RaftLog.EntryBytes, known from the record's extent before reading it.
            total += segment.CommandBytes(index) + 24;
            if (result.Count > 0 && total > bytesMax) break;
            result.Add(segment.Read(index));
        }
        return result;
    }

    /// <inheritdoc/>
    public RaftSnapshot? Snapshot() => _snapshot;

    /// <summary>
    /// Persists the hard state when its term or vote changed: those are promises (a term seen, a
    /// vote given) that must be on disk before a message says so. The commit index alone is Raft's
    /// volatile state — a restarted server learns it again from the leader, or commits its own no-op
    /// entry — so a change of it alone is kept in memory and written with the next term or vote
    /// change and at <see cref="Dispose"/>, instead of costing an atomic file replace (three fsyncs)
    /// per commit.
    /// </summary>
    public void SetHardState(HardState state)
    {
        if (state.Term != _durableHardState.Term || state.Vote != _durableHardState.Vote)
        {
            WriteHardState(state);
        }
        _hardState = state;
    }

    private void WriteHardState(HardState state)
    {
        StableStateFile.Write(_statePath, state, _fsync);
        _durableHardState = state;
    }

    /// <inheritdoc/>
    public void Append(IReadOnlyList<LogEntry> entries)
    {
        if (entries.Count == 0) return;
        var first = entries[0].Index;
        if (first > LastIndex + 1) throw new InvalidOperationException($"log gap: appending {first} after {LastIndex}");
        if (first <= SnapshotIndex) throw new InvalidOperationException($"appending {first} at or below the snapshot at {SnapshotIndex}");
        for (var i = 1; i < entries.Count; i++)
        {
            if (entries[i].Index != first + (ulong)i) throw new InvalidOperationException($"entries not contiguous: {entries[i].Index} follows {entries[i - 1].Index}");
        }
        if (first <= LastIndex) TruncateFrom(first);

        var start = 0;
        while (start < entries.Count)
        {
            var segment = ActiveSegmentFor(entries[start]);
            var room = _options.SegmentBytesMax - segment.Length;
            var end = start;
            long bytes = 0;
            while (end < entries.Count && ((end == start && segment.Count == 0) || bytes + WalSegment.RecordBytes(entries[end]) <= room))
            {
                bytes += WalSegment.RecordBytes(entries[end]);
                end++;
            }
            if (end == start)
            {
                Roll(entries[start].Index);
                continue;
            }
            var buffer = new byte[bytes];
            var offset = 0;
            var batch = new List<LogEntry>(end - start);
            for (var i = start; i < end; i++)
            {
                var size = (int)WalSegment.RecordBytes(entries[i]);
                WalSegment.Encode(entries[i], buffer.AsSpan(offset, size));
                offset += size;
                batch.Add(entries[i]);
            }
            segment.Write(buffer, batch, _fsync);
            _lastIndex = entries[end - 1].Index;
            start = end;
        }
    }

    /// <inheritdoc/>
    public void ApplySnapshot(RaftSnapshot snapshot)
    {
        if (snapshot.Metadata.Index < _snapshot.Metadata.Index) throw new InvalidOperationException($"snapshot {snapshot.Metadata.Index} is older than the stored {_snapshot.Metadata.Index}");
        SaveSnapshot(snapshot);
        // The snapshot replaces the whole log; a crash before these deletions is repaired at recovery.
        DeleteSegments(_segments.Count);
        _lastIndex = snapshot.Metadata.Index;
    }

    /// <summary>Writes the snapshot's directory (<see cref="SnapshotFiles"/>), which <see cref="CreateSnapshot"/> then keeps as written.</summary>
    public void WriteSnapshot(RaftSnapshot snapshot) => SnapshotFiles.Write(_snapshotDirectory, snapshot, _fsync);

    /// <inheritdoc/>
    public void CreateSnapshot(ulong index, Configuration configuration, byte[] data, ulong trailingLogs)
    {
        if (index <= _snapshot.Metadata.Index || !TryGetTerm(index, out var term))
        {
            throw new InvalidOperationException($"cannot snapshot at {index}: the stored log is ({_snapshot.Metadata.Index}, {LastIndex}]");
        }
        SaveSnapshot(new RaftSnapshot(new SnapshotMetadata(index, term, configuration), data));
        // Compaction: every segment but the last whose entries all lie below the trailing ones kept.
        var keepFrom = index + 1 - Math.Min(trailingLogs, index);
        var covered = 0;
        while (covered + 1 < _segments.Count && _segments[covered + 1].FirstIndex <= keepFrom) covered++;
        DeleteSegments(covered);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_hardState != _durableHardState) WriteHardState(_hardState);
        foreach (var segment in _segments) segment.Dispose();
        _segments.Clear();
    }

    private void Recover()
    {
        System.IO.Directory.CreateDirectory(_walDirectory);
        System.IO.Directory.CreateDirectory(_snapshotDirectory);
        _hardState = StableStateFile.Read(_statePath);
        _durableHardState = _hardState;

        var snapshots = SnapshotFiles.List(_snapshotDirectory, _warnings.Add);
        if (snapshots.Count > 0) _snapshot = SnapshotFiles.Read(snapshots[^1].Path);
        var snapshotIndex = _snapshot.Metadata.Index;

        var files = new List<(ulong FirstIndex, string Path)>();
        foreach (var path in System.IO.Directory.GetFiles(_walDirectory))
        {
            var name = Path.GetFileName(path);
            if (!WalSegment.TryParseFileName(name, out var firstIndex)) throw new RaftStorageException(path, "not a write-ahead log segment name (expected 20 digits and .wal)");
            files.Add((firstIndex, path));
        }
        files.Sort((a, b) => a.FirstIndex.CompareTo(b.FirstIndex));
        for (var i = 0; i < files.Count; i++)
        {
            var segment = WalSegment.Open(files[i].Path, files[i].FirstIndex);
            _segments.Add(segment);
            segment.Recover(isLast: i == files.Count - 1, _fsync, _warnings.Add);
            if (i > 0 && segment.FirstIndex != _segments[i - 1].LastIndex + 1)
            {
                throw new RaftStorageException(segment.Path, $"a gap in the log: the segment starts at {segment.FirstIndex}, the previous one ends at {_segments[i - 1].LastIndex}");
            }
        }
        // A segment left with no entries (created just before a crash, or all of it torn) holds nothing.
        if (_segments.Count > 0 && _segments[^1].Count == 0)
        {
            _segments[^1].Delete();
            _segments.RemoveAt(_segments.Count - 1);
            if (_fsync) DirectorySync.Flush(_walDirectory);
        }

        _lastIndex = snapshotIndex;
        if (_segments.Count == 0) { ClampCommit(); return; }
        var logFirst = _segments[0].FirstIndex;
        var logLast = _segments[^1].LastIndex;
        if (logFirst > snapshotIndex + 1)
        {
            throw new RaftStorageException(_segments[0].Path, $"a gap in the log: it starts at {logFirst}, the snapshot covers only through {snapshotIndex}");
        }
        if (logLast < snapshotIndex || (logFirst <= snapshotIndex && SegmentOf(snapshotIndex).TermAt(snapshotIndex) != _snapshot.Metadata.Term))
        {
            // A snapshot from the leader replaced the log, and the crash came before its segments were deleted.
            if (logLast > snapshotIndex) _warnings.Add($"{_walDirectory}: dropped entries ({snapshotIndex}, {logLast}] that conflict with the snapshot at {snapshotIndex} (uncommitted)");
            DeleteSegments(_segments.Count);
        }
        else
        {
            _lastIndex = logLast;
        }
        ClampCommit();
    }

    /// <summary>
    /// The hard state is persisted before the entries of the same Ready, so a crash between the two
    /// can leave a commit index past the log; those entries were never acknowledged, and the
    /// leader sends them again, so the commit index falls back to the log's end.
    /// </summary>
    private void ClampCommit()
    {
        if (_hardState.Commit <= _lastIndex) return;
        _warnings.Add($"{_statePath}: commit index {_hardState.Commit} is past the log's end {_lastIndex} (a crash between persisting the hard state and the entries); using {_lastIndex}");
        _hardState = _hardState with { Commit = _lastIndex };
    }

    private WalSegment SegmentOf(ulong index)
    {
        var low = 0;
        var high = _segments.Count - 1;
        while (low < high)
        {
            var middle = (low + high + 1) / 2;
            if (_segments[middle].FirstIndex <= index) low = middle;
            else high = middle - 1;
        }
        return _segments[low];
    }

    /// <summary>The segment the next entry goes to: the last one, or a new one when there is none.</summary>
    private WalSegment ActiveSegmentFor(LogEntry entry)
    {
        if (_segments.Count == 0) Roll(entry.Index);
        return _segments[^1];
    }

    private void Roll(ulong firstIndex) => _segments.Add(WalSegment.Create(_walDirectory, firstIndex, _fsync));

    /// <summary>Drops the stored entries from <paramref name="index"/> on: later segments are deleted, the one holding it cut short.</summary>
    private void TruncateFrom(ulong index)
    {
        var keep = _segments.Count;
        while (keep > 0 && _segments[keep - 1].FirstIndex >= index) keep--;
        DeleteSegments(keep, _segments.Count - keep);
        if (_segments.Count > 0) _segments[^1].TruncateFrom(index, _fsync);
        _lastIndex = index - 1;
    }

    /// <summary>Deletes the first <paramref name="count"/> segments.</summary>
    private void DeleteSegments(int count) => DeleteSegments(0, count);

    private void DeleteSegments(int start, int count)
    {
        if (count == 0) return;
        // A crash part-way must leave a contiguous log: a suffix goes newest first, a prefix oldest first.
        var suffix = start + count == _segments.Count;
        for (var k = 0; k < count; k++) _segments[suffix ? start + count - 1 - k : start + k].Delete();
        _segments.RemoveRange(start, count);
        if (_fsync) DirectorySync.Flush(_walDirectory);
    }

    private void SaveSnapshot(RaftSnapshot snapshot)
    {
        SnapshotFiles.Write(_snapshotDirectory, snapshot, _fsync);
        _snapshot = snapshot;
        var stored = SnapshotFiles.List(_snapshotDirectory, _warnings.Add);
        for (var i = 0; i < stored.Count - _options.SnapshotsRetained; i++) System.IO.Directory.Delete(stored[i].Path, recursive: true);
        if (_fsync) DirectorySync.Flush(_snapshotDirectory);
    }
}
