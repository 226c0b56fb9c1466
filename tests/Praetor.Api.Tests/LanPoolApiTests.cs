using System.Text.Json;
using Praetor.Agent;
using Praetor.Agent.Gossip;
using Praetor.Gossip;
using Praetor.Gossip.Serf;

namespace Praetor.Api.Tests;

/// <summary>
/// The agent on (fake) LAN and WAN pools: members, join, leave, force-leave, user events, the
/// leader's catalog reconciliation, and the WAN side (<c>?wan=1</c>, datacenters).
/// </summary>
public sealed class LanPoolApiTests : IAsyncLifetime, IDisposable
{
    private AgentHost _host = null!;
    private FakeLanPool _pool = null!;
    private FakeLanPool? _wanPool;
    private HttpClient _http = null!;

    private static AgentConfig Config => new()
    {
        DevMode = true, Server = true, Bootstrap = true, HttpPort = 0, DnsPort = AgentConfig.PortDisabled, SerfLanPort = 0, SerfWanPort = 0, NodeName = "lan-node",
        NodeId = "0b4b35a4-30ba-4d1f-9fc1-6b8a2c2e4d11",
    };

    public async Task InitializeAsync()
    {
        _host = await StartAsync(Config);
        _http = new HttpClient { BaseAddress = _host.HttpAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    private async Task<AgentHost> StartAsync(AgentConfig config, Func<IReadOnlyList<string>, int>? joinResult = null)
    {
        _wanPool = null;
        return await AgentHost.StartAsync(config, new AgentStartOptions
        {
            // One factory for both pools (WanPool unset): each fake is kept by its area.
            LanPool = (settings, _, _) =>
            {
                var pool = new FakeLanPool(settings);
                if (joinResult is not null)
                {
                    pool.JoinResult = joinResult;
                }
                if (settings.Area == GossipArea.Wan)
                {
                    _wanPool = pool;
                }
                else
                {
                    _pool = pool;
                }
                return Task.FromResult<ISerfPool>(pool);
            },
        }, CancellationToken.None);
    }

    private FakeLanPool WanPool => _wanPool ?? throw new InvalidOperationException("no WAN pool was started");

    public async Task DisposeAsync() => await _host.DisposeAsync();

    public void Dispose() => _http.Dispose();

    [Fact]
    public void The_pool_gets_consul_member_tags_bind_and_advertise()
    {
        var tags = _pool.Settings.Tags;
        Assert.Equal("consul", tags["role"]);
        Assert.Equal("dc1", tags["dc"]);
        Assert.Equal("", tags["segment"]);
        Assert.Equal("0b4b35a4-30ba-4d1f-9fc1-6b8a2c2e4d11", tags["id"]);
        Assert.Equal("2", tags["vsn"]);
        Assert.Equal("2", tags["vsn_min"]);
        Assert.Equal("3", tags["vsn_max"]);
        Assert.Equal("3", tags["raft_vsn"]);
        Assert.Equal($"{BuildInfo.ConsulVersion}:{BuildInfo.Revision}", tags["build"]);
        Assert.Equal("8300", tags["port"]);
        Assert.Equal("1", tags["bootstrap"]);
        // ports.serf_wan 0: the port the WAN pool bound.
        Assert.Equal("18302", tags["wan_join_port"]);
        Assert.False(tags.ContainsKey("expect"));
        Assert.Equal("lan-node", _pool.Settings.NodeName);
        Assert.Equal(0, _pool.Settings.Bind.Port);
        Assert.Equal("127.0.0.1:0", _pool.Settings.Advertise!.ToString());
        Assert.Null(_pool.Settings.Keyring);
        // -dev gossips fast, as Consul's -dev does.
        Assert.Equal(TimeSpan.FromMilliseconds(200), _pool.Settings.Gossip.ProbeInterval);
        Assert.Equal(GossipArea.Lan, _pool.Settings.Area);
    }

    [Fact]
    public void A_server_starts_a_wan_pool_as_node_dc_with_server_tags_and_wan_timings()
    {
        var settings = WanPool.Settings;
        Assert.Equal(GossipArea.Wan, settings.Area);
        Assert.Equal("lan-node.dc1", settings.NodeName);
        Assert.Equal("0.0.0.0:0", settings.Bind.ToString());
        Assert.Equal("127.0.0.1:0", settings.Advertise!.ToString());
        Assert.Equal("consul", settings.Tags["role"]);
        Assert.Equal("dc1", settings.Tags["dc"]);
        Assert.Equal("8300", settings.Tags["port"]);
        Assert.Equal("0b4b35a4-30ba-4d1f-9fc1-6b8a2c2e4d11", settings.Tags["id"]);
        Assert.False(settings.Tags.ContainsKey("wan_join_port"));
        // -dev: fast, as Consul's dev gossip_wan; gossip_wan's 4 nodes per round stay.
        Assert.Equal(TimeSpan.FromMilliseconds(200), settings.Gossip.ProbeInterval);
        Assert.Equal(4, settings.Gossip.GossipNodes);
    }

    [Fact]
    public async Task Wan_members_list_the_wan_pool_with_consuls_member_json()
    {
        var far = FakeLanPool.Member("far.dc2", ServerTags("dc2"), address: "127.0.0.3", port: 8302);
        WanPool.Deliver(SerfEventType.MemberJoin, far);
        using var wan = JsonDocument.Parse(await _http.GetStringAsync("/v1/agent/members?wan=1"));
        var members = wan.RootElement.EnumerateArray().ToList();
        Assert.Equal(["far.dc2", "lan-node.dc1"], members.Select(m => m.GetProperty("Name").GetString()).Order().ToList());
        var other = members.Single(m => m.GetProperty("Name").GetString() == "far.dc2");
        Assert.Equal(["Name", "Addr", "Port", "Tags", "Status", "ProtocolMin", "ProtocolMax", "ProtocolCur", "DelegateMin", "DelegateMax", "DelegateCur"],
            other.EnumerateObject().Select(p => p.Name).ToList());
        Assert.Equal("127.0.0.3", other.GetProperty("Addr").GetString());
        Assert.Equal(8302, other.GetProperty("Port").GetInt32());
        Assert.Equal("dc2", other.GetProperty("Tags").GetProperty("dc").GetString());
        var self = members.Single(m => m.GetProperty("Name").GetString() == "lan-node.dc1");
        Assert.Equal(18302, self.GetProperty("Port").GetInt32());
        // The LAN listing is untouched by WAN members.
        using var lan = JsonDocument.Parse(await _http.GetStringAsync("/v1/agent/members"));
        Assert.Equal("lan-node", Assert.Single(lan.RootElement.EnumerateArray().ToList()).GetProperty("Name").GetString());
    }

    [Fact]
    public async Task Datacenters_are_this_one_first_then_those_of_wan_servers_by_name_when_none_has_a_coordinate()
    {
        Assert.Equal("[\"dc1\"]", await _http.GetStringAsync("/v1/catalog/datacenters"));
        WanPool.Deliver(SerfEventType.MemberJoin, FakeLanPool.Member("b.dc3", ServerTags("dc3")));
        WanPool.Deliver(SerfEventType.MemberJoin, FakeLanPool.Member("a.dc0", ServerTags("dc0")));
        WanPool.Deliver(SerfEventType.MemberJoin, FakeLanPool.Member("c.dc3", ServerTags("dc3")));
        WanPool.Deliver(SerfEventType.MemberFailed, FakeLanPool.Member("d.dc4", ServerTags("dc4"), MemberStatus.Failed));
        WanPool.Deliver(SerfEventType.MemberLeave, FakeLanPool.Member("e.dc5", ServerTags("dc5"), MemberStatus.Left));
        WanPool.Deliver(SerfEventType.MemberJoin, FakeLanPool.Member("plain-serf", new Dictionary<string, string> { ["role"] = "web", ["dc"] = "dc6" }));
        Assert.Equal("[\"dc1\",\"dc0\",\"dc3\",\"dc4\"]", await _http.GetStringAsync("/v1/catalog/datacenters"));
    }

    [Fact]
    public async Task Wan_join_goes_to_the_wan_pool_with_its_port_for_a_bare_address()
    {
        using var ok = await _http.PutAsync("/v1/agent/join/127.0.0.9?wan=1", null);
        Assert.Equal(System.Net.HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal(["127.0.0.9:18302"], WanPool.Joins.Single());
        Assert.Empty(_pool.Joins);

        WanPool.JoinResult = addresses => throw new GossipException($"1 error occurred:\n\t* Failed to join {addresses[0]}: connection refused");
        using var failed = await _http.PutAsync("/v1/agent/join/127.0.0.9:7000?wan=1", null);
        Assert.Equal(System.Net.HttpStatusCode.InternalServerError, failed.StatusCode);
        Assert.Contains("Failed to join 127.0.0.9:7000", await failed.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Wan_force_leave_acts_on_the_wan_pool_by_node_dc_name()
    {
        WanPool.Deliver(SerfEventType.MemberFailed, FakeLanPool.Member("dead.dc2", ServerTags("dc2"), MemberStatus.Failed));
        using var ok = await _http.PutAsync("/v1/agent/force-leave/dead.dc2?wan&prune", null);
        Assert.Equal(System.Net.HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal([("dead.dc2", true)], WanPool.ForceLeaves);
        Assert.Empty(_pool.ForceLeaves);

        using var unknown = await _http.PutAsync("/v1/agent/force-leave/nobody.dc2?wan=1", null);
        Assert.Equal(System.Net.HttpStatusCode.InternalServerError, unknown.StatusCode);
        Assert.Equal("agent: No node found with name 'nobody.dc2'", await unknown.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task With_serf_wan_off_there_is_no_wan_pool_and_wan_requests_say_federation_is_disabled()
    {
        await _host.DisposeAsync();
        _host = await StartAsync(Config with { SerfWanPort = AgentConfig.PortDisabled });
        _http.Dispose();
        _http = new HttpClient { BaseAddress = _host.HttpAddress };
        Assert.Null(_wanPool);
        Assert.Null(_host.Agent.Wan);
        Assert.False(_pool.Settings.Tags.ContainsKey("wan_join_port"));
        Assert.Equal("[]", await _http.GetStringAsync("/v1/agent/members?wan=1"));
        Assert.Equal("[\"dc1\"]", await _http.GetStringAsync("/v1/catalog/datacenters"));
        using var join = await _http.PutAsync("/v1/agent/join/127.0.0.1?wan=1", null);
        Assert.Equal(System.Net.HttpStatusCode.InternalServerError, join.StatusCode);
        Assert.Equal("WAN Federation is disabled", await join.Content.ReadAsStringAsync());
        using var forceLeave = await _http.PutAsync("/v1/agent/force-leave/x.dc2?wan=1", null);
        Assert.Equal(System.Net.HttpStatusCode.InternalServerError, forceLeave.StatusCode);
        Assert.Equal("WAN Federation is disabled", await forceLeave.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Wan_retry_join_uses_start_join_wan_and_retry_join_wan_and_gives_up_after_retry_max_wan()
    {
        await _host.DisposeAsync();
        var attempts = 0;
        _host = await StartAsync(
            Config with { StartJoinWan = ["127.0.0.5"], RetryJoinWan = ["127.0.0.6:8302"], RetryMaxWan = 1, RetryIntervalWan = TimeSpan.FromMilliseconds(10) },
            addresses =>
            {
                Interlocked.Increment(ref attempts);
                throw new GossipException($"Failed to join {addresses[0]}");
            });
        var error = await Assert.ThrowsAsync<GossipException>(() => _host.Agent.ShutdownRequested.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal("agent: max join WAN retry exhausted, exiting", error.Message);
        Assert.Equal(2, attempts);
        Assert.All(WanPool.Joins, addresses => Assert.Equal(["127.0.0.5:18302", "127.0.0.6:8302"], addresses));
        Assert.Empty(_pool.Joins);
    }

    private static Dictionary<string, string> ServerTags(string dc) =>
        new() { ["role"] = "consul", ["dc"] = dc, ["port"] = "8300", ["id"] = Guid.NewGuid().ToString(), ["build"] = "1.20.0:abc", ["vsn"] = "2" };

    [Fact]
    public void Client_tags_say_node_and_leave_out_server_ones()
    {
        var tags = ConsulMemberTags.For(new AgentConfig { NodeName = "c" }, "id-1");
        Assert.Equal("node", tags["role"]);
        Assert.False(tags.ContainsKey("port"));
        Assert.False(tags.ContainsKey("bootstrap"));
        var expect = ConsulMemberTags.For(new AgentConfig { NodeName = "s", Server = true, BootstrapExpect = 3 }, "id-2");
        Assert.Equal("3", expect["expect"]);
        Assert.False(expect.ContainsKey("bootstrap"));
    }

    [Fact]
    public async Task Members_come_from_the_pool_and_self_shows_this_member()
    {
        _pool.Deliver(SerfEventType.MemberJoin, FakeLanPool.Member("other"));
        using var members = JsonDocument.Parse(await _http.GetStringAsync("/v1/agent/members"));
        var names = members.RootElement.EnumerateArray().Select(m => m.GetProperty("Name").GetString()).ToList();
        Assert.Equal(["lan-node", "other"], names.Order().ToList());
        var other = members.RootElement.EnumerateArray().Single(m => m.GetProperty("Name").GetString() == "other");
        Assert.Equal("127.0.0.2", other.GetProperty("Addr").GetString());
        Assert.Equal(8301, other.GetProperty("Port").GetInt32());
        Assert.Equal(1, other.GetProperty("Status").GetInt32());
        Assert.Equal("node", other.GetProperty("Tags").GetProperty("role").GetString());
        Assert.Equal(4, other.GetProperty("DelegateCur").GetInt32());

        using var self = JsonDocument.Parse(await _http.GetStringAsync("/v1/agent/self"));
        Assert.Equal("lan-node", self.RootElement.GetProperty("Member").GetProperty("Name").GetString());
        Assert.Equal("consul", self.RootElement.GetProperty("Member").GetProperty("Tags").GetProperty("role").GetString());
    }

    [Fact]
    public async Task An_unknown_segment_has_no_members()
    {
        Assert.Equal("[]", await _http.GetStringAsync("/v1/agent/members?segment=alpha"));
        using var all = JsonDocument.Parse(await _http.GetStringAsync("/v1/agent/members?segment=_all"));
        Assert.Single(all.RootElement.EnumerateArray().ToList());
    }

    [Fact]
    public async Task This_node_is_registered_once_as_a_reconciled_member()
    {
        using var checks = JsonDocument.Parse(await _http.GetStringAsync("/v1/health/node/lan-node"));
        var serf = checks.RootElement.EnumerateArray().Single(c => c.GetProperty("CheckID").GetString() == "serfHealth");
        Assert.Equal("passing", serf.GetProperty("Status").GetString());
        Assert.Equal("Agent alive and reachable", serf.GetProperty("Output").GetString());
        using var consul = JsonDocument.Parse(await _http.GetStringAsync("/v1/catalog/service/consul"));
        var instance = Assert.Single(consul.RootElement.EnumerateArray().ToList());
        Assert.Equal(8300, instance.GetProperty("ServicePort").GetInt32());
        Assert.Equal("3", instance.GetProperty("ServiceMeta").GetProperty("raft_version").GetString());
        Assert.Equal(BuildInfo.ConsulVersion, instance.GetProperty("ServiceMeta").GetProperty("version").GetString());
    }

    [Fact]
    public async Task Member_events_are_reconciled_into_the_catalog()
    {
        var other = FakeLanPool.Member("other");
        _pool.Deliver(SerfEventType.MemberJoin, other);
        var passing = await WaitForSerfHealthAsync("other", "passing");
        Assert.Equal("Agent alive and reachable", passing.GetProperty("Output").GetString());
        using (var node = JsonDocument.Parse(await _http.GetStringAsync("/v1/catalog/node/other")))
        {
            Assert.Equal("127.0.0.2", node.RootElement.GetProperty("Node").GetProperty("Address").GetString());
            Assert.Equal(other.Tags["id"], node.RootElement.GetProperty("Node").GetProperty("ID").GetString());
        }

        _pool.Deliver(SerfEventType.MemberFailed, other with { Status = MemberStatus.Failed });
        var critical = await WaitForSerfHealthAsync("other", "critical");
        Assert.Equal("Agent not live or unreachable", critical.GetProperty("Output").GetString());

        _pool.Deliver(SerfEventType.MemberJoin, other);
        await WaitForSerfHealthAsync("other", "passing");

        _pool.Deliver(SerfEventType.MemberLeave, other with { Status = MemberStatus.Left });
        await WaitUntilAsync(async () => await _http.GetStringAsync("/v1/catalog/node/other") == "null");
    }

    [Fact]
    public async Task A_reaped_member_is_deregistered()
    {
        var other = FakeLanPool.Member("gone");
        _pool.Deliver(SerfEventType.MemberJoin, other);
        await WaitForSerfHealthAsync("gone", "passing");
        _pool.Deliver(SerfEventType.MemberFailed, other with { Status = MemberStatus.Failed });
        await WaitForSerfHealthAsync("gone", "critical");
        _pool.Deliver(SerfEventType.MemberReap, other with { Status = MemberStatus.Failed });
        await WaitUntilAsync(async () => await _http.GetStringAsync("/v1/catalog/node/gone") == "null");
    }

    [Fact]
    public async Task Members_of_other_datacenters_and_plain_serf_agents_stay_out_of_the_catalog()
    {
        _pool.Deliver(SerfEventType.MemberJoin, FakeLanPool.Member("serf-only", new Dictionary<string, string> { ["role"] = "web" }));
        _pool.Deliver(SerfEventType.MemberJoin, FakeLanPool.Member("far", new Dictionary<string, string> { ["role"] = "node", ["dc"] = "dc2" }));
        var marker = FakeLanPool.Member("marker");
        _pool.Deliver(SerfEventType.MemberJoin, marker);
        await WaitForSerfHealthAsync("marker", "passing");
        Assert.Equal("null", await _http.GetStringAsync("/v1/catalog/node/serf-only"));
        Assert.Equal("null", await _http.GetStringAsync("/v1/catalog/node/far"));
    }

    [Fact]
    public async Task Join_goes_to_the_pool_with_the_serf_lan_port_for_a_bare_address()
    {
        using var ok = await _http.PutAsync("/v1/agent/join/127.0.0.9", null);
        Assert.Equal(System.Net.HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal(["127.0.0.9:18301"], _pool.Joins.Single());

        _pool.JoinResult = addresses => throw new GossipException($"1 error occurred:\n\t* Failed to join {addresses[0]}: connection refused");
        using var failed = await _http.PutAsync("/v1/agent/join/127.0.0.9:7000", null);
        Assert.Equal(System.Net.HttpStatusCode.InternalServerError, failed.StatusCode);
        Assert.Contains("Failed to join 127.0.0.9:7000", await failed.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("10.0.0.1", 8301, "10.0.0.1:8301")]
    [InlineData("10.0.0.1:9000", 8301, "10.0.0.1:9000")]
    [InlineData("::1", 8301, "[::1]:8301")]
    [InlineData("[::1]:7946", 8301, "[::1]:7946")]
    [InlineData("consul.example", 8301, "consul.example:8301")]
    [InlineData("consul.example:1234", 8301, "consul.example:1234")]
    public void Join_addresses_without_a_port_get_the_serf_lan_port(string address, int port, string expected) =>
        Assert.Equal(expected, GossipPool.WithPort(address, port));

    [Fact]
    public async Task Force_leave_marks_a_known_member_and_refuses_an_unknown_one()
    {
        _pool.Deliver(SerfEventType.MemberFailed, FakeLanPool.Member("dead", status: MemberStatus.Failed));
        using var ok = await _http.PutAsync("/v1/agent/force-leave/dead?prune", null);
        Assert.Equal(System.Net.HttpStatusCode.OK, ok.StatusCode);
        Assert.Contains(("dead", true), _pool.ForceLeaves);

        using var unknown = await _http.PutAsync("/v1/agent/force-leave/nobody", null);
        Assert.Equal(System.Net.HttpStatusCode.InternalServerError, unknown.StatusCode);
        Assert.Equal("agent: No node found with name 'nobody'", await unknown.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Leave_leaves_the_wan_pool_then_the_lan_pool_then_asks_the_host_to_stop()
    {
        Assert.False(_host.Agent.ShutdownRequested.IsCompleted);
        using var response = await _http.PutAsync("/v1/agent/leave", null);
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        Assert.True(_pool.Left);
        Assert.True(WanPool.Left);
        Assert.True(WanPool.LeftOrder < _pool.LeftOrder, "Consul leaves the WAN first");
        await _host.Agent.ShutdownRequested.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Consul_user_events_from_the_pool_are_listed()
    {
        var fired = new Praetor.Agent.Events.UserEvent { Id = "0b8b2c2f-6a1e-4d25-9d8a-3f3c2a6a4e11", Name = "deploy", Payload = [1, 2] };
        _pool.DeliverUserEvent(new SerfUserEvent(7, "consul:event:deploy", Praetor.Agent.Events.UserEventCodec.Encode(fired), false));

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (true)
        {
            using var list = JsonDocument.Parse(await _http.GetStringAsync("/v1/event/list?name=deploy"));
            if (list.RootElement.GetArrayLength() == 1)
            {
                var only = list.RootElement[0];
                Assert.Equal(fired.Id, only.GetProperty("ID").GetString());
                Assert.Equal(7UL, only.GetProperty("LTime").GetUInt64());
                Assert.Equal("AQI=", only.GetProperty("Payload").GetString());
                break;
            }
            Assert.True(DateTime.UtcNow < deadline, "the event never reached /v1/event/list");
            await Task.Delay(20);
        }
    }

    [Fact]
    public async Task Disposing_the_agent_disposes_its_pool_without_leaving()
    {
        var pool = _pool;
        var wanPool = WanPool;
        await _host.DisposeAsync();
        Assert.True(pool.Disposed);
        Assert.False(pool.Left);
        Assert.True(wanPool.Disposed);
        Assert.False(wanPool.Left);
        _host = await StartAsync(Config with { SerfLanPort = AgentConfig.PortDisabled });
        _http.Dispose();
        _http = new HttpClient { BaseAddress = _host.HttpAddress };
        // Without a pool: this agent alone, and joins refused with a clear error.
        using var members = JsonDocument.Parse(await _http.GetStringAsync("/v1/agent/members"));
        Assert.Equal("lan-node", Assert.Single(members.RootElement.EnumerateArray().ToList()).GetProperty("Name").GetString());
        using var join = await _http.PutAsync("/v1/agent/join/127.0.0.1", null);
        Assert.Equal(System.Net.HttpStatusCode.InternalServerError, join.StatusCode);
        Assert.Contains("no LAN gossip pool", await join.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Retry_join_gives_up_after_retry_max_and_asks_the_host_to_stop()
    {
        await _host.DisposeAsync();
        var attempts = 0;
        _host = await StartAsync(
            Config with { RetryJoin = ["127.0.0.1:1"], RetryMax = 2, RetryInterval = TimeSpan.FromMilliseconds(10) },
            _ =>
            {
                Interlocked.Increment(ref attempts);
                throw new GossipException("Failed to join 127.0.0.1:1");
            });
        var error = await Assert.ThrowsAsync<GossipException>(() => _host.Agent.ShutdownRequested.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal("agent: max join LAN retry exhausted, exiting", error.Message);
        Assert.Equal(3, attempts);
    }

    [Fact]
    public async Task Retry_join_stops_at_the_first_success()
    {
        await _host.DisposeAsync();
        _host = await StartAsync(Config with { StartJoin = ["127.0.0.5"], RetryJoin = ["127.0.0.6:8301"] });
        await WaitUntilAsync(() => Task.FromResult(_pool.Joins.Count > 0));
        Assert.Equal(["127.0.0.5:18301", "127.0.0.6:8301"], _pool.Joins.Single());
        Assert.Empty(WanPool.Joins);
    }

    private async Task<JsonElement> WaitForSerfHealthAsync(string node, string status)
    {
        JsonElement found = default;
        await WaitUntilAsync(async () =>
        {
            using var checks = JsonDocument.Parse(await _http.GetStringAsync($"/v1/health/node/{node}"));
            foreach (var check in checks.RootElement.EnumerateArray())
            {
                if (check.GetProperty("CheckID").GetString() == "serfHealth" && check.GetProperty("Status").GetString() == status)
                {
                    found = check.Clone();
                    return true;
                }
            }
            return false;
        });
        return found;
    }

    internal static async Task WaitUntilAsync(Func<Task<bool>> condition, int seconds = 10)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(seconds);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail("the condition did not come true in time");
            }
            await Task.Delay(20);
        }
    }
}
