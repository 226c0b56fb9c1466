using System.Diagnostics;

namespace Praetor.Integration;

/// <summary>python-consul, a real Consul client, against a real `praetor agent -dev`: python/kv_client_check.py makes the checks.</summary>
[Trait("Category", "Integration")]
public sealed class PythonConsulClientTests
{
    private static readonly TimeSpan ScriptDeadline = TimeSpan.FromMinutes(2);

    [PythonConsulFact]
    public async Task Python_consul_kv_checks_pass_against_the_agent()
    {
        await using var agent = await AgentProcess.StartDevAsync();
        var script = Path.Combine(AppContext.BaseDirectory, "python", "kv_client_check.py");
        Assert.True(File.Exists(script), $"the checked-in script was not copied next to the tests: {script}");

        var info = new ProcessStartInfo(PythonConsul.Interpreter)
        {
            ArgumentList = { "-I", script, "127.0.0.1", agent.HttpPort.ToString() },
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // python-consul reads CONSUL_HTTP_ADDR and friends over its constructor arguments.
        foreach (var name in info.Environment.Keys.Where(k => k.StartsWith("CONSUL_", StringComparison.Ordinal)).ToList())
        {
            info.Environment.Remove(name);
        }
        await using var python = ChildProcess.Start(info);
        python.CloseInput();
        var exitCode = await python.WaitForExitAsync(ScriptDeadline);

        Assert.True(exitCode == 0,
            $"python-consul {PythonConsul.Version} checks failed (exit code {exitCode?.ToString() ?? $"none: killed after {ScriptDeadline}"}):\n" +
            $"{python.Output}\n--- agent ---\n{agent.Process.Output}");
        Assert.Contains("all ", python.StandardOutput, StringComparison.Ordinal);
    }
}
