using Praetor.Agent.Cluster;
using Praetor.Agent.Endpoints;
using Praetor.Agent.Endpoints.Remote;
using Praetor.Agent.Metrics;
using Praetor.Raft;
using Praetor.State;
using Praetor.State.Commands;

namespace Praetor.Agent.Tests.Endpoints;

/// <summary>
/// A server's endpoints over a state store and a single-node log (or a given log), their RPC
/// handlers registered on an <see cref="InProcessServerRpc"/>, and a client's remote endpoints
/// calling them. Snapshots travel in chunks of <see cref="SnapshotChunkBytes"/>, so even a small
/// state takes several.
/// </summary>
internal sealed class RemoteEndpointFixture : IAsyncDisposable
{
    /// <param name="log">The server's log; null: a single-node log that leads.</param>
    /// <param name="kv">The server's KV endpoint as its RPC handlers see it; null: the real one.</param>
    /// <param name="maxQueryTime">The server's (and client's) default and maximum query time; null: Consul's.</param>
    public RemoteEndpointFixture(IReplicatedLog? log = null, Func<KvEndpoint, IKvEndpoint>? kv = null, TimeSpan? maxQueryTime = null)
    {
        Config = new AgentConfig { NodeName = "server1", Datacenter = "dc1" };
        if (maxQueryTime is { } max)
        {
            Config = Config with { DefaultQueryTime = max, MaxQueryTime = max };
        }
        Store = new StateStore();
        Log = log ?? RaftLog.SingleNode(new StateMachine(Store), "127.0.0.1:8300");
        Meters = new AgentMeterFactory();
        var metrics = new AgentMetrics(Meters);
        var blocking = new BlockingQuery(Store, Log, Config, TimeProvider.System);
        var txn = new TxnEndpoint(Store, Log, blocking, metrics);
        Txn = txn;
        Kv = new KvEndpoint(Store, txn, blocking, metrics);
        Catalog = new CatalogEndpoint(Store, Log, blocking, Config, () => ["dc2"]);
        Health = new HealthEndpoint(Store, blocking);
        Status = new StatusEndpoint(Log);
        Sessions = new SessionEndpoint(Store, Log, blocking, () => Config.SessionTtlMin);
        Coordinate = new CoordinateEndpoint(Store, Log, blocking, () => [new DatacenterCoordinates("dc1", "wan", [])], CoordinateEndpoint.UpdatePeriod, TimeProvider.System, null);
        RaftOperator = Log is RaftLog raft ? new RaftOperator(raft, Log, _ => ("server1-id", "server1"), leader: null) : new NoLeaderRaftOperator();
        Snapshot = new SnapshotEndpoint(Store, Log, () => 1, blocking, TimeProvider.System);
        EndpointRpcHandlers.Register(Rpc.Register, kv?.Invoke(Kv) ?? Kv, Txn, Catalog, Health, Status, Sessions, Coordinate, RaftOperator, Snapshot, SnapshotChunkBytes);
        var client = new EndpointRpcClient(Rpc, Config);
        Client = client;
        RemoteKv = new RemoteKvEndpoint(client, Kv);
        RemoteTxn = new RemoteTxnEndpoint(client, Txn);
        RemoteCatalog = new RemoteCatalogEndpoint(client, Catalog);
        RemoteHealth = new RemoteHealthEndpoint(client);
        RemoteStatus = new RemoteStatusEndpoint(client);
        RemoteSessions = new RemoteSessionEndpoint(client, Sessions);
        RemoteRaftOperator = new RemoteRaftOperator(client);
        RemoteSnapshot = new RemoteSnapshotEndpoint(client, SnapshotChunkBytes);
        RemoteCoordinate = new RemoteCoordinateEndpoint(client);
    }

    /// <summary>The snapshot transfer's chunk size both ways.</summary>
    public const int SnapshotChunkBytes = 100;

    public SessionEndpoint Sessions { get; }

    public RemoteSessionEndpoint RemoteSessions { get; }

    public AgentConfig Config { get; }

    public StateStore Store { get; }

    public IReplicatedLog Log { get; }

    public AgentMeterFactory Meters { get; }

    public InProcessServerRpc Rpc { get; } = new();

    public EndpointRpcClient Client { get; }

    public KvEndpoint Kv { get; }

    public TxnEndpoint Txn { get; }

    public CatalogEndpoint Catalog { get; }

    public HealthEndpoint Health { get; }

    public StatusEndpoint Status { get; }

    public RemoteKvEndpoint RemoteKv { get; }

    public RemoteTxnEndpoint RemoteTxn { get; }

    public RemoteCatalogEndpoint RemoteCatalog { get; }

    public RemoteHealthEndpoint RemoteHealth { get; }

    public RemoteStatusEndpoint RemoteStatus { get; }

    public IRaftOperator RaftOperator { get; }

    public SnapshotEndpoint Snapshot { get; }

    public RemoteRaftOperator RemoteRaftOperator { get; }

    public RemoteSnapshotEndpoint RemoteSnapshot { get; }

    public CoordinateEndpoint Coordinate { get; }

    public RemoteCoordinateEndpoint RemoteCoordinate { get; }

    /// <summary>
    /// One call of each read through the client's endpoints: every RPC method once. The last four
    /// need no leader: the WAN coordinates, a coordinate update (queued; its node is registered
    /// first), and the two Status reads.
    /// </summary>
    public IReadOnlyList<Func<Task>> RemoteReads(QueryOptions options) =>
    [
        () => RemoteKv.GetAsync("web/a", options, CancellationToken.None),
        () => RemoteKv.ListAsync("web/", options, CancellationToken.None),
        () => RemoteKv.KeysAsync("web/", "/", options, CancellationToken.None),
        () => RemoteTxn.ApplyAsync([new KvOperation(KvVerb.Get, "web/a")], options.Consistency, CancellationToken.None),
        () => RemoteCatalog.NodesAsync(new NodeMetaFilter([new("rack", "r1")]), options, CancellationToken.None),
        () => RemoteCatalog.ServicesAsync(NodeMetaFilter.None, options, CancellationToken.None),
        () => RemoteCatalog.ServiceNodesAsync("web", ["v1"], NodeMetaFilter.None, options, CancellationToken.None),
        () => RemoteCatalog.NodeServicesAsync("node1", options, CancellationToken.None),
        () => RemoteHealth.NodeChecksAsync("node1", options, CancellationToken.None),
        () => RemoteHealth.ServiceChecksAsync("web", options, CancellationToken.None),
        () => RemoteHealth.ServiceHealthAsync("web", ["v1"], NodeMetaFilter.None, true, options, CancellationToken.None),
        () => RemoteHealth.ChecksInStateAsync("passing", options, CancellationToken.None),
        () => RemoteSessions.InfoAsync("s1", options, CancellationToken.None),
        () => RemoteSessions.NodeAsync("node1", options, CancellationToken.None),
        () => RemoteSessions.ListAsync(options, CancellationToken.None),
        () => RemoteCoordinate.ListNodesAsync(options, CancellationToken.None),
        () => RemoteCoordinate.NodeAsync("node1", options, CancellationToken.None),
        () => RemoteCoordinate.ListDatacentersAsync(CancellationToken.None),
        async () =>
        {
            if (Store.Current.Catalog.Node("node1") is null)
            {
                await Catalog.RegisterAsync(new State.Catalog.CatalogRegistration(new State.Catalog.CatalogNode { Node = "node1", Address = "10.0.0.1" }, null, []), CancellationToken.None);
            }
            await RemoteCoordinate.UpdateAsync(new State.Coordinates.CoordinateEntry("node1", "", Praetor.Gossip.Serf.Coordinate.Origin(Praetor.Gossip.Serf.VivaldiConfig.Default)), CancellationToken.None);
        },
        // The status reads stay last: they answer without a leader.
        () => RemoteStatus.LeaderAsync(CancellationToken.None),
        () => RemoteStatus.PeersAsync(CancellationToken.None),
    ];

    /// <summary>
    /// One call of each Raft operator and snapshot method through the client's endpoints (a
    /// remove-peer of an unknown server, refused; a save whose archive is restored), every RPC
    /// method of theirs once.
    /// </summary>
    public IReadOnlyList<Func<Task>> RemoteOperations() =>
    [
        () => RemoteRaftOperator.ConfigurationAsync(ConsistencyMode.Default, CancellationToken.None),
        () => Assert.ThrowsAsync<EndpointException>(() => RemoteRaftOperator.RemovePeerAsync("no-such-id", null, CancellationToken.None)),
        async () =>
        {
            var (archive, _) = await RemoteSnapshot.SaveAsync(ConsistencyMode.Default, CancellationToken.None);
            await RemoteSnapshot.RestoreAsync(archive, CancellationToken.None);
        },
    ];

    public async ValueTask DisposeAsync()
    {
        await Coordinate.DisposeAsync();
        await Log.DisposeAsync();
        Meters.Dispose();
    }
}

/// <summary>A Raft operator on a server that has no leader (the fixture's log is not a <see cref="RaftLog"/>).</summary>
internal sealed class NoLeaderRaftOperator : IRaftOperator
{
    public Task<RaftConfigurationInfo> ConfigurationAsync(ConsistencyMode consistency, CancellationToken cancellationToken) =>
        Task.FromException<RaftConfigurationInfo>(new NotLeaderException("No cluster leader"));

    public Task RemovePeerAsync(string? id, string? address, CancellationToken cancellationToken) =>
        Task.FromException(new NotLeaderException("No cluster leader"));
}
