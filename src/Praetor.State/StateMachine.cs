using Praetor.Raft;
using Praetor.State.Commands;
using Praetor.State.Kv;

namespace Praetor.State;

/// <summary>
/// The FSM: decodes each committed command, applies it to a copy of the current snapshot,
/// stamps it with the log index, publishes the result, then fires the watches of what changed.
/// Called by the log's apply loop only (one thread).
/// </summary>
public sealed class StateMachine(StateStore store) : IStateMachine
{
    private readonly KvChanges _changes = new();

    public StateStore Store { get; } = store;

    /// <returns>A <see cref="TxnResult"/> for a transaction; null for housekeeping commands.</returns>
    public object? Apply(ulong index, ReadOnlyMemory<byte> command)
    {
        var current = Store.Current;
        if (index <= current.Index)
        {
            throw new InvalidOperationException($"entry {index} applied after {current.Index}");
        }
        _changes.Clear();
        object? response = null;
        var kv = current.Kv;
        switch (CommandCodec.Decode(command))
        {
            case TxnCommand txn:
                response = TxnExecutor.Execute(ref kv, index, txn.Operations, _changes);
                break;
            case ReapTombstonesCommand reap:
                kv = kv.ReapTombstones(reap.UpToIndex);
                break;
        }
        Store.Publish(new StateSnapshot(index, kv));
        _changes.Notify(Store.KvWatches);
        return response;
    }

    /// <summary>Runs a transaction of reads against a snapshot, without the log (Consul's TxnRO).</summary>
    public static TxnResult ReadTxn(StateSnapshot snapshot, IReadOnlyList<TxnOperation> operations)
    {
        var kv = snapshot.Kv;
        return TxnExecutor.Execute(ref kv, snapshot.Index, operations, new KvChanges());
    }

    public void WriteSnapshot(Stream destination) => SnapshotCodec.Write(Store.Current, destination);

    public void Restore(Stream source) => Store.Replace(SnapshotCodec.Read(source));
}
