using Praetor.Raft;
using Praetor.State;
using Praetor.State.Commands;

namespace Praetor.Agent;

/// <summary>
/// A leader duty: once a KV tombstone is older than the tombstone TTL it has served its purpose
/// (no blocking query waits that long), so the leader commits a <see cref="ReapTombstonesCommand"/>.
/// Every <see cref="Granularity"/> it notes the KV index; a note older than the TTL says which
/// tombstones are old enough.
/// </summary>
public sealed class TombstoneReaper : IAsyncDisposable
{
    /// <summary>How often the KV index is noted, and so how late past the TTL a tombstone may be reaped.</summary>
    public static readonly TimeSpan Granularity = TimeSpan.FromSeconds(30);

    private readonly StateStore _store;
    private readonly IReplicatedLog _log;
    private readonly TimeSpan _ttl;
    private readonly TimeProvider _time;
    private readonly Queue<(long Timestamp, ulong Index)> _notes = new();
    private readonly ITimer _timer;
    private Task _pending = Task.CompletedTask;

    public TombstoneReaper(StateStore store, IReplicatedLog log, TimeSpan ttl, TimeProvider time)
    {
        _store = store;
        _log = log;
        _ttl = ttl;
        _time = time;
        _timer = time.CreateTimer(_ => Tick(), null, Granularity, Granularity);
    }

    /// <summary>Notes the current index and reaps what the TTL allows; called by the timer (one at a time).</summary>
    public void Tick()
    {
        var now = _time.GetTimestamp();
        var kv = _store.Current.Kv;
        _notes.Enqueue((now, kv.Index));
        ulong reapUpTo = 0;
        while (_notes.Count > 0 && _time.GetElapsedTime(_notes.Peek().Timestamp, now) >= _ttl)
        {
            reapUpTo = _notes.Dequeue().Index;
        }
        if (reapUpTo == 0 || !_log.Leader.IsLeader || !_pending.IsCompleted || !HasTombstoneAtOrBefore(kv.Tombstones, reapUpTo))
        {
            return;
        }
        _pending = _log.ApplyAsync(CommandCodec.Encode(new ReapTombstonesCommand(reapUpTo)), CancellationToken.None);
    }

    private static bool HasTombstoneAtOrBefore(IReadOnlyList<State.Kv.KvTombstone> tombstones, ulong index)
    {
        foreach (var tombstone in tombstones)
        {
            if (tombstone.Index <= index)
            {
                return true;
            }
        }
        return false;
    }

    public async ValueTask DisposeAsync()
    {
        await _timer.DisposeAsync().ConfigureAwait(false);
        try
        {
            await _pending.ConfigureAwait(false);
        }
        catch (NotLeaderException)
        {
            // The log shut down first; the tombstones are reaped by whoever leads next.
        }
    }
}
