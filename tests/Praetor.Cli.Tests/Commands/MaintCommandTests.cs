using Praetor.Client;

namespace Praetor.Cli.Tests.Commands;

public sealed class MaintCommandTests : CliAgentFixture
{
    [Fact]
    public async Task Enable_node_maintenance_adds_the_critical_check_with_the_reason()
    {
        var run = await RunAsync("maint", "-enable", "-reason=upgrading kernel");
        Assert.Equal(0, run.ExitCode);
        Assert.Equal("Node maintenance is now enabled\n", run.Stdout);
        var check = (await Client.Agent.ChecksAsync())["_node_maintenance"];
        Assert.Equal("critical", check.Status);
        Assert.Equal("upgrading kernel", check.Notes);
    }

    [Fact]
    public async Task Disable_node_maintenance_removes_the_check()
    {
        await Client.Agent.EnableNodeMaintenanceAsync("x");
        var run = await RunAsync("maint", "-disable");
        Assert.Equal(0, run.ExitCode);
        Assert.Equal("Node maintenance is now disabled\n", run.Stdout);
        Assert.DoesNotContain("_node_maintenance", (await Client.Agent.ChecksAsync()).Keys);
    }

    [Fact]
    public async Task Service_maintenance_enable_and_disable()
    {
        await Client.Agent.ServiceRegisterAsync(new AgentServiceRegistration { Name = "web" });
        var enable = await RunAsync("maint", "-enable", "-service=web", "-reason", "deploy");
        Assert.Equal(0, enable.ExitCode);
        Assert.Equal("Service maintenance is now enabled for \"web\"\n", enable.Stdout);
        var check = (await Client.Agent.ChecksAsync())["_service_maintenance:web"];
        Assert.Equal("deploy", check.Notes);
        Assert.Equal("web", check.ServiceId);

        var disable = await RunAsync("maint", "-disable", "-service=web");
        Assert.Equal(0, disable.ExitCode);
        Assert.Equal("Service maintenance is now disabled for \"web\"\n", disable.Stdout);
        Assert.DoesNotContain("_service_maintenance:web", (await Client.Agent.ChecksAsync()).Keys);
    }

    [Fact]
    public async Task Service_maintenance_of_an_unknown_service_fails_with_the_agents_reason()
    {
        var run = await RunAsync("maint", "-enable", "-service=ghost");
        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith("Error enabling service maintenance: Unexpected response code: 404 (", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task No_flags_lists_node_then_services_in_maintenance()
    {
        await Client.Agent.ServiceRegisterAsync(new AgentServiceRegistration { Name = "web" });
        await Client.Agent.EnableServiceMaintenanceAsync("web", "deploy");
        await Client.Agent.EnableNodeMaintenanceAsync("kernel");
        var run = await RunAsync("maint");
        Assert.Equal(0, run.ExitCode);
        Assert.Equal(
            "Node:\n  Name:   cli-test\n  Reason: kernel\n\nService:\n  ID:     web\n  Reason: deploy\n\n",
            run.Stdout);
    }

    [Fact]
    public async Task No_flags_and_nothing_in_maintenance_prints_nothing()
    {
        var run = await RunAsync("maint");
        Assert.Equal(0, run.ExitCode);
        Assert.Equal(string.Empty, run.Stdout);
        Assert.Equal(string.Empty, run.Stderr);
    }

    [Fact]
    public async Task Enable_without_a_reason_uses_the_agents_default()
    {
        var run = await RunAsync("maint", "-enable");
        Assert.Equal(0, run.ExitCode);
        Assert.NotEqual(string.Empty, (await Client.Agent.ChecksAsync())["_node_maintenance"].Notes);
    }

    [Theory]
    [InlineData("Only one of -enable or -disable may be provided", "-enable", "-disable")]
    [InlineData("Reason may only be provided with -enable", "-disable", "-reason=x")]
    [InlineData("Reason may only be provided with -enable", "-reason=x")]
    [InlineData("Service requires either -enable or -disable", "-service=web")]
    [InlineData("Too many arguments (expected 0, got 1)", "extra")]
    public async Task Conflicting_flags_are_refused(string message, params string[] args)
    {
        var run = await RunAsync(["maint", .. args]);
        Assert.Equal(1, run.ExitCode);
        Assert.Equal(message + "\n", run.Stderr);
    }

    [Fact]
    public async Task Unreachable_agent_is_reported()
    {
        var run = await RunAsync("maint", $"-http-addr=127.0.0.1:{ClosedPort()}");
        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith("Error querying Consul agent: Get \"http://127.0.0.1:", run.Stderr, StringComparison.Ordinal);
    }
}
