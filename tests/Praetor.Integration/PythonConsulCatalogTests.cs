namespace Praetor.Integration;

/// <summary>
/// python-consul against a real `praetor agent -dev`: python/catalog_health_check.py registers a
/// service with a TTL check through the agent, passes it, reads it back through health, catalog
/// and agent endpoints, deregisters it, reads nodes, services and health by node and by state,
/// and puts the node into maintenance.
/// </summary>
[Trait("Category", "Integration")]
public sealed class PythonConsulCatalogTests
{
    private static readonly TimeSpan ScriptDeadline = TimeSpan.FromMinutes(2);

    [PythonConsulFact]
    public async Task Python_consul_agent_catalog_and_health_checks_pass_against_the_agent()
    {
        await using var agent = await AgentProcess.StartDevAsync();

        var result = await PythonConsul.RunScriptAsync("catalog_health_check.py", ["127.0.0.1", agent.HttpPort.ToString()], ScriptDeadline);

        Assert.True(result.ExitCode == 0,
            $"python-consul {PythonConsul.Version} agent/catalog/health checks failed:\n{result.Output}\n--- agent ---\n{agent.Process.Output}");
        Assert.Contains("all ", result.StandardOutput, StringComparison.Ordinal);
    }
}
