using System.Net;
using System.Net.Sockets;

namespace Praetor.Integration;

/// <summary>`praetor agent` as a process: its banner, its exit on signals, and its exit codes on bad start-up input.</summary>
[Trait("Category", "Integration")]
public sealed class AgentProcessTests
{
    private static readonly TimeSpan ExitDeadline = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Dev_agent_prints_Consul_banner_lines()
    {
        await using var agent = await AgentProcess.StartDevAsync();
        var stdout = agent.Process.StandardOutput;

        Assert.Contains("Node name:", stdout, StringComparison.Ordinal);
        Assert.Contains("Datacenter: 'dc1'", stdout, StringComparison.Ordinal);
        Assert.Contains("Client Addr:", stdout, StringComparison.Ordinal);
        Assert.Contains($"HTTP: {agent.HttpPort}", stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("TERM", false)]
    [InlineData("INT", false)]
    [InlineData("INT", true)] // as Consul: started by `nohup` or a script's `&`, SIGINT still stops it
    public async Task Dev_agent_exits_0_after_signal(string signal, bool ignoredAtStart)
    {
        await using var agent = await AgentProcess.StartDevAsync(ignoredAtStart ? [signal] : [], []);

        await agent.Process.SignalAsync(signal);
        var exitCode = await agent.Process.WaitForExitAsync(ExitDeadline);

        Assert.True(exitCode == 0, $"after SIG{signal} expected exit code 0 within {ExitDeadline}, got {exitCode?.ToString() ?? "none (killed)"}\n{agent.Process.Output}");
    }

    [Fact]
    public async Task Dev_agent_on_a_busy_port_exits_1_naming_the_address()
    {
        using var squatter = new TcpListener(IPAddress.Loopback, 0);
        squatter.Start();
        var port = ((IPEndPoint)squatter.LocalEndpoint).Port;

        var result = await PraetorExecutable.RunAsync(["agent", "-dev", "-http-port", port.ToString()], ExitDeadline);

        Assert.True(result.ExitCode == 1, $"expected exit code 1 on busy port {port}\n{result.Output}");
        Assert.Contains($"127.0.0.1:{port}", result.StandardError + result.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Agent_with_an_unknown_flag_exits_1_naming_it()
    {
        var port = FreeLoopbackPort.Pick();

        var result = await PraetorExecutable.RunAsync(["agent", "-dev", "-http-port", port.ToString(), "-no-such-flag"], ExitDeadline);

        Assert.True(result.ExitCode == 1, $"expected exit code 1 for an unknown flag\n{result.Output}");
        Assert.Contains("no-such-flag", result.StandardError + result.StandardOutput, StringComparison.Ordinal);
    }
}
