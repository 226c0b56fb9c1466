using System.Globalization;
using System.Text.Json;

namespace Praetor.Integration;

/// <summary>
/// The WAN pool between real processes: two <c>praetor agent -dev</c> servers of datacenters dc1
/// and dc2 joined with <c>praetor join -wan</c> list each other in <c>praetor members -wan</c> and
/// <c>/v1/catalog/datacenters</c>, and see a <c>praetor leave</c> on the WAN; a real
/// <c>serf agent</c> joins a Praetor server's WAN port (the same protocol).
/// </summary>
[Trait("Category", "Integration")]
public sealed class WanPoolTests
{
    private static readonly TimeSpan CommandDeadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Two_dev_servers_of_two_datacenters_join_over_the_wan_and_list_each_other()
    {
        await using var east = await AgentProcess.StartDevAsync("-node", "east-1", "-datacenter", "dc1", "-dns-port", "-1");
        await using var west = await AgentProcess.StartDevAsync("-node", "west-1", "-datacenter", "dc2", "-dns-port", "-1");
        using var eastHttp = new AgentHttp(east);
        using var westHttp = new AgentHttp(west);
        var eastWan = await WanPortAsync(eastHttp, "east-1.dc1");

        var join = await RunAsync(west, ["join", "-wan", $"-http-addr={west.HttpAddr}", $"127.0.0.1:{eastWan}"]);
        Assert.Equal("Successfully joined cluster by contacting 1 nodes.\n", join.StandardOutput);

        await eastHttp.WaitForAsync("v1/agent/members?wan=1", b => StatusOf(b, "west-1.dc2") == 1, "west-1.dc2 alive on east's WAN");
        await westHttp.WaitForAsync("v1/agent/members?wan=1", b => StatusOf(b, "east-1.dc1") == 1, "east-1.dc1 alive on west's WAN");
        foreach (var agent in new[] { east, west })
        {
            var members = await RunAsync(agent, ["members", "-wan", $"-http-addr={agent.HttpAddr}"]);
            var rows = Rows(members.StandardOutput);
            Assert.Equal(["Node", "Address", "Status", "Type", "Build", "Protocol", "DC", "Partition", "Segment"], rows[0]);
            var byName = rows.Skip(1).ToDictionary(r => r[0], StringComparer.Ordinal);
            Assert.Equal(["east-1.dc1", "west-1.dc2"], byName.Keys.Order(StringComparer.Ordinal).ToList());
            Assert.Equal($"127.0.0.1:{eastWan}", byName["east-1.dc1"][1]);
            Assert.Equal(["alive", "server"], byName["west-1.dc2"][2..4]);
            Assert.Equal("dc2", byName["west-1.dc2"][6]);
        }
        Assert.Equal(["dc1", "dc2"], Strings(await eastHttp.GetJsonAsync("v1/catalog/datacenters")));
        Assert.Equal(["dc2", "dc1"], Strings(await westHttp.GetJsonAsync("v1/catalog/datacenters")));
        // The LAN pools stay apart.
        Assert.Equal(-1, StatusOf(await eastHttp.GetJsonAsync("v1/agent/members"), "west-1"));

        // A graceful leave leaves the WAN too: east sees west-1.dc2 left, and dc2 is no longer known.
        await RunAsync(west, ["leave", $"-http-addr={west.HttpAddr}"]);
        await eastHttp.WaitForAsync("v1/agent/members?wan=1", b => StatusOf(b, "west-1.dc2") == 3, "west-1.dc2 left on east's WAN");
        Assert.Equal(["dc1"], Strings(await eastHttp.GetJsonAsync("v1/catalog/datacenters")));
        Assert.Equal(0, await west.Process.WaitForExitAsync(CommandDeadline));
    }

    [SerfInteropFact]
    public async Task A_serf_agent_joins_the_wan_port_and_both_list_each_other()
    {
        await using var praetor = await AgentProcess.StartDevAsync("-node", "wan-praetor", "-datacenter", "dc1", "-dns-port", "-1");
        using var http = new AgentHttp(praetor);
        var wanPort = await WanPortAsync(http, "wan-praetor.dc1");
        await using var serf = await SerfInteropAgent.StartAsync("wan-serf");

        await serf.JoinAsync($"127.0.0.1:{wanPort.ToString(CultureInfo.InvariantCulture)}");

        await http.WaitForAsync("v1/agent/members?wan=1", b => StatusOf(b, "wan-serf") == 1, "serf alive on the WAN");
        var deadline = DateTime.UtcNow + AgentHttp.WaitDeadline;
        while ((await serf.MembersAsync()).GetValueOrDefault("wan-praetor.dc1") != "alive")
        {
            Assert.True(DateTime.UtcNow < deadline, $"serf never listed wan-praetor.dc1 alive:\n{serf.Output}");
            await Task.Delay(100);
        }
        // Not a Consul server: no datacenter from it.
        Assert.Equal(["dc1"], Strings(await http.GetJsonAsync("v1/catalog/datacenters")));
    }

    /// <summary>The WAN port of the agent's own WAN member (the agent picked a free one).</summary>
    private static async Task<int> WanPortAsync(AgentHttp http, string self)
    {
        var members = await http.GetJsonAsync("v1/agent/members?wan=1");
        return members.EnumerateArray().Single(m => m.GetProperty("Name").GetString() == self).GetProperty("Port").GetInt32();
    }

    private static int StatusOf(JsonElement members, string name) =>
        members.EnumerateArray().FirstOrDefault(m => m.GetProperty("Name").GetString() == name) is { ValueKind: JsonValueKind.Object } member
            ? member.GetProperty("Status").GetInt32()
            : -1;

    private static List<string> Strings(JsonElement array) => [.. array.EnumerateArray().Select(e => e.GetString()!)];

    private static async Task<ChildProcessResult> RunAsync(AgentProcess agent, string[] args)
    {
        var result = await PraetorExecutable.RunAsync(args, CommandDeadline);
        Assert.True(result.ExitCode == 0, $"praetor {string.Join(' ', args)}\n{result.Output}\n--- agent ---\n{agent.Process.Output}");
        return result;
    }

    /// <summary>A column layout's lines split on runs of spaces.</summary>
    private static List<string[]> Rows(string output) =>
        [.. output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(static line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))];
}
