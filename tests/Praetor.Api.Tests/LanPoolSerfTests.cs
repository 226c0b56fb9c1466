using System.Text.Json;
using Praetor.Agent;

namespace Praetor.Api.Tests;

/// <summary>
/// In-process agents on the real Serf pools over loopback (free ports): LAN join, members,
/// failure detection reconciled into the catalog; WAN join between datacenters, WAN members,
/// datacenters, a graceful leave seen on the WAN, and a taken WAN port.
/// </summary>
public sealed class LanPoolSerfTests : IAsyncLifetime
{
    private readonly List<AgentHost> _hosts = [];

    private static AgentConfig Config(string name, string datacenter = "dc1") => new()
    {
        DevMode = true, Server = true, Bootstrap = true, NodeName = name, BindAddr = "127.0.0.1", Datacenter = datacenter,
        HttpPort = 0, DnsPort = AgentConfig.PortDisabled, SerfLanPort = 0, SerfWanPort = 0,
    };

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var host in _hosts)
        {
            await host.DisposeAsync();
        }
    }

    private async Task<(AgentHost Host, HttpClient Http)> StartAsync(string name, string datacenter = "dc1")
    {
        var host = await AgentHost.StartAsync(Config(name, datacenter));
        _hosts.Add(host);
        return (host, new HttpClient { BaseAddress = host.HttpAddress, Timeout = TimeSpan.FromSeconds(30) });
    }

    [Fact]
    public async Task Two_agents_join_list_each_other_and_a_stopped_one_goes_critical_in_the_catalog()
    {
        var (a, httpA) = await StartAsync("serf-a");
        var (b, httpB) = await StartAsync("serf-b");
        using (httpA)
        using (httpB)
        {
            var portA = a.Agent.Lan!.Pool.AdvertiseEndpoint.Port;
            Assert.NotEqual(0, portA);
            using (var join = await httpB.PutAsync($"/v1/agent/join/127.0.0.1:{portA}", null))
            {
                Assert.Equal(System.Net.HttpStatusCode.OK, join.StatusCode);
            }

            await LanPoolApiTests.WaitUntilAsync(async () => await StatusOfAsync(httpA, "serf-b") == 1 && await StatusOfAsync(httpB, "serf-a") == 1);
            await LanPoolApiTests.WaitUntilAsync(async () => await SerfHealthAsync(httpA, "serf-b") == "passing");

            _hosts.Remove(b);
            await b.DisposeAsync();

            await LanPoolApiTests.WaitUntilAsync(async () => await StatusOfAsync(httpA, "serf-b") == 4, seconds: 30);
            await LanPoolApiTests.WaitUntilAsync(async () => await SerfHealthAsync(httpA, "serf-b") == "critical", seconds: 30);
        }
    }

    [Fact]
    public async Task A_join_to_a_closed_port_is_a_500_naming_the_address()
    {
        var (_, http) = await StartAsync("serf-lonely");
        using (http)
        {
            using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
            listener.Start();
            var closed = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop();
            using var join = await http.PutAsync($"/v1/agent/join/127.0.0.1:{closed}", null);
            Assert.Equal(System.Net.HttpStatusCode.InternalServerError, join.StatusCode);
            Assert.Contains($"127.0.0.1:{closed}", await join.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Servers_of_two_datacenters_join_over_the_wan_list_each_other_and_see_a_graceful_leave()
    {
        var (a, httpA) = await StartAsync("wan-a", "dc1");
        var (b, httpB) = await StartAsync("wan-b", "dc2");
        using (httpA)
        using (httpB)
        {
            var wanA = a.Agent.Wan!.Pool.AdvertiseEndpoint.Port;
            Assert.NotEqual(0, wanA);
            Assert.NotEqual(a.Agent.Lan!.Pool.AdvertiseEndpoint.Port, wanA);
            using (var join = await httpB.PutAsync($"/v1/agent/join/127.0.0.1:{wanA}?wan=1", null))
            {
                Assert.Equal(System.Net.HttpStatusCode.OK, join.StatusCode);
            }

            await LanPoolApiTests.WaitUntilAsync(async () =>
                await StatusOfAsync(httpA, "wan-b.dc2", wan: true) == 1 && await StatusOfAsync(httpB, "wan-a.dc1", wan: true) == 1);
            Assert.Equal("[\"dc1\",\"dc2\"]", await httpA.GetStringAsync("/v1/catalog/datacenters"));
            Assert.Equal("[\"dc2\",\"dc1\"]", await httpB.GetStringAsync("/v1/catalog/datacenters"));
            // The WAN is not the LAN: neither joined the other's LAN pool, nor its catalog.
            Assert.Equal(-1, await StatusOfAsync(httpA, "wan-b", wan: false));
            Assert.Equal("null", await httpA.GetStringAsync("/v1/catalog/node/wan-b"));

            using (var leave = await httpB.PutAsync("/v1/agent/leave", null))
            {
                Assert.Equal(System.Net.HttpStatusCode.OK, leave.StatusCode);
            }
            await LanPoolApiTests.WaitUntilAsync(async () => await StatusOfAsync(httpA, "wan-b.dc2", wan: true) == 3);
            Assert.Equal("[\"dc1\"]", await httpA.GetStringAsync("/v1/catalog/datacenters"));
        }
    }

    [Fact]
    public async Task A_taken_wan_port_stops_the_start_naming_the_wan_pool_and_the_address()
    {
        using var taken = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Dgram, System.Net.Sockets.ProtocolType.Udp);
        taken.Bind(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0));
        var port = ((System.Net.IPEndPoint)taken.LocalEndPoint!).Port;
        var error = await Assert.ThrowsAsync<Praetor.Agent.Gossip.GossipPoolStartException>(() =>
            AgentHost.StartAsync(Config("wan-taken") with { SerfWanPort = port }));
        Assert.StartsWith($"failed to start the Serf WAN pool on 127.0.0.1:{port}: ", error.Message, StringComparison.Ordinal);
    }

    private static async Task<int> StatusOfAsync(HttpClient http, string node, bool wan = false)
    {
        using var members = JsonDocument.Parse(await http.GetStringAsync(wan ? "/v1/agent/members?wan=1" : "/v1/agent/members"));
        foreach (var member in members.RootElement.EnumerateArray())
        {
            if (member.GetProperty("Name").GetString() == node)
            {
                return member.GetProperty("Status").GetInt32();
            }
        }
        return -1;
    }

    private static async Task<string?> SerfHealthAsync(HttpClient http, string node)
    {
        using var checks = JsonDocument.Parse(await http.GetStringAsync($"/v1/health/node/{node}"));
        foreach (var check in checks.RootElement.EnumerateArray())
        {
            if (check.GetProperty("CheckID").GetString() == "serfHealth")
            {
                return check.GetProperty("Status").GetString();
            }
        }
        return null;
    }
}
