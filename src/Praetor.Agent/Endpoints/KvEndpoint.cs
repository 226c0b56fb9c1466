using Praetor.Agent.Metrics;
using Praetor.State;
using Praetor.State.Commands;
using Praetor.State.Kv;

namespace Praetor.Agent.Endpoints;

/// <summary>The KV store's reads (all blocking) and single-key writes (Consul's KVS endpoint).</summary>
public sealed class KvEndpoint(StateStore store, TxnEndpoint txn, BlockingQuery blocking, AgentMetrics metrics) : IKvEndpoint
{
    /// <inheritdoc/>
    public Task<QueryResult<KvEntry?>> GetAsync(string key, QueryOptions options, CancellationToken cancellationToken) =>
        blocking.RunAsync(
            options,
            watches => store.KvWatches.WatchKey(watches, key),
            snapshot => (snapshot.Kv.Index, snapshot.Kv.Get(key)),
            cancellationToken);

    /// <inheritdoc/>
    public Task<QueryResult<IReadOnlyList<KvEntry>>> ListAsync(string prefix, QueryOptions options, CancellationToken cancellationToken) =>
        blocking.RunAsync(
            options,
            watches => store.KvWatches.WatchPrefix(watches, prefix),
            snapshot => (snapshot.Kv.IndexOfPrefix(prefix), snapshot.Kv.List(prefix)),
            cancellationToken);

    /// <inheritdoc/>
    public Task<QueryResult<IReadOnlyList<string>>> KeysAsync(string prefix, string? separator, QueryOptions options, CancellationToken cancellationToken) =>
        blocking.RunAsync(
            options,
            watches => store.KvWatches.WatchPrefix(watches, prefix),
            snapshot => (snapshot.Kv.IndexOfPrefix(prefix), Keys(snapshot.Kv.List(prefix), prefix, separator)),
            cancellationToken);

    /// <summary>
    /// Runs one write (set, cas, lock, unlock, delete, delete-cas, delete-tree); <see cref="TxnResult.Committed"/>
    /// says whether it took effect. Measured as <c>consul.kvs.apply</c>.
    /// </summary>
    /// <remarks>
    /// An acquire of a key within its lock-delay (a session holding it ended a moment ago) is
    /// refused here, before the log, as Consul's KVS.Apply does: the delay is this server's own note.
    /// </remarks>
    public async Task<TxnResult> WriteAsync(KvOperation operation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(operation);
        if (operation.Verb == KvVerb.Lock && store.LockDelays.IsDelayed(operation.Key))
        {
            return new TxnResult([], [new TxnError(0, $"failed to lock key \"{operation.Key}\", it is within its lock-delay")]);
        }
        var start = System.Diagnostics.Stopwatch.GetTimestamp();
        var result = await txn.WriteAsync([operation], cancellationToken).ConfigureAwait(false);
        metrics.KvsApply.Record(AgentMetrics.MillisecondsSince(start));
        return result;
    }

    private static IReadOnlyList<string> Keys(IReadOnlyList<KvEntry> entries, string prefix, string? separator)
    {
        var keys = new List<string>(entries.Count);
        string? previous = null;
        foreach (var entry in entries)
        {
            var key = entry.Key;
            if (!string.IsNullOrEmpty(separator))
            {
                var at = key.IndexOf(separator, prefix.Length, StringComparison.Ordinal);
                if (at >= 0)
                {
                    key = key[..(at + separator.Length)];
                }
            }
            // Keys arrive sorted, so the folded directories repeat only back to back.
            if (!string.Equals(key, previous, StringComparison.Ordinal))
            {
                keys.Add(key);
                previous = key;
            }
        }
        return keys;
    }
}
