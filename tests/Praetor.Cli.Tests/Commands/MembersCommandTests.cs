namespace Praetor.Cli.Tests.Commands;

/// <summary><c>praetor members</c>, <c>join</c>, <c>leave</c> and <c>force-leave</c> against an agent without a pool (only itself).</summary>
public sealed class MembersCommandTests : CliAgentFixture
{
    [Fact]
    public async Task Members_prints_consuls_columns_with_this_server()
    {
        var run = await RunAsync("members");
        Assert.Equal(0, run.ExitCode);
        var lines = run.Stdout.TrimEnd('\n').Split('\n');
        Assert.Equal(2, lines.Length);
        Assert.Equal(["Node", "Address", "Status", "Type", "Build", "Protocol", "DC", "Partition", "Segment"], lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(["cli-test", "127.0.0.1:8301", "alive", "server", Praetor.Agent.BuildInfo.ConsulVersion, "2", "dc1", "default", "<all>"], lines[1].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        // columnize: each column padded to its widest cell plus two spaces.
        Assert.StartsWith("Node      Address         Status  Type    Build", lines[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Detailed_shows_every_tag_sorted_and_status_filters_with_exit_2_when_none_match()
    {
        var detailed = await RunAsync("members", "-detailed");
        Assert.Equal(0, detailed.ExitCode);
        Assert.Contains("Node      Address         Status  Tags", detailed.Stdout, StringComparison.Ordinal);
        Assert.Contains("acls=0,ap=default,bootstrap=1,build=", detailed.Stdout, StringComparison.Ordinal);
        Assert.Contains(",role=consul,segment=<all>,", detailed.Stdout, StringComparison.Ordinal);

        var none = await RunAsync("members", "-status=failed");
        Assert.Equal(2, none.ExitCode);
        Assert.Equal("", none.Stdout);

        var alive = await RunAsync("members", "-status=^al");
        Assert.Equal(0, alive.ExitCode);

        var bad = await RunAsync("members", "-status=(");
        Assert.Equal(1, bad.ExitCode);
        Assert.StartsWith("Failed to compile status regexp:", bad.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Join_without_a_pool_fails_each_address_then_says_none_joined()
    {
        var run = await RunAsync("join", "127.0.0.1:9999");
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("Error joining address '127.0.0.1:9999': Unexpected response code: 500", run.Stderr, StringComparison.Ordinal);
        Assert.EndsWith("Failed to join any nodes.\n", run.Stderr, StringComparison.Ordinal);

        var noArgs = await RunAsync("join");
        Assert.Equal(1, noArgs.ExitCode);
        Assert.StartsWith("At least one address to join must be specified.", noArgs.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Force_leave_needs_one_node_and_reports_an_unknown_one()
    {
        var none = await RunAsync("force-leave");
        Assert.Equal(1, none.ExitCode);
        Assert.StartsWith("A single node name must be specified to force leave.", none.Stderr, StringComparison.Ordinal);

        var unknown = await RunAsync("force-leave", "-prune", "ghost");
        Assert.Equal(1, unknown.ExitCode);
        Assert.Equal("Error force leaving: Unexpected response code: 500 (agent: No node found with name 'ghost')\n", unknown.Stderr);
    }

    [Fact]
    public async Task Leave_completes_and_asks_the_agent_to_stop()
    {
        var run = await RunAsync("leave");
        Assert.Equal(0, run.ExitCode);
        Assert.Equal("Graceful leave complete\n", run.Stdout);
        await Host.Agent.ShutdownRequested.WaitAsync(TimeSpan.FromSeconds(5));

        var extra = await RunAsync("leave", "now");
        Assert.Equal(1, extra.ExitCode);
        Assert.StartsWith("Error found unexpected args: [now]", extra.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_client_reads_members()
    {
        var members = await Client.Agent.MembersAsync();
        var self = Assert.Single(members);
        Assert.Equal("cli-test", self.Name);
        Assert.Equal("consul", self.Tags["role"]);
        Assert.Equal(1, self.Status);
        Assert.Equal("alive", Praetor.Client.AgentMember.StatusName(self.Status));
        Assert.Empty(await Client.Agent.MembersAsync(wan: true));
    }

    [Fact]
    public async Task Without_a_wan_pool_members_wan_finds_none_and_wan_join_and_force_leave_say_federation_is_disabled()
    {
        var members = await RunAsync("members", "-wan");
        Assert.Equal(2, members.ExitCode);
        Assert.Equal("", members.Stdout);

        var join = await RunAsync("join", "-wan", "127.0.0.1:9999");
        Assert.Equal(1, join.ExitCode);
        Assert.Contains("Error joining address '127.0.0.1:9999': Unexpected response code: 500 (WAN Federation is disabled)", join.Stderr, StringComparison.Ordinal);

        var forceLeave = await RunAsync("force-leave", "-wan", "ghost.dc2");
        Assert.Equal(1, forceLeave.ExitCode);
        Assert.Equal("Error force leaving: Unexpected response code: 500 (WAN Federation is disabled)\n", forceLeave.Stderr);
    }
}
