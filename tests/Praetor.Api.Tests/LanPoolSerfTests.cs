using System.Text.Json;
using Praetor.Agent;

namespace Praetor.Api.Tests;

/// <summary>Two in-process agents on the real Serf pool over loopback (free ports): join, members, failure detection reconciled into the catalog.</summary>
public sealed class LanPoolSerfTests : IAsyncLifetime
{
    private readonly List<AgentHost> _hosts = [];

    private static AgentConfig Config(string name) => new()
    {
        DevMode = true, Server = true, Bootstrap = true, NodeName = name, BindAddr = "127.0.0.1",
        HttpPort = 0, DnsPort = AgentConfig.PortDisabled, SerfLanPort = 0,
    };

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var host in _hosts)
        {
            await host.DisposeAsync();
        }
    }

    private async Task<(AgentHost Host, HttpClient Http)> StartAsync(string name)
    {
        var host = await AgentHost.StartAsync(Config(name));
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

    private static async Task<int> StatusOfAsync(HttpClient http, string node)
    {
        using var members = JsonDocument.Parse(await http.GetStringAsync("/v1/agent/members"));
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
