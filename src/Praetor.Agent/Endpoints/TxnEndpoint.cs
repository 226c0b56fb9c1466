using System.Diagnostics;
using Praetor.Agent.Metrics;
using Praetor.Raft;
using Praetor.State;
using Praetor.State.Commands;

namespace Praetor.Agent.Endpoints;

/// <summary>
/// Transactions (Consul's Txn endpoint), and through them every KV write: a transaction of
/// reads only is answered from a snapshot; anything that writes goes through the log.
/// </summary>
public sealed class TxnEndpoint(StateStore store, IReplicatedLog log, BlockingQuery blocking, AgentMetrics metrics) : ITxnEndpoint
{
    /// <inheritdoc/>
    /// <remarks>Measured as <c>consul.txn.read</c> or <c>consul.txn.apply</c>.</remarks>
    public async Task<(TxnResult Result, QueryMeta? Meta)> ApplyAsync(
        IReadOnlyList<TxnOperation> operations, ConsistencyMode consistency, CancellationToken cancellationToken)
    {
        var start = Stopwatch.GetTimestamp();
        if (IsReadOnly(operations))
        {
            await blocking.EnsureConsistencyAsync(consistency, cancellationToken).ConfigureAwait(false);
            var snapshot = store.Current;
            var read = StateMachine.ReadTxn(snapshot, operations);
            metrics.TxnRead.Record(AgentMetrics.MillisecondsSince(start));
            return (read, blocking.Meta(snapshot.Index, consistency));
        }
        var result = await WriteAsync(operations, cancellationToken).ConfigureAwait(false);
        metrics.TxnApply.Record(AgentMetrics.MillisecondsSince(start));
        return (result, null);
    }

    /// <summary>Applies <paramref name="operations"/> (at least one writes) through the log, unmeasured: the caller measures it under its own name.</summary>
    internal async Task<TxnResult> WriteAsync(IReadOnlyList<TxnOperation> operations, CancellationToken cancellationToken)
    {
        var applied = await log.ApplyAsync(CommandCodec.Encode(new TxnCommand(operations)), cancellationToken).ConfigureAwait(false);
        return (TxnResult)applied.Response!;
    }

    /// <summary>Whether every operation only reads (Consul's TxnRO), so the transaction needs no log entry.</summary>
    internal static bool IsReadOnly(IReadOnlyList<TxnOperation> operations)
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
