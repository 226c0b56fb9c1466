using Praetor.Agent;
using Praetor.Api;
using Praetor.Client;

namespace Praetor.Cli.Tests.Commands;

/// <summary>
/// <c>praetor join -wan</c>, <c>members -wan</c> and <c>force-leave -wan</c> against a dev server
/// of dc1 on a real WAN pool (loopback, free port), with a second in-process server of dc2.
/// </summary>
public sealed class WanCommandTests : CliAgentFixture
{
    protected override AgentConfig Config => base.Config with { BindAddr = "127.0.0.1", SerfWanPort = 0 };

    [Fact]
    public async Task Join_wan_members_wan_and_force_leave_wan_work_on_node_dc_names()
    {
        var far = await AgentHost.StartAsync(new AgentConfig
        {
            DevMode = true, Server = true, Datacenter = "dc2", NodeName = "far", BindAddr = "127.0.0.1",
            HttpPort = AgentConfig.PortDisabled, DnsPort = AgentConfig.PortDisabled, SerfLanPort = AgentConfig.PortDisabled, SerfWanPort = 0,
        });
        var farPort = far.Agent.Wan!.Pool.AdvertiseEndpoint.Port;
        var farStopped = false;
        try
        {
            var join = await RunAsync("join", "-wan", $"127.0.0.1:{farPort}");
            Assert.Equal(0, join.ExitCode);
            Assert.Equal("Successfully joined cluster by contacting 1 nodes.\n", join.Stdout);

            var lines = await WaitForWanMembersAsync(run => run.Stdout.Contains("far.dc2", StringComparison.Ordinal));
            Assert.Equal(["Node", "Address", "Status", "Type", "Build", "Protocol", "DC", "Partition", "Segment"], Columns(lines[0]));
            var ownPort = Host.Agent.Wan!.Pool.AdvertiseEndpoint.Port;
            var rows = lines.Skip(1).Select(Columns).OrderBy(r => r[0], StringComparer.Ordinal).ToList();
            Assert.Equal(["cli-test.dc1", $"127.0.0.1:{ownPort}", "alive", "server", BuildInfo.ConsulVersion, "2", "dc1", "default", "<all>"], rows[0]);
            Assert.Equal(["far.dc2", $"127.0.0.1:{farPort}", "alive", "server", BuildInfo.ConsulVersion, "2", "dc2", "default", "<all>"], rows[1]);
            Assert.Equal(["dc1", "dc2"], await Client.Catalog.DatacentersAsync());

            var ghost = await RunAsync("force-leave", "-wan", "ghost.dc2");
            Assert.Equal(1, ghost.ExitCode);
            Assert.Equal("Error force leaving: Unexpected response code: 500 (agent: No node found with name 'ghost.dc2')\n", ghost.Stderr);
            // The LAN pool knows no far.dc2: -wan is what finds it.
            var lan = await RunAsync("force-leave", "far.dc2");
            Assert.Equal(1, lan.ExitCode);

            // Stopped without leaving, far fails; force-leave -wan -prune forgets it at once.
            farStopped = true;
            await far.DisposeAsync();
            await WaitForWanMembersAsync(run => run.ExitCode == 0, "-status=failed");
            var forceLeave = await RunAsync("force-leave", "-wan", "-prune", "far.dc2");
            Assert.Equal(0, forceLeave.ExitCode);
            var after = await WaitForWanMembersAsync(run => !run.Stdout.Contains("far.dc2", StringComparison.Ordinal));
            Assert.Equal(2, after.Length);
        }
        finally
        {
            if (!farStopped)
            {
                await far.DisposeAsync();
            }
        }
    }

    private static string[] Columns(string line) => line.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>Runs <c>praetor members -wan</c> until <paramref name="done"/> holds (10 s at most); returns its lines.</summary>
    private async Task<string[]> WaitForWanMembersAsync(Func<CliRun, bool> done, params string[] extra)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            var run = await RunAsync(["members", "-wan", .. extra]);
            if (done(run))
            {
                return run.Stdout.TrimEnd('\n').Split('\n');
            }
            Assert.True(DateTime.UtcNow < deadline, $"members -wan never matched; last output:\n{run.Stdout}{run.Stderr}");
            await Task.Delay(50);
        }
    }
}
