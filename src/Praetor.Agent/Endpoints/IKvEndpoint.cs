using Praetor.State.Commands;
using Praetor.State.Kv;

namespace Praetor.Agent.Endpoints;

/// <summary>
/// The KV store's reads and single-key writes, as the HTTP API and DNS call them: on a server
/// <see cref="KvEndpoint"/> (the state store and the log), on a client
/// <see cref="Remote.RemoteKvEndpoint"/> (reads by RPC to a server).
/// </summary>
public interface IKvEndpoint
{
    /// <summary>One key; its index is the KV table's, as Consul reports it.</summary>
    Task<QueryResult<KvEntry?>> GetAsync(string key, QueryOptions options, CancellationToken cancellationToken);

    /// <summary>Every entry under a prefix; the index is the highest in the prefix, deletions included.</summary>
    Task<QueryResult<IReadOnlyList<KvEntry>>> ListAsync(string prefix, QueryOptions options, CancellationToken cancellationToken);

    /// <summary>
    /// The keys under a prefix; with a separator, keys that continue past the next separator
    /// are folded into one "directory" entry ending in it (`web/sub/`).
    /// </summary>
    Task<QueryResult<IReadOnlyList<string>>> KeysAsync(string prefix, string? separator, QueryOptions options, CancellationToken cancellationToken);

    /// <summary>Runs one write (set, cas, lock, unlock, delete, delete-cas, delete-tree); <see cref="TxnResult.Committed"/> says whether it took effect.</summary>
    Task<TxnResult> WriteAsync(KvOperation operation, CancellationToken cancellationToken);
}
