using System.Net;
using System.Text;
using Praetor.Agent;
using Praetor.Agent.Endpoints.Remote;
using Praetor.Dns;
using Praetor.Dns.Wire;
using Praetor.State;

namespace Praetor.Api.Tests;

/// <summary>
/// The HTTP API and DNS of an agent whose endpoints read from a server by RPC
/// (<see cref="AgentStartOptions.ServerRpc"/>, in process here) answer as the server's own.
/// </summary>
public sealed class ClientAgentApiTests : IAsyncLifetime
{
    private AgentHost _server = null!;
    private AgentHost _client = null!;

    private HttpClient ServerHttp { get; set; } = null!;

    private HttpClient ClientHttp { get; set; } = null!;

    private static AgentConfig Config(string name) => new()
    {
        DevMode = true, Server = true, HttpPort = 0, DnsPort = AgentConfig.PortDisabled,
        SerfLanPort = AgentConfig.PortDisabled, SerfWanPort = AgentConfig.PortDisabled, NodeName = name,
    };

    public async Task InitializeAsync()
    {
        _server = await AgentHost.StartAsync(Config("server"));
        var rpc = new InProcessServerRpc();
        var agent = _server.Agent;
        EndpointRpcHandlers.Register(rpc.Register, agent.Kv, agent.Txn, agent.Catalog, agent.Health, agent.Status, agent.Sessions, agent.Coordinate, agent.RaftOperator, agent.Snapshot);
        _client = await AgentHost.StartAsync(Config("client"), new AgentStartOptions { ServerRpc = rpc }, CancellationToken.None);
        ServerHttp = new HttpClient { BaseAddress = _server.HttpAddress, Timeout = TimeSpan.FromSeconds(30) };
        ClientHttp = new HttpClient { BaseAddress = _client.HttpAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    public async Task DisposeAsync()
    {
        ServerHttp.Dispose();
        ClientHttp.Dispose();
        await _client.DisposeAsync();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Reads_on_the_client_answer_with_the_servers_status_headers_and_body()
    {
        foreach (var (key, value) in new[] { ("web/a", "1"), ("web/b", "2"), ("web/sub/c", "3") })
        {
            using var put = await ServerHttp.PutAsync("/v1/kv/" + key, new StringContent(value));
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        }
        string[] paths =
        [
            "/v1/kv/web/a", "/v1/kv/web/?recurse", "/v1/kv/?keys&separator=/", "/v1/kv/web/a?raw", "/v1/kv/missing", "/v1/kv/web/a?stale",
            "/v1/catalog/nodes", "/v1/catalog/services", "/v1/catalog/service/consul", "/v1/catalog/node/server", "/v1/catalog/node/nobody",
            "/v1/health/node/server", "/v1/health/checks/consul", "/v1/health/service/consul?passing", "/v1/health/state/any",
            "/v1/status/leader", "/v1/status/peers",
        ];
        foreach (var path in paths)
        {
            using var expected = await ServerHttp.GetAsync(path);
            using var actual = await ClientHttp.GetAsync(path);
            Assert.Equal(expected.StatusCode, actual.StatusCode);
            Assert.Equal(await expected.Content.ReadAsStringAsync(), await actual.Content.ReadAsStringAsync());
            foreach (var header in new[] { "X-Consul-Index", "X-Consul-KnownLeader" })
            {
                Assert.Equal(Header(expected, header), Header(actual, header));
            }
        }
        const string txn = """[{"KV":{"Verb":"get","Key":"web/a"}}]""";
        using var serverTxn = await ServerHttp.PutAsync("/v1/txn", new StringContent(txn, Encoding.UTF8, "application/json"));
        using var clientTxn = await ClientHttp.PutAsync("/v1/txn", new StringContent(txn, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, clientTxn.StatusCode);
        Assert.Equal(await serverTxn.Content.ReadAsStringAsync(), await clientTxn.Content.ReadAsStringAsync());
        Assert.Equal(Header(serverTxn, "X-Consul-Index"), Header(clientTxn, "X-Consul-Index"));
    }

    [Fact]
    public async Task A_blocking_read_on_the_client_wakes_on_a_write_to_the_server()
    {
        using (await ServerHttp.PutAsync("/v1/kv/k", new StringContent("1")))
        {
        }
        using var first = await ClientHttp.GetAsync("/v1/kv/k");
        var index = Header(first, "X-Consul-Index");

        var blocked = ClientHttp.GetAsync($"/v1/kv/k?index={index}&wait=30s&raw");
        using (await ServerHttp.PutAsync("/v1/kv/k", new StringContent("2")))
        {
        }

        using var woken = await blocked.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal("2", await woken.Content.ReadAsStringAsync());
        Assert.True(ulong.Parse(Header(woken, "X-Consul-Index")!) > ulong.Parse(index!));
    }

    [Fact]
    public async Task Operator_raft_on_the_client_answers_through_the_server_and_an_unknown_peer_changes_nothing()
    {
        foreach (var path in new[] { "/v1/operator/raft/configuration", "/v1/operator/raft/configuration?stale" })
        {
            var expected = await ServerHttp.GetStringAsync(path);
            Assert.Equal(expected, await ClientHttp.GetStringAsync(path));
            Assert.Contains($"\"ID\":\"{_server.Agent.NodeId}\",\"Node\":\"server\"", expected, StringComparison.Ordinal);
        }
        var peers = await ServerHttp.GetStringAsync("/v1/status/peers");

        using var removed = await ClientHttp.DeleteAsync("/v1/operator/raft/peer?id=no-such-id");
        using var neither = await ClientHttp.DeleteAsync("/v1/operator/raft/peer");

        Assert.Equal(HttpStatusCode.InternalServerError, removed.StatusCode);
        Assert.Equal("id \"no-such-id\" was not found in the Raft configuration", await removed.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.BadRequest, neither.StatusCode);
        Assert.Equal(peers, await ServerHttp.GetStringAsync("/v1/status/peers"));
    }

    [Fact]
    public async Task Snapshot_save_and_restore_on_the_client_carry_an_archive_of_several_chunks_through_the_server()
    {
        // Incompressible values: the archive spans several of the transfer's 1 MiB chunks.
        var random = new Random(3);
        var values = new byte[4][];
        for (var i = 0; i < values.Length; i++)
        {
            random.NextBytes(values[i] = new byte[400_000]);
            using var put = await ServerHttp.PutAsync($"/v1/kv/big/{i}", new ByteArrayContent(values[i]));
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        }

        using var saved = await ClientHttp.GetAsync("/v1/snapshot");
        Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
        var archive = await saved.Content.ReadAsByteArrayAsync();
        Assert.True(archive.Length > 1024 * 1024, $"{archive.Length} bytes");
        var (meta, state) = SnapshotArchive.Read(archive);
        Assert.Equal(values[2], state.Kv.Get("big/2")!.Value);
        Assert.Equal(_server.Agent.Store.Current.Index.ToString(System.Globalization.CultureInfo.InvariantCulture), Header(saved, "X-Consul-Index"));
        Assert.Equal(state.Index, meta.Index);

        using (await ServerHttp.DeleteAsync("/v1/kv/big/?recurse"))
        {
        }
        using var restored = await ClientHttp.PutAsync("/v1/snapshot", new ByteArrayContent(archive));

        Assert.Equal(HttpStatusCode.OK, restored.StatusCode);
        Assert.Equal(values[2], await ServerHttp.GetByteArrayAsync("/v1/kv/big/2?raw"));
    }

    [Fact]
    public async Task A_garbage_snapshot_restored_on_the_client_is_the_servers_400_and_changes_nothing()
    {
        using (await ServerHttp.PutAsync("/v1/kv/k", new StringContent("1")))
        {
        }
        var index = _server.Agent.Store.Current.Index;
        var garbage = new byte[3 * 1024 * 1024 + 17];
        new Random(4).NextBytes(garbage);

        foreach (var body in new[] { garbage, "not a snapshot"u8.ToArray() })
        {
            using var onServer = await ServerHttp.PutAsync("/v1/snapshot", new ByteArrayContent(body));
            using var onClient = await ClientHttp.PutAsync("/v1/snapshot", new ByteArrayContent(body));

            Assert.Equal(HttpStatusCode.BadRequest, onClient.StatusCode);
            Assert.Equal(await onServer.Content.ReadAsStringAsync(), await onClient.Content.ReadAsStringAsync());
        }
        Assert.Equal(index, _server.Agent.Store.Current.Index);
        Assert.Equal("1", await ServerHttp.GetStringAsync("/v1/kv/k?raw"));
    }

    [Fact]
    public async Task Dns_on_the_client_answers_from_the_servers_catalog()
    {
        var resolver = new DnsResolver(_client.Agent);

        var node = await resolver.ResolveAsync(Query("server.node.consul"), CancellationToken.None);
        var service = await resolver.ResolveAsync(Query("consul.service.consul"), CancellationToken.None);
        var client = await resolver.ResolveAsync(Query("client.node.consul"), CancellationToken.None);

        Assert.Equal(IPAddress.Loopback, Assert.IsType<DnsAddressRecord>(Assert.Single(node!.Answers)).Address);
        Assert.Equal(IPAddress.Loopback, Assert.IsType<DnsAddressRecord>(Assert.Single(service!.Answers)).Address);
        // The client's own registration went to its own log: the server's catalog does not have it.
        Assert.Empty(client!.Answers);
    }

    private static DnsQuery Query(string name) => new(1, 0, true, false, name, (ushort)DnsRecordType.A, DnsClass.Internet, null, false);

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.Single() : null;

    /// <summary>Dispatches each call to the handler registered under its method, as the RPC server would.</summary>
    private sealed class InProcessServerRpc : IServerRpc
    {
        private readonly Dictionary<string, Func<ReadOnlyMemory<byte>, CancellationToken, Task<byte[]>>> _handlers = new(StringComparer.Ordinal);

        public void Register(string method, Func<ReadOnlyMemory<byte>, CancellationToken, Task<byte[]>> handler) => _handlers.Add(method, handler);

        public Task<byte[]> CallAsync(string method, ReadOnlyMemory<byte> body, TimeSpan timeout, CancellationToken cancellationToken) =>
            _handlers[method](body, cancellationToken).WaitAsync(timeout, cancellationToken);
    }
}
