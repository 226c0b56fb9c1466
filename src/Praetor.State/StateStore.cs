using Praetor.State.Watch;

namespace Praetor.State;

/// <summary>
/// Holds the current <see cref="StateSnapshot"/> and the watches that wake blocking queries.
/// Only the <see cref="StateMachine"/> publishes; anyone reads.
/// </summary>
public sealed class StateStore(TimeProvider? time = null)
{
    private StateSnapshot _current = StateSnapshot.Empty;
    private long _replacements;

    public StateSnapshot Current => Volatile.Read(ref _current);

    /// <summary>
    /// How many times the state was replaced wholesale (a snapshot restore, a Raft snapshot
    /// installed), counted before the new state is published: a blocking query that sees it change
    /// answers at once, whatever the index, as Consul's queries do when the state store they
    /// watch is abandoned.
    /// </summary>
    public long Replacements => Interlocked.Read(ref _replacements);

    /// <summary>Watches on KV keys and prefixes.</summary>
    public KeyWatchRegistry KvWatches { get; } = new();

    /// <summary>Watches on catalog nodes and services (keys from <see cref="Catalog.CatalogWatchKeys"/>).</summary>
    public KeyWatchRegistry CatalogWatches { get; } = new();

    /// <summary>Watches on sessions (keys from <see cref="Sessions.SessionWatchKeys"/>).</summary>
    public KeyWatchRegistry SessionWatches { get; } = new();

    /// <summary>This server's lock-delays: keys whose lock a session's end released, for a while not to be acquired.</summary>
    public Sessions.LockDelays LockDelays { get; } = new(time ?? TimeProvider.System);

    /// <summary>
    /// Raised on the applying thread after a renewal of the session with this ID was applied
    /// (the leader's TTL timers listen); handlers must not block.
    /// </summary>
    public event Action<string>? SessionRenewed;

    internal void Renewed(string id) => SessionRenewed?.Invoke(id);

    internal void Publish(StateSnapshot next)
    {
        if (next.Index < _current.Index)
        {
            throw new InvalidOperationException($"state index went backwards: {_current.Index} -> {next.Index}");
        }
        Volatile.Write(ref _current, next);
    }

    /// <summary>Replaces the state wholesale (restore) and wakes every watcher.</summary>
    internal void Replace(StateSnapshot next)
    {
        Interlocked.Increment(ref _replacements);
        Volatile.Write(ref _current, next);
        KvWatches.AllChanged();
        CatalogWatches.AllChanged();
        SessionWatches.AllChanged();
    }
}
