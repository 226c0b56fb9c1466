using Praetor.State.Commands;

namespace Praetor.Agent.Endpoints.Remote;

/// <summary>A client agent's Txn endpoint: a read-only transaction by RPC to a server, any other through <paramref name="writes"/>.</summary>
/// <param name="writes">The local endpoint, whose log forwards the transaction to the leader.</param>
public sealed class RemoteTxnEndpoint(EndpointRpcClient rpc, ITxnEndpoint writes) : ITxnEndpoint
{
    /// <inheritdoc/>
    public async Task<(TxnResult Result, QueryMeta? Meta)> ApplyAsync(IReadOnlyList<TxnOperation> operations, ConsistencyMode consistency, CancellationToken cancellationToken)
    {
        if (!TxnEndpoint.IsReadOnly(operations))
        {
            return await writes.ApplyAsync(operations, consistency, cancellationToken).ConfigureAwait(false);
        }
        var (result, meta) = await rpc.CallAsync(EndpointRpcMethods.TxnRead, (operations, consistency), cancellationToken).ConfigureAwait(false);
        return (result, meta);
    }
}
