using Praetor.Agent.Cluster;

namespace Praetor.Agent.Endpoints.Remote;

/// <summary>The server side of the endpoint RPC: a handler per method, each running this server's own endpoint.</summary>
public static class EndpointRpcHandlers
{
    /// <summary>
    /// Registers a handler for every method of <see cref="EndpointRpcMethods"/> through
    /// <paramref name="register"/> (the RPC server's <c>Register(method, handler)</c>); each decodes
    /// the arguments, calls the endpoint given here and encodes its answer (see
    /// <see cref="EndpointRpcMethod{TArgs, TResult}"/> for the envelope). Snapshot archives travel in
    /// chunks of at most <paramref name="snapshotChunkBytes"/>, held between calls on this server.
    /// </summary>
    public static void Register(
        Action<string, Func<ReadOnlyMemory<byte>, CancellationToken, Task<byte[]>>> register,
        IKvEndpoint kv,
        ITxnEndpoint txn,
        ICatalogEndpoint catalog,
        IHealthEndpoint health,
        IStatusEndpoint status,
        ISessionEndpoint sessions,
        ICoordinateEndpoint coordinate,
        IRaftOperator raftOperator,
        ISnapshotEndpoint snapshot,
        int snapshotChunkBytes = RemoteSnapshotEndpoint.ChunkBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(snapshotChunkBytes);
        ArgumentNullException.ThrowIfNull(register);
        Add(register, EndpointRpcMethods.KvGet, (a, ct) => kv.GetAsync(a.Key, a.Options, ct));
        Add(register, EndpointRpcMethods.KvList, (a, ct) => kv.ListAsync(a.Prefix, a.Options, ct));
        Add(register, EndpointRpcMethods.KvKeys, (a, ct) => kv.KeysAsync(a.Prefix, a.Separator, a.Options, ct));
        Add(register, EndpointRpcMethods.TxnRead, async (a, ct) =>
        {
            // The decoder let only reads through, and a read-only transaction always has meta.
            var (result, meta) = await txn.ApplyAsync(a.Operations, a.Consistency, ct).ConfigureAwait(false);
            return (result, meta ?? throw new InvalidOperationException("a read-only transaction answered without meta"));
        });
        Add(register, EndpointRpcMethods.CatalogNodes, (a, ct) => catalog.NodesAsync(a.Meta, a.Options, ct));
        Add(register, EndpointRpcMethods.CatalogServices, (a, ct) => catalog.ServicesAsync(a.Meta, a.Options, ct));
        Add(register, EndpointRpcMethods.CatalogServiceNodes, (a, ct) => catalog.ServiceNodesAsync(a.Service.Service, a.Service.Tags, a.Meta, a.Options, ct));
        Add(register, EndpointRpcMethods.CatalogNodeServices, (a, ct) => catalog.NodeServicesAsync(a.Node, a.Options, ct));
        Add(register, EndpointRpcMethods.HealthNodeChecks, (a, ct) => health.NodeChecksAsync(a.Node, a.Options, ct));
        Add(register, EndpointRpcMethods.HealthServiceChecks, (a, ct) => health.ServiceChecksAsync(a.Service, a.Options, ct));
        Add(register, EndpointRpcMethods.HealthServiceNodes, (a, ct) =>
            health.ServiceHealthAsync(a.Service.Service, a.Service.Tags, a.Filter.Meta, a.Filter.PassingOnly, a.Options, ct));
        Add(register, EndpointRpcMethods.HealthChecksInState, (a, ct) => health.ChecksInStateAsync(a.State, a.Options, ct));
        Add(register, EndpointRpcMethods.SessionGet, (a, ct) => sessions.InfoAsync(a.Id, a.Options, ct));
        Add(register, EndpointRpcMethods.SessionNode, (a, ct) => sessions.NodeAsync(a.Node, a.Options, ct));
        Add(register, EndpointRpcMethods.SessionList, (a, ct) => sessions.ListAsync(a, ct));
        Add(register, EndpointRpcMethods.CoordinateUpdate, async (a, ct) =>
        {
            await coordinate.UpdateAsync(a, ct).ConfigureAwait(false);
            return default;
        });
        Add(register, EndpointRpcMethods.CoordinateListNodes, (a, ct) => coordinate.ListNodesAsync(a, ct));
        Add(register, EndpointRpcMethods.CoordinateNode, (a, ct) => coordinate.NodeAsync(a.Node, a.Options, ct));
        Add(register, EndpointRpcMethods.CoordinateListDatacenters, (_, ct) => coordinate.ListDatacentersAsync(ct));
        Add(register, EndpointRpcMethods.StatusLeader, (_, ct) => status.LeaderAsync(ct));
        Add(register, EndpointRpcMethods.StatusPeers, (_, ct) => status.PeersAsync(ct));
        Add(register, EndpointRpcMethods.OperatorRaftConfiguration, raftOperator.ConfigurationAsync);
        Add(register, EndpointRpcMethods.OperatorRaftRemovePeer, async (a, ct) =>
        {
            await raftOperator.RemovePeerAsync(a.Id, a.Address, ct).ConfigureAwait(false);
            return default(ValueTuple);
        });
        var transfers = new SnapshotTransfers(snapshotChunkBytes, TimeProvider.System);
        Add(register, EndpointRpcMethods.SnapshotSave, async (consistency, ct) =>
        {
            var (archive, meta) = await snapshot.SaveAsync(consistency, ct).ConfigureAwait(false);
            return (meta, transfers.Offer(archive));
        });
        Add(register, EndpointRpcMethods.SnapshotRead, (a, _) => Task.FromResult(transfers.Read(a.Transfer, a.Offset)));
        Add(register, EndpointRpcMethods.SnapshotRestore, async (a, ct) =>
        {
            var (transfer, archive) = transfers.Receive(a.Transfer, a.At.Length, a.At.Offset, a.Chunk);
            if (archive is not null)
            {
                await snapshot.RestoreAsync(archive, ct).ConfigureAwait(false);
            }
            return transfer;
        });
    }

    private static void Add<TArgs, TResult>(
        Action<string, Func<ReadOnlyMemory<byte>, CancellationToken, Task<byte[]>>> register,
        EndpointRpcMethod<TArgs, TResult> method,
        Func<TArgs, CancellationToken, Task<TResult>> run) =>
        register(method.Name, method.Handler(run));
}
