using Praetor.Raft;
using Praetor.State.Commands;
using Praetor.State.Sessions;
using Praetor.State.Watch;

namespace Praetor.State;

/// <summary>
/// The FSM: decodes each committed command, applies it to a copy of the current snapshot,
/// stamps it with the log index (plus the state's <see cref="StateSnapshot.IndexOffset"/>),
/// publishes the result, then fires the watches of what changed. A restore replaces the whole
/// state and fires every watch. Called by the log's apply loop only (one thread).
/// </summary>
public sealed class StateMachine(StateStore store) : IStateMachine
{
    private readonly KeyChanges _kvChanges = new();
    private readonly KeyChanges _catalogChanges = new();
    private readonly KeyChanges _sessionChanges = new();

    public StateStore Store { get; } = store;

    /// <returns>
    /// A <see cref="TxnResult"/> for a transaction; for a registration, a session create or a
    /// renewal, the refusal as a string (or null); null for the rest.
    /// </returns>
    public object? Apply(ulong index, ReadOnlyMemory<byte> command)
    {
        var current = Store.Current;
        if (index <= current.LogIndex)
        {
            throw new InvalidOperationException($"entry {index} applied after {current.LogIndex}");
        }
        var stamp = index + current.IndexOffset;
        var decoded = CommandCodec.Decode(command);
        if (decoded is RestoreCommand restore)
        {
            // Past both the state's own index and the restored one: the state's index never goes
            // backwards, and every later write is stamped past everything restored.
            var restoredAt = Math.Max(stamp, restore.State.Index + 1);
            Store.Replace(restore.State with { Index = restoredAt, IndexOffset = restoredAt - index });
            return null;
        }
        _kvChanges.Clear();
        _catalogChanges.Clear();
        _sessionChanges.Clear();
        object? response = null;
        var kv = current.Kv;
        var catalog = current.Catalog;
        var sessions = current.Sessions;
        string? renewed = null;
        var coordinates = current.Coordinates;
        switch (decoded)
        {
            case TxnCommand txn:
                response = TxnExecutor.Execute(ref kv, sessions, stamp, txn.Operations, _kvChanges);
                break;
            case ReapTombstonesCommand reap:
                kv = kv.ReapTombstones(reap.UpToIndex);
                break;
            case RegisterCommand register:
                (catalog, var error) = catalog.Register(register.Registration, stamp, _catalogChanges);
                response = error;
                break;
            case DeregisterCommand deregister:
                catalog = catalog.Deregister(deregister.Node, deregister.ServiceId, deregister.CheckId, stamp, _catalogChanges);
                // A node that leaves the catalog takes its coordinates with it (Consul's deleteNodeTxn).
                if (catalog.Node(deregister.Node) is null) coordinates = coordinates.RemoveNode(deregister.Node, stamp, _catalogChanges);
                break;
            case CoordinateBatchUpdateCommand update:
                coordinates = coordinates.Update(update.Updates, catalog, stamp, _catalogChanges);
                break;
            case SessionCreateCommand create:
                response = SessionLifecycle.Create(ref sessions, catalog, create.Session, stamp, _sessionChanges);
                break;
            case SessionDestroyCommand destroy:
                (sessions, kv) = EndSessions(sessions, kv, work => SessionLifecycle.Destroy(work, destroy.Id, stamp));
                break;
            case SessionRenewCommand renew:
                if (sessions.Get(renew.Id) is null)
                {
                    response = $"Session id '{renew.Id}' not found";
                }
                else
                {
                    renewed = renew.Id;
                }
                break;
        }
        // A registration that turned a check critical or removed it, or a deregistered node,
        // ends the sessions bound to them in this same entry.
        var node = decoded switch
        {
            RegisterCommand register when response is null => register.Registration.Node.Node,
            DeregisterCommand deregister => deregister.Node,
            _ => null,
        };
        if (node is not null && sessions.Count > 0)
        {
            (sessions, kv) = EndSessions(sessions, kv, work => SessionLifecycle.Invalidate(work, catalog, node, stamp));
        }
        Store.Publish(current with { Index = stamp, Kv = kv, Catalog = catalog, Sessions = sessions, Coordinates = coordinates });
        _kvChanges.Notify(Store.KvWatches);
        _catalogChanges.Notify(Store.CatalogWatches);
        _sessionChanges.Notify(Store.SessionWatches);
        if (renewed is not null)
        {
            Store.Renewed(renewed);
        }
        return response;
    }

    private (SessionTable Sessions, Kv.KvTable Kv) EndSessions(SessionTable sessions, Kv.KvTable kv, Action<SessionLifecycle.Work> end)
    {
        var work = new SessionLifecycle.Work(sessions, kv, _sessionChanges, _kvChanges, Store.LockDelays);
        end(work);
        return (work.Sessions, work.Kv);
    }

    /// <summary>Runs a transaction of reads against a snapshot, without the log (Consul's TxnRO).</summary>
    public static TxnResult ReadTxn(StateSnapshot snapshot, IReadOnlyList<TxnOperation> operations)
    {
        var kv = snapshot.Kv;
        return TxnExecutor.Execute(ref kv, snapshot.Sessions, snapshot.Index, operations, new KeyChanges());
    }

    /// <summary>The current state is an immutable <see cref="StateSnapshot"/>: capturing it is taking its reference.</summary>
    public Action<Stream> CaptureSnapshot()
    {
        var captured = Store.Current;
        return destination => SnapshotCodec.Write(captured, destination);
    }

    public void Restore(Stream source) => Store.Replace(SnapshotCodec.Read(source));
}
