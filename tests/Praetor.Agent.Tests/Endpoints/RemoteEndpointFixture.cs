using Praetor.Agent.Endpoints;
using Praetor.Agent.Endpoints.Remote;
using Praetor.Agent.Metrics;
using Praetor.Raft;
using Praetor.State;

namespace Praetor.Agent.Tests.Endpoints;

/// <summary>
/// A server's endpoints over a state store and a single-node log (or a given log), their RPC
/// handlers registered on an <see cref="InProcessServerRpc"/>, and a client's remote endpoints
/// calling them.
/// </summary>
internal sealed class RemoteEndpointFixture : IAsyncDisposable
{
    public RemoteEndpointFixture(IReplicatedLog? log = null)
    {
        Config = new AgentConfig { NodeName = "server1", Datacenter = "dc1" };
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
        EndpointRpcHandlers.Register(Rpc.Register, Kv, Txn, Catalog, Health, Status);
        var client = new EndpointRpcClient(Rpc, Config);
        Client = client;
        RemoteKv = new RemoteKvEndpoint(client, Kv);
        RemoteTxn = new RemoteTxnEndpoint(client, Txn);
        RemoteCatalog = new RemoteCatalogEndpoint(client, Catalog);
        RemoteHealth = new RemoteHealthEndpoint(client);
        RemoteStatus = new RemoteStatusEndpoint(client);
    }

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

    public async ValueTask DisposeAsync()
    {
        await Log.DisposeAsync();
        Meters.Dispose();
    }
}
