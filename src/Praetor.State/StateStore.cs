using Praetor.State.Watch;

namespace Praetor.State;

/// <summary>
/// Holds the current <see cref="StateSnapshot"/> and the watches that wake blocking queries.
/// Only the <see cref="StateMachine"/> publishes; anyone reads.
/// </summary>
public sealed class StateStore
{
    private StateSnapshot _current = StateSnapshot.Empty;

    public StateSnapshot Current => Volatile.Read(ref _current);

    /// <summary>Watches on KV keys and prefixes.</summary>
    public KeyWatchRegistry KvWatches { get; } = new();

    /// <summary>Watches on catalog nodes and services (keys from <see cref="Catalog.CatalogWatchKeys"/>).</summary>
    public KeyWatchRegistry CatalogWatches { get; } = new();

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
        Volatile.Write(ref _current, next);
        KvWatches.AllChanged();
        CatalogWatches.AllChanged();
    }
}
