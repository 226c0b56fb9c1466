using Praetor.Raft;
using Praetor.State;
using Praetor.State.Commands;

namespace Praetor.Agent.Endpoints;

/// <summary>
/// Transactions (Consul's Txn endpoint), and through them every KV write: a transaction of
/// reads only is answered from a snapshot; anything that writes goes through the log.
/// </summary>
public sealed class TxnEndpoint(StateStore store, IReplicatedLog log, BlockingQuery blocking)
{
    /// <summary>Runs <paramref name="operations"/>; the meta is set for read-only transactions, which honour consistency modes.</summary>
    public async Task<(TxnResult Result, QueryMeta? Meta)> ApplyAsync(
        IReadOnlyList<TxnOperation> operations, ConsistencyMode consistency, CancellationToken cancellationToken)
    {
        if (IsReadOnly(operations))
        {
            blocking.CheckConsistency(consistency);
            var snapshot = store.Current;
            return (StateMachine.ReadTxn(snapshot, operations), blocking.Meta(snapshot.Index, consistency));
        }
        var applied = await log.ApplyAsync(CommandCodec.Encode(new TxnCommand(operations)), cancellationToken).ConfigureAwait(false);
        return ((TxnResult)applied.Response!, null);
    }

    private static bool IsReadOnly(IReadOnlyList<TxnOperation> operations)
    {
        foreach (var operation in operations)
        {
            if (operation is not KvOperation kv || !KvVerbs.IsRead(kv.Verb))
            {
                return false;
            }
        }
        return true;
    }
}
