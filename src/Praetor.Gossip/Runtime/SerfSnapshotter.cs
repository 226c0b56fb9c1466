using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Praetor.Gossip.Serf;

namespace Praetor.Gossip.Runtime;

/// <summary>
/// Serf's snapshotter (serf/snapshot.go) for one pool: at open, replays the file for the clocks
/// to restore and the members to rejoin; while the pool runs, one background writer appends
/// member joins and departures, the user-event and query clocks, and (every
/// <see cref="ClockUpdateInterval"/>) the member clock, compacting the file into a temporary one
/// renamed over it once it outgrows <see cref="MaxSizeBytes"/>. The pool's loop only offers events
/// to a bounded queue (<see cref="Record"/> never blocks); when the disk is slower than the
/// events, they are dropped and counted. Buffered lines reach the file after each batch; they are
/// fsynced at a leave, a compaction and shutdown, as Serf does.
/// </summary>
internal sealed class SerfSnapshotter : IAsyncDisposable
{
    /// <summary>128 KiB: the least size that triggers a compaction (Serf's snapshotSizeLimit).</summary>
    public const long SizeLimitBytes = 128 * 1024;

    /// <summary>128 bytes: the estimated size of one alive member's line (snapshotBytesPerNode).</summary>
    public const long NodeBytesEstimate = 128;

    /// <summary>2: the file may grow to this many times its estimated compacted size (snapshotCompactionThreshold).</summary>
    public const long CompactionThreshold = 2;

    /// <summary>2048 events waiting for the writer, Serf's eventChSize; beyond it they are dropped.</summary>
    public const int QueueEntriesMax = 2048;

    /// <summary>The suffix of the temporary file a compaction writes (tmpExt).</summary>
    public const string CompactSuffix = ".compact";

    /// <summary>500 ms: how often the member clock is written when it moved (clockUpdateInterval).</summary>
    public static readonly TimeSpan ClockUpdateInterval = TimeSpan.FromMilliseconds(500);

    /// <summary>250 ms: at shutdown, how long queued events may still be written (shutdownFlushTimeout).</summary>
    public static readonly TimeSpan ShutdownFlushTimeout = TimeSpan.FromMilliseconds(250);

    /// <summary>30 s: after a failed write, how often a compaction is tried to recover (snapshotErrorRecoveryInterval).</summary>
    public static readonly TimeSpan ErrorRecoveryInterval = TimeSpan.FromSeconds(30);

    private readonly string _path;
    private readonly bool _rejoinAfterLeave;
    private readonly long _minCompactSize;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Dictionary<string, string> _alive;
    private readonly Channel<Entry> _queue = Channel.CreateBounded<Entry>(new BoundedChannelOptions(QueueEntriesMax) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    private readonly CancellationTokenSource _stop = new();
    private StreamWriter? _writer;
    private long _offset;
    private ulong _lastClock, _lastEventClock, _lastQueryClock;
    private bool _leaving;
    private long? _lastRecoveryAttempt;
    private long _shutdownDeadline = long.MaxValue;
    private long _dropped;
    private LamportClock? _clock;
    private Task _writerTask = Task.CompletedTask, _tickerTask = Task.CompletedTask;

    private SerfSnapshotter(string path, bool rejoinAfterLeave, long minCompactSize, ILogger logger, TimeProvider time, SnapshotState state, long offset)
    {
        _path = path;
        _rejoinAfterLeave = rejoinAfterLeave;
        _minCompactSize = minCompactSize;
        _logger = logger;
        _time = time;
        _alive = new Dictionary<string, string>(state.AliveNodes, StringComparer.Ordinal);
        (_lastClock, _lastEventClock, _lastQueryClock) = (state.Clocks.Clock, state.Clocks.EventClock, state.Clocks.QueryClock);
        Clocks = state.Clocks;
        var previous = new List<PreviousNode>(state.AliveNodes.Count);
        foreach (var (name, addr) in state.AliveNodes) previous.Add(new PreviousNode(name, addr));
        // Random order, so restarted nodes do not all rejoin through the same one.
        var order = previous.ToArray();
        Random.Shared.Shuffle(order);
        PreviousNodes = order;
        _offset = offset;
    }

    /// <summary>The clocks the snapshot ended with, for the Serf core to resume past.</summary>
    public RestoredClocks Clocks { get; }

    /// <summary>The members alive at the snapshot's end (none after a leave, unless rejoining after one), in random order.</summary>
    public IReadOnlyList<PreviousNode> PreviousNodes { get; }

    /// <summary>Events dropped because the writer was <see cref="QueueEntriesMax"/> behind.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>
    /// Creates the directory if needed, replays the file at <paramref name="path"/> (a new, empty
    /// one if there is none) and opens it for appending. <paramref name="minCompactSize"/> is
    /// <see cref="SizeLimitBytes"/> but in tests. Throws <see cref="GossipException"/> when the file
    /// cannot be read or opened.
    /// </summary>
    public static SerfSnapshotter Open(string path, bool rejoinAfterLeave, ILogger logger, TimeProvider time, long minCompactSize = SizeLimitBytes)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        try
        {
            var full = Path.GetFullPath(path);
            if (Path.GetDirectoryName(full) is { Length: > 0 } directory) Directory.CreateDirectory(directory);
            var bytes = File.Exists(full) ? File.ReadAllBytes(full) : [];
            var state = SerfSnapshotFormat.Replay(SerfSnapshotFormat.Utf8.GetString(bytes), rejoinAfterLeave, logger);
            var snapshotter = new SerfSnapshotter(full, rejoinAfterLeave, minCompactSize, logger, time, state, bytes.LongLength);
            snapshotter.OpenForAppend();
            return snapshotter;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new GossipException($"failed to open the snapshot {path}: {e.Message}");
        }
    }

    /// <summary>Starts the writer; <paramref name="clock"/> is the Serf core's member clock, read every <see cref="ClockUpdateInterval"/> (a thread-safe read).</summary>
    public void Start(LamportClock clock)
    {
        _clock = clock;
        _writerTask = Task.Run(RunWriterAsync);
        _tickerTask = Task.Run(RunTickerAsync);
    }

    /// <summary>Offers a delivered event to the writer without waiting; false (and counted) when the queue is full.</summary>
    public bool Record(SerfEvent serfEvent)
    {
        if (serfEvent is not (SerfMemberEvent or SerfUserEvent or SerfQueryEvent)) return true;
        if (_queue.Writer.TryWrite(new Entry(serfEvent, null))) return true;
        var dropped = Interlocked.Increment(ref _dropped);
        // A counted warning, not one a drop: at 1, 2, 4, 8... drops.
        if ((dropped & (dropped - 1)) == 0) SnapshotLog.Dropped(_logger, dropped);
        return false;
    }

    /// <summary>
    /// A graceful leave (Snapshotter.Leave): stops recording events, forgets the alive members
    /// unless rejoining after a leave, appends <c>leave</c> and syncs the file. Returns once written.
    /// </summary>
    public async Task LeaveAsync(CancellationToken cancellationToken)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        try
        {
            await _queue.Writer.WriteAsync(new Entry(null, done), cancellationToken);
        }
        catch (ChannelClosedException)
        {
            return; // shut down already
        }
        await done.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Shutdown: what is queued is written for at most <see cref="ShutdownFlushTimeout"/>, then the member clock, then the file is synced and closed.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_queue.Writer.TryComplete()) return;
        Interlocked.Exchange(ref _shutdownDeadline, _time.GetTimestamp() + (long)(ShutdownFlushTimeout.TotalSeconds * _time.TimestampFrequency));
        await _stop.CancelAsync();
        await Task.WhenAll(_writerTask, _tickerTask);
        // Never started (the pool failed to bind): nothing was written, the file is only closed.
        _writer?.Dispose();
        _writer = null;
        _stop.Dispose();
    }

    private async Task RunTickerAsync()
    {
        using var timer = new PeriodicTimer(ClockUpdateInterval, _time);
        try
        {
            // A full queue is busy writing anyway; its next member event writes the clock too.
            while (await timer.WaitForNextTickAsync(_stop.Token)) _queue.Writer.TryWrite(default);
        }
        catch (OperationCanceledException)
        {
            // Shut down.
        }
    }

    private async Task RunWriterAsync()
    {
        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync())
        {
            while (reader.TryRead(out var entry))
            {
                if (_time.GetTimestamp() > Interlocked.Read(ref _shutdownDeadline)) continue;
                Apply(entry);
            }
            Flush(sync: false);
        }
        UpdateClock();
        Flush(sync: true);
        _writer?.Dispose();
        _writer = null;
    }

    private void Apply(Entry entry)
    {
        if (entry.Leave is { } done)
        {
            _leaving = true;
            if (!_rejoinAfterLeave) _alive.Clear();
            Append(SerfSnapshotFormat.Leave + "\n");
            Flush(sync: true);
            done.TrySetResult();
            return;
        }
        if (_leaving) return;
        switch (entry.Event)
        {
            case null:
                UpdateClock();
                break;
            case SerfMemberEvent member:
                RecordMembers(member);
                UpdateClock();
                break;
            case SerfUserEvent user when user.LTime > _lastEventClock:
                _lastEventClock = user.LTime;
                Append($"{SerfSnapshotFormat.EventClock}{user.LTime}\n");
                break;
            case SerfQueryEvent query when query.LTime > _lastQueryClock:
                _lastQueryClock = query.LTime;
                Append($"{SerfSnapshotFormat.QueryClock}{query.LTime}\n");
                break;
        }
    }

    private void RecordMembers(SerfMemberEvent e)
    {
        foreach (var member in e.Members)
        {
            switch (e.EventType)
            {
                case SerfEventType.MemberJoin when SerfSnapshotFormat.AliveAddr(member) is { } addr:
                    _alive[member.Name] = addr;
                    Append($"{SerfSnapshotFormat.Alive}{member.Name} {addr}\n");
                    break;
                case SerfEventType.MemberLeave or SerfEventType.MemberFailed when SerfSnapshotFormat.IsWritableName(member.Name):
                    _alive.Remove(member.Name);
                    Append($"{SerfSnapshotFormat.NotAlive}{member.Name}\n");
                    break;
            }
        }
    }

    /// <summary>The member clock's last time seen (one below its current value), when it moved.</summary>
    private void UpdateClock()
    {
        if (_clock is null) return;
        var lastSeen = _clock.Time - 1;
        if (lastSeen <= _lastClock) return;
        _lastClock = lastSeen;
        Append($"{SerfSnapshotFormat.Clock}{lastSeen}\n");
    }

    /// <summary>Appends a line; compacts when the file has outgrown its limit; a failure is logged and, every <see cref="ErrorRecoveryInterval"/>, a compaction tried to recover.</summary>
    private void Append(string line)
    {
        try
        {
            if (_writer is null) OpenForAppend();
            _writer!.Write(line);
            _offset += SerfSnapshotFormat.Utf8.GetByteCount(line);
            if (_offset > MaxSizeBytes) Compact();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            SnapshotLog.WriteFailed(_logger, e);
            var now = _time.GetTimestamp();
            if (_lastRecoveryAttempt is { } last && _time.GetElapsedTime(last, now) <= ErrorRecoveryInterval) return;
            _lastRecoveryAttempt = now;
            SnapshotLog.Recovering(_logger);
            try
            {
                Compact();
                SnapshotLog.Recovered(_logger);
            }
            catch (Exception again) when (again is IOException or UnauthorizedAccessException)
            {
                SnapshotLog.RecoveryFailed(_logger, again, ErrorRecoveryInterval);
            }
        }
    }

    /// <summary>The size past which the file is compacted: twice the estimated size of its alive members, and at least the minimum (snapshotMaxSize).</summary>
    private long MaxSizeBytes => Math.Max(_alive.Count * NodeBytesEstimate * CompactionThreshold, _minCompactSize);

    /// <summary>
    /// Writes the alive members and the three clocks to <c>path.compact</c>, syncs it, and renames
    /// it over the snapshot (an atomic replace), then appends to the new file.
    /// </summary>
    private void Compact()
    {
        var temporary = _path + CompactSuffix;
        long offset = 0;
        using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            using var writer = new StreamWriter(file, SerfSnapshotFormat.Utf8);
            foreach (var (name, addr) in _alive) offset += Write(writer, $"{SerfSnapshotFormat.Alive}{name} {addr}\n");
            offset += Write(writer, $"{SerfSnapshotFormat.Clock}{_lastClock}\n");
            offset += Write(writer, $"{SerfSnapshotFormat.EventClock}{_lastEventClock}\n");
            offset += Write(writer, $"{SerfSnapshotFormat.QueryClock}{_lastQueryClock}\n");
            writer.Flush();
            file.Flush(flushToDisk: true);
        }
        try
        {
            _writer?.Flush();
        }
        catch (IOException)
        {
            // The old file is replaced; what it failed to take is in the new one.
        }
        _writer?.Dispose();
        _writer = null;
        File.Move(temporary, _path, overwrite: true);
        OpenForAppend();
        _offset = offset;
    }

    private static long Write(StreamWriter writer, string line)
    {
        writer.Write(line);
        return SerfSnapshotFormat.Utf8.GetByteCount(line);
    }

    private void OpenForAppend()
    {
        var file = new FileStream(_path, FileMode.Append, FileAccess.Write, FileShare.Read);
        _writer = new StreamWriter(file, SerfSnapshotFormat.Utf8);
    }

    /// <summary>Hands buffered lines to the file (and with <paramref name="sync"/>, to the disk); a failure is logged.</summary>
    private void Flush(bool sync)
    {
        if (_writer is null) return;
        try
        {
            _writer.Flush();
            if (sync) ((FileStream)_writer.BaseStream).Flush(flushToDisk: true);
        }
        catch (IOException e)
        {
            SnapshotLog.WriteFailed(_logger, e);
        }
    }

    /// <summary>One queued item: an event to record, a leave to write (then signalled), or neither: time to write the member clock.</summary>
    private readonly record struct Entry(SerfEvent? Event, TaskCompletionSource? Leave);
}
