using System.Text;
using System.Text.Json;
using Praetor.Agent.Endpoints;
using Praetor.Agent.Endpoints.Remote;
using Praetor.Raft;
using Praetor.State;
using Praetor.State.Catalog;
using Praetor.State.Commands;

namespace Praetor.Agent.Tests.Endpoints;

/// <summary>A client's remote endpoints answer exactly as the server's own, through the endpoint RPC.</summary>
public sealed class RemoteEndpointTests : IAsyncLifetime, IAsyncDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);
    private static readonly JsonSerializerOptions Json = new() { IncludeFields = true };

    private static readonly QueryOptions[] Modes =
    [
        new(),
        new(Consistency: ConsistencyMode.Stale),
        new(Consistency: ConsistencyMode.Consistent),
        // A blocking query whose index has passed answers at once.
        new(MinIndex: 1, Wait: TimeSpan.FromSeconds(30)),
    ];

    private static readonly NodeMetaFilter Rack1 = new([new("rack", "r1")]);

    private readonly RemoteEndpointFixture _f = new();

    public async Task InitializeAsync()
    {
        var ct = CancellationToken.None;
        await _f.Kv.WriteAsync(new KvOperation(KvVerb.Set, "web/a", "1"u8.ToArray(), Flags: 42), ct);
        await _f.Kv.WriteAsync(new KvOperation(KvVerb.Set, "web/b", []), ct);
        await _f.Kv.WriteAsync(new KvOperation(KvVerb.Set, "web/sub/c", "3"u8.ToArray()), ct);
        await _f.Kv.WriteAsync(new KvOperation(KvVerb.Set, "web/gone", "x"u8.ToArray()), ct);
        await _f.Kv.WriteAsync(new KvOperation(KvVerb.Delete, "web/gone"), ct);
        await _f.Kv.WriteAsync(new KvOperation(KvVerb.Set, "other", "x"u8.ToArray()), ct);
        var node1 = Node("node1", "r1");
        var node2 = Node("node2", "r2");
        Assert.Null(await _f.Catalog.RegisterAsync(new CatalogRegistration(node1, Service("node1", "web", ["primary", "v1"]),
        [
            Check("node1", "serfHealth", "", HealthStatus.Passing),
            Check("node1", "web-http", "web", HealthStatus.Passing) with
            {
                Definition = new CheckRunSpec { Http = "http://127.0.0.1/health", Interval = TimeSpan.FromSeconds(10), Header = new Dictionary<string, IReadOnlyList<string>> { ["X"] = ["a", "b"] } },
            },
        ]), ct));
        Assert.Null(await _f.Catalog.RegisterAsync(new CatalogRegistration(node2, Service("node2", "web", ["v1"]), [Check("node2", "web-tcp", "web", HealthStatus.Warning)]), ct));
        Assert.Null(await _f.Catalog.RegisterAsync(new CatalogRegistration(node2, Service("node2", "db", []), [Check("node2", "db-script", "db", HealthStatus.Critical)]), ct));
    }

    // xunit disposes the class through IAsyncDisposable.
    Task IAsyncLifetime.DisposeAsync() => Task.CompletedTask;

    public ValueTask DisposeAsync() => _f.DisposeAsync();

    [Fact]
    public async Task Kv_reads_through_the_client_equal_the_servers()
    {
        var ct = CancellationToken.None;
        foreach (var options in Modes)
        {
            AssertSame(await _f.Kv.GetAsync("web/a", options, ct), await _f.RemoteKv.GetAsync("web/a", options, ct));
            AssertSame(await _f.Kv.GetAsync("web/b", options, ct), await _f.RemoteKv.GetAsync("web/b", options, ct));
            AssertSame(await _f.Kv.GetAsync("missing", options, ct), await _f.RemoteKv.GetAsync("missing", options, ct));
            AssertSame(await _f.Kv.ListAsync("web/", options, ct), await _f.RemoteKv.ListAsync("web/", options, ct));
            AssertSame(await _f.Kv.ListAsync("", options, ct), await _f.RemoteKv.ListAsync("", options, ct));
            AssertSame(await _f.Kv.KeysAsync("web/", "/", options, ct), await _f.RemoteKv.KeysAsync("web/", "/", options, ct));
            AssertSame(await _f.Kv.KeysAsync("", null, options, ct), await _f.RemoteKv.KeysAsync("", null, options, ct));
        }
        var remote = await _f.RemoteKv.GetAsync("web/a", new QueryOptions(), ct);
        Assert.Equal("1"u8.ToArray(), remote.Value!.Value);
        Assert.Equal(42UL, remote.Value.Flags);
        Assert.True(remote.Meta.KnownLeader);
    }

    [Fact]
    public async Task Read_only_transactions_through_the_client_equal_the_servers()
    {
        var ct = CancellationToken.None;
        TxnOperation[] reads = [new KvOperation(KvVerb.Get, "web/a"), new KvOperation(KvVerb.GetTree, "web/"), new KvOperation(KvVerb.CheckNotExists, "nope")];
        TxnOperation[] failing = [new KvOperation(KvVerb.Get, "missing")];
        foreach (var consistency in Enum.GetValues<ConsistencyMode>())
        {
            AssertSame(await _f.Txn.ApplyAsync(reads, consistency, ct), await _f.RemoteTxn.ApplyAsync(reads, consistency, ct));
            var rolledBack = await _f.RemoteTxn.ApplyAsync(failing, consistency, ct);
            AssertSame(await _f.Txn.ApplyAsync(failing, consistency, ct), rolledBack);
            Assert.False(rolledBack.Result.Committed);
        }
        Assert.All(_f.Rpc.Calls, call => Assert.Equal("Txn.Read", call.Method));
    }

    [Fact]
    public async Task A_transaction_that_writes_goes_to_the_local_endpoint_not_to_the_read_rpc()
    {
        var ct = CancellationToken.None;
        var (result, meta) = await _f.RemoteTxn.ApplyAsync([new KvOperation(KvVerb.Set, "written", "v"u8.ToArray())], ConsistencyMode.Default, ct);

        Assert.True(result.Committed);
        Assert.Null(meta);
        Assert.Empty(_f.Rpc.Calls);
        Assert.Equal("v"u8.ToArray(), _f.Store.Current.Kv.Get("written")!.Value);
    }

    [Fact]
    public async Task Catalog_reads_through_the_client_equal_the_servers()
    {
        var ct = CancellationToken.None;
        foreach (var options in Modes)
        {
            foreach (var meta in new[] { NodeMetaFilter.None, Rack1 })
            {
                AssertSame(await _f.Catalog.NodesAsync(meta, options, ct), await _f.RemoteCatalog.NodesAsync(meta, options, ct));
                AssertSame(await _f.Catalog.ServicesAsync(meta, options, ct), await _f.RemoteCatalog.ServicesAsync(meta, options, ct));
                foreach (var tags in new IReadOnlyList<string>[] { [], ["v1"], ["primary", "v1"], ["none"] })
                {
                    AssertSame(await _f.Catalog.ServiceNodesAsync("web", tags, meta, options, ct), await _f.RemoteCatalog.ServiceNodesAsync("web", tags, meta, options, ct));
                }
            }
            AssertSame(await _f.Catalog.NodeServicesAsync("node2", options, ct), await _f.RemoteCatalog.NodeServicesAsync("node2", options, ct));
            AssertSame(await _f.Catalog.NodeServicesAsync("nobody", options, ct), await _f.RemoteCatalog.NodeServicesAsync("nobody", options, ct));
        }
        Assert.Equal(2, (await _f.RemoteCatalog.NodesAsync(NodeMetaFilter.None, new QueryOptions(), ct)).Value.Count);
        Assert.Null((await _f.RemoteCatalog.NodeServicesAsync("nobody", new QueryOptions(), ct)).Value.Node);
        Assert.Equal(["dc1", "dc2"], _f.RemoteCatalog.Datacenters());
    }

    [Fact]
    public async Task Health_reads_through_the_client_equal_the_servers()
    {
        var ct = CancellationToken.None;
        foreach (var options in Modes)
        {
            AssertSame(await _f.Health.NodeChecksAsync("node1", options, ct), await _f.RemoteHealth.NodeChecksAsync("node1", options, ct));
            AssertSame(await _f.Health.ServiceChecksAsync("web", options, ct), await _f.RemoteHealth.ServiceChecksAsync("web", options, ct));
            foreach (var state in new[] { HealthStatus.Any, HealthStatus.Passing, HealthStatus.Warning, HealthStatus.Critical })
            {
                AssertSame(await _f.Health.ChecksInStateAsync(state, options, ct), await _f.RemoteHealth.ChecksInStateAsync(state, options, ct));
            }
            foreach (var passingOnly in new[] { false, true })
            {
                foreach (var meta in new[] { NodeMetaFilter.None, Rack1 })
                {
                    foreach (var tags in new IReadOnlyList<string>[] { [], ["v1"], ["primary"] })
                    {
                        AssertSame(
                            await _f.Health.ServiceHealthAsync("web", tags, meta, passingOnly, options, ct),
                            await _f.RemoteHealth.ServiceHealthAsync("web", tags, meta, passingOnly, options, ct));
                    }
                }
            }
        }
        var checks = (await _f.RemoteHealth.NodeChecksAsync("node1", new QueryOptions(), ct)).Value;
        Assert.Equal("http://127.0.0.1/health", checks.Single(c => c.CheckId == "web-http").Definition.Http);
    }

    [Fact]
    public async Task Status_through_the_client_is_the_servers_view()
    {
        var ct = CancellationToken.None;
        Assert.Equal("127.0.0.1:8300", await _f.RemoteStatus.LeaderAsync(ct));
        Assert.Equal(await _f.Status.LeaderAsync(ct), await _f.RemoteStatus.LeaderAsync(ct));
        Assert.Equal(await _f.Status.PeersAsync(ct), await _f.RemoteStatus.PeersAsync(ct));
    }

    [Fact]
    public async Task The_raft_configuration_through_the_client_is_the_servers_and_an_unknown_peer_is_refused_alike()
    {
        var ct = CancellationToken.None;
        foreach (var consistency in Enum.GetValues<ConsistencyMode>())
        {
            AssertSame(await _f.RaftOperator.ConfigurationAsync(consistency, ct), await _f.RemoteRaftOperator.ConfigurationAsync(consistency, ct));
        }
        var server = Assert.Single((await _f.RemoteRaftOperator.ConfigurationAsync(ConsistencyMode.Default, ct)).Servers);
        Assert.Equal(("server1-id", "server1", "127.0.0.1:8300", true), (server.Id, server.Node, server.Address, server.Leader));
        Assert.True(server.LastIndex > 0);

        foreach (var (id, address) in new[] { ("no-such-id", null), (null, "10.9.9.9:8300"), ((string?)null, (string?)null) })
        {
            var local = await Assert.ThrowsAsync<EndpointException>(() => _f.RaftOperator.RemovePeerAsync(id, address, ct));
            var remote = await Assert.ThrowsAsync<EndpointException>(() => _f.RemoteRaftOperator.RemovePeerAsync(id, address, ct));
            Assert.Equal((local.Kind, local.Message), (remote.Kind, remote.Message));
        }
        Assert.Single(await _f.Status.PeersAsync(ct));
    }

    [Fact]
    public async Task A_snapshot_saved_through_the_client_comes_in_chunks_and_restores_through_it()
    {
        var ct = CancellationToken.None;
        var (archive, meta) = await _f.RemoteSnapshot.SaveAsync(ConsistencyMode.Default, ct);

        var (_, state) = SnapshotArchive.Read(archive);
        Assert.Equal(_f.Store.Current.Index, meta.Index);
        Assert.Equal("1"u8.ToArray(), state.Kv.Get("web/a")!.Value);
        var chunks = (archive.Length + RemoteEndpointFixture.SnapshotChunkBytes - 1) / RemoteEndpointFixture.SnapshotChunkBytes;
        Assert.True(chunks > 3, $"{archive.Length} bytes");
        Assert.Equal(chunks - 1, _f.Rpc.Calls.Count(c => c.Method == "Snapshot.Read"));

        await _f.Kv.WriteAsync(new KvOperation(KvVerb.Set, "web/a", "changed"u8.ToArray()), ct);
        await _f.Kv.WriteAsync(new KvOperation(KvVerb.Set, "added", "x"u8.ToArray()), ct);
        await _f.RemoteSnapshot.RestoreAsync(archive, ct);

        Assert.Equal("1"u8.ToArray(), _f.Store.Current.Kv.Get("web/a")!.Value);
        Assert.Null(_f.Store.Current.Kv.Get("added"));
        Assert.Equal(chunks, _f.Rpc.Calls.Count(c => c.Method == "Snapshot.Restore"));
        Assert.All(_f.Rpc.Calls, c => Assert.Equal(RemoteSnapshotEndpoint.CallTimeout, c.Timeout));
    }

    [Fact]
    public async Task A_blocking_query_through_the_client_wakes_on_a_write_on_the_server()
    {
        var ct = CancellationToken.None;
        var before = await _f.RemoteKv.GetAsync("web/a", new QueryOptions(), ct);
        var blocked = _f.RemoteKv.GetAsync("web/a", new QueryOptions(before.Meta.Index, TimeSpan.FromMinutes(1)), ct);
        var listBlocked = _f.RemoteKv.ListAsync("web/", new QueryOptions(before.Meta.Index, TimeSpan.FromMinutes(1)), ct);
        Assert.False(blocked.IsCompleted);

        await _f.Kv.WriteAsync(new KvOperation(KvVerb.Set, "web/a", "2"u8.ToArray()), ct);

        var after = await blocked.WaitAsync(Deadline, ct);
        Assert.True(after.Meta.Index > before.Meta.Index);
        Assert.Equal("2"u8.ToArray(), after.Value!.Value);
        Assert.Equal(after.Meta.Index, (await listBlocked.WaitAsync(Deadline, ct)).Meta.Index);
    }

    [Fact]
    public async Task A_blocking_querys_rpc_timeout_outlasts_its_wait_and_jitter()
    {
        var ct = CancellationToken.None;
        var index = (await _f.RemoteKv.GetAsync("web/a", new QueryOptions(), ct)).Meta.Index;
        await _f.RemoteKv.GetAsync("web/a", new QueryOptions(index, TimeSpan.FromMilliseconds(160)), ct);

        var timeouts = _f.Rpc.Calls.Select(c => c.Timeout).ToArray();
        Assert.Equal([EndpointRpcClient.HoldTimeout, TimeSpan.FromMilliseconds(170) + EndpointRpcClient.HoldTimeout], timeouts);
        // No wait: the default query time; a wait past the maximum: the maximum, as the server clamps it.
        Assert.Equal(_f.Config.DefaultQueryTime * 17 / 16 + EndpointRpcClient.HoldTimeout, _f.Client.Timeout(new QueryOptions(1)));
        Assert.Equal(_f.Config.MaxQueryTime * 17 / 16 + EndpointRpcClient.HoldTimeout, _f.Client.Timeout(new QueryOptions(1, TimeSpan.FromHours(1))));
    }

    [Fact]
    public async Task Writes_through_the_client_endpoints_go_to_the_local_endpoints()
    {
        var ct = CancellationToken.None;
        Assert.True((await _f.RemoteKv.WriteAsync(new KvOperation(KvVerb.Set, "k", "v"u8.ToArray()), ct)).Committed);
        Assert.Null(await _f.RemoteCatalog.RegisterAsync(new CatalogRegistration(Node("node3", "r3"), null, []), ct));
        await _f.RemoteCatalog.DeregisterAsync("node3", null, null, ct);

        Assert.Empty(_f.Rpc.Calls);
        Assert.NotNull(_f.Store.Current.Kv.Get("k"));
        Assert.Null(_f.Store.Current.Catalog.Node("node3"));
    }

    [Fact]
    public async Task Session_reads_through_the_client_equal_the_servers_and_writes_go_through_the_log()
    {
        var ct = CancellationToken.None;
        var id = await _f.RemoteSessions.CreateAsync(new State.Sessions.Session { Id = "", Node = "node1", Name = "lock", Ttl = "10s", NodeChecks = ["serfHealth"] }, ct);
        Assert.DoesNotContain(_f.Rpc.Calls, call => call.Method.StartsWith("Session.", StringComparison.Ordinal));
        foreach (var options in Modes)
        {
            AssertSame(await _f.Sessions.InfoAsync(id, options, ct), await _f.RemoteSessions.InfoAsync(id, options, ct));
            AssertSame(await _f.Sessions.InfoAsync("nope", options, ct), await _f.RemoteSessions.InfoAsync("nope", options, ct));
            AssertSame(await _f.Sessions.NodeAsync("node1", options, ct), await _f.RemoteSessions.NodeAsync("node1", options, ct));
            AssertSame(await _f.Sessions.ListAsync(options, ct), await _f.RemoteSessions.ListAsync(options, ct));
        }
        Assert.Equal("lock", (await _f.RemoteSessions.RenewAsync(id, ct))!.Name);
        Assert.Null(await _f.RemoteSessions.RenewAsync("nope", ct));

        await _f.RemoteSessions.DestroyAsync(id, ct);

        Assert.Empty((await _f.RemoteSessions.ListAsync(new QueryOptions(), ct)).Value);
    }

    private static void AssertSame<T>(T expected, T actual) =>
        Assert.Equal(JsonSerializer.Serialize(expected, Json), JsonSerializer.Serialize(actual, Json));

    internal static CatalogNode Node(string name, string rack) => new()
    {
        Node = name,
        Id = Guid.NewGuid().ToString(),
        Address = "10.0.0." + name[^1],
        Datacenter = "dc1",
        TaggedAddresses = new Dictionary<string, string> { ["lan"] = "10.0.0." + name[^1] },
        Meta = new Dictionary<string, string> { ["rack"] = rack },
    };

    private static ServiceInstance Service(string node, string name, string[] tags) => new()
    {
        Node = node,
        Id = name,
        Service = name,
        Tags = tags,
        Port = 8080,
        Meta = new Dictionary<string, string> { ["version"] = Encoding.UTF8.GetString("1.0"u8) },
    };

    private static HealthCheck Check(string node, string id, string serviceId, string status) => new()
    {
        Node = node,
        CheckId = id,
        Name = id,
        Status = status,
        Output = "output of " + id,
        ServiceId = serviceId,
        ServiceName = serviceId,
    };
}
