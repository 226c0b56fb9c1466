using Praetor.State.Commands;

namespace Praetor.Agent.Endpoints;

/// <summary>
/// Transactions (Consul's Txn endpoint): on a server <see cref="TxnEndpoint"/>, on a client
/// <see cref="Remote.RemoteTxnEndpoint"/> (read-only transactions by RPC to a server).
/// </summary>
public interface ITxnEndpoint
{
    /// <summary>
    /// Runs <paramref name="operations"/>; the meta is set for read-only transactions, which honour
    /// consistency modes.
    /// </summary>
    Task<(TxnResult Result, QueryMeta? Meta)> ApplyAsync(IReadOnlyList<TxnOperation> operations, ConsistencyMode consistency, CancellationToken cancellationToken);
}
