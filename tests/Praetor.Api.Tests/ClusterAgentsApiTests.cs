using System.Net;
using System.Text.Json;
using Praetor.Agent;

namespace Praetor.Api.Tests;

/// <summary>
/// In process, on loopback: three server agents formed with <c>bootstrap_expect</c> 3 (Raft in
/// <c>data_dir</c>, real gossip and server ports) and a client agent joined to them. The Raft
/// operator and snapshot endpoints answer on every agent: a follower and the client through the
/// leader, so each shows every server's true last index.
/// </summary>
public sealed class ClusterAgentsApiTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    private readonly List<AgentHost> _hosts = [];
    private readonly List<HttpClient> _http = [];
    private readonly string _root = Path.Combine(Path.GetTempPath(), "praetor-cluster-" + Guid.NewGuid().ToString("N"));

    private HttpClient Client => _http[3];

    private AgentConfig Config(string name, bool server) => new()
    {
        Server = server, BootstrapExpect = server ? 3 : 0, NodeName = name, BindAddr = "127.0.0.1", DataDir = Path.Combine(_root, name),
        HttpPort = 0, DnsPort = AgentConfig.PortDisabled, SerfLanPort = 0, SerfWanPort = AgentConfig.PortDisabled, ServerPort = 0, RaftMultiplier = 1,
    };

    public async Task InitializeAsync()
    {
        foreach (var (name, server) in new[] { ("s1", true), ("s2", true), ("s3", true), ("c1", false) })
        {
            var host = await AgentHost.StartAsync(Config(name, server));
            _hosts.Add(host);
            _http.Add(new HttpClient { BaseAddress = host.HttpAddress, Timeout = TimeSpan.FromSeconds(60) });
        }
        var first = _hosts[0].Agent.Lan!.Pool.AdvertiseEndpoint.Port;
        foreach (var http in _http.Skip(1))
        {
            using var join = await http.PutAsync($"/v1/agent/join/127.0.0.1:{first}", null);
            Assert.Equal(HttpStatusCode.OK, join.StatusCode);
        }
        // Formed: every server in the leader's configuration, each with entries, and a write through the client.
        await WaitUntilAsync(async () =>
        {
            var servers = await ServersAsync(_http[LeaderIndex()]);
            return servers.Count == 3 && servers.All(s => s.LastIndex > 0);
        });
        await WaitUntilAsync(async () =>
        {
            using var put = await Client.PutAsync("/v1/kv/formed", new StringContent("yes"));
            return put.StatusCode == HttpStatusCode.OK;
        });
    }

    public async Task DisposeAsync()
    {
        foreach (var http in _http)
        {
            http.Dispose();
        }
        for (var i = _hosts.Count - 1; i >= 0; i--)
        {
            await _hosts[i].DisposeAsync();
        }
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a temp directory.
        }
    }

    [Fact]
    public async Task Every_agent_shows_the_leaders_configuration_with_every_servers_last_index()
    {
        var leader = LeaderIndex();
        var follower = (leader + 1) % 3;
        // The figures move on with every write: the answers agree once compared between two writes.
        await WaitUntilAsync(async () =>
        {
            var expected = await _http[leader].GetStringAsync("/v1/operator/raft/configuration");
            return expected == await _http[follower].GetStringAsync("/v1/operator/raft/configuration")
                && expected == await Client.GetStringAsync("/v1/operator/raft/configuration?consistent");
        });
        var servers = await ServersAsync(Client);
        Assert.Equal(["s1", "s2", "s3"], servers.Select(s => s.Node).Order());
        Assert.All(servers, s => Assert.True(s.LastIndex > 0, s.Node));
        Assert.Equal(_hosts[leader].Agent.Config.NodeName, Assert.Single(servers, s => s.Leader).Node);
        // ?stale is the asked server's own view: a follower knows its own index, not the others'.
        var stale = await ServersAsync(_http[follower], "?stale");
        Assert.Equal(servers.Select(s => s.Node).Order(), stale.Select(s => s.Node).Order());
    }

    [Fact]
    public async Task List_peers_and_remove_peer_of_an_unknown_server_through_a_follower_and_the_client_change_nothing()
    {
        var follower = (LeaderIndex() + 1) % 3;
        foreach (var http in new[] { _http[follower], Client })
        {
            foreach (var query in new[] { "?id=no-such-id", "?address=10.9.9.9:8300" })
            {
                using var removed = await http.DeleteAsync("/v1/operator/raft/peer" + query);
                Assert.Equal(HttpStatusCode.InternalServerError, removed.StatusCode);
                Assert.EndsWith("was not found in the Raft configuration", await removed.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            }
        }
        Assert.Equal(3, (await ServersAsync(_http[LeaderIndex()])).Count);
        Assert.Equal(3, JsonDocument.Parse(await Client.GetStringAsync("/v1/status/peers")).RootElement.GetArrayLength());
    }

    [Fact]
    public async Task A_snapshot_saved_through_the_client_restores_through_the_client_and_garbage_changes_nothing()
    {
        using (var put = await Client.PutAsync("/v1/kv/app/one", new StringContent("1")))
        {
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        }
        using var saved = await Client.GetAsync("/v1/snapshot");
        Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
        var archive = await saved.Content.ReadAsByteArrayAsync();
        using (await Client.PutAsync("/v1/kv/app/one", new StringContent("2")))
        {
        }
        using (await Client.PutAsync("/v1/kv/app/two", new StringContent("2")))
        {
        }

        var garbage = new byte[2 * 1024 * 1024 + 5];
        new Random(5).NextBytes(garbage);
        using var refused = await Client.PutAsync("/v1/snapshot", new ByteArrayContent(garbage));
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.NotEmpty(await refused.Content.ReadAsStringAsync());
        Assert.Equal("2", await Client.GetStringAsync("/v1/kv/app/one?raw"));

        using var restored = await Client.PutAsync("/v1/snapshot", new ByteArrayContent(archive));
        Assert.Equal(HttpStatusCode.OK, restored.StatusCode);
        foreach (var http in _http)
        {
            await WaitUntilAsync(async () => await http.GetStringAsync("/v1/kv/app/one?raw&stale") == "1");
            using var two = await http.GetAsync("/v1/kv/app/two?stale");
            Assert.Equal(HttpStatusCode.NotFound, two.StatusCode);
        }
    }

    /// <summary>The index of the server that leads now.</summary>
    private int LeaderIndex() => _hosts.Take(3).ToList().FindIndex(h => h.Agent.Raft!.Leader.IsLeader) is var i and >= 0
        ? i
        : throw new InvalidOperationException("no leader");

    private static async Task<List<(string Node, bool Leader, ulong LastIndex)>> ServersAsync(HttpClient http, string query = "")
    {
        using var document = JsonDocument.Parse(await http.GetStringAsync("/v1/operator/raft/configuration" + query));
        return [.. document.RootElement.GetProperty("Servers").EnumerateArray()
            .Select(s => (s.GetProperty("Node").GetString()!, s.GetProperty("Leader").GetBoolean(), s.GetProperty("LastIndex").GetUInt64()))];
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + Deadline;
        while (true)
        {
            try
            {
                if (await condition())
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or InvalidOperationException or KeyNotFoundException or JsonException)
            {
                // Not formed yet: no leader, or a server not answering yet.
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("the cluster did not get there in time");
            }
            await Task.Delay(50);
        }
    }
}
