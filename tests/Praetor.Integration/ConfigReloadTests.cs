using System.Text.Json;

namespace Praetor.Integration;

/// <summary>
/// Reloading service definitions from `-config-dir`, by `praetor reload` and by SIGHUP to the
/// agent's PID: a new file's service joins the agent and the catalog, a removed file's service
/// leaves both, and a broken file is refused naming file and key while nothing changes.
/// </summary>
[Trait("Category", "Integration")]
public sealed class ConfigReloadTests
{
    private static readonly TimeSpan CommandDeadline = TimeSpan.FromSeconds(30);

    public enum Trigger
    {
        ReloadCommand,
        Sighup,

        /// <summary>SIGHUP to an agent started with it ignored (`nohup`), which Consul reloads on all the same.</summary>
        SighupIgnoredAtStart,
    }

    [Theory]
    [InlineData(Trigger.ReloadCommand)]
    [InlineData(Trigger.Sighup)]
    [InlineData(Trigger.SighupIgnoredAtStart)]
    public async Task Reload_adds_and_removes_services_and_refuses_a_broken_file(Trigger trigger)
    {
        using var temp = new TempDirectory();
        var configDir = temp.CreateSubdirectory("consul.d");
        File.WriteAllText(Path.Combine(configDir, "web.json"), """{"service": {"name": "web", "port": 80, "tags": ["blue"]}}""");
        await using var agent = await AgentProcess.StartDevAsync(trigger == Trigger.SighupIgnoredAtStart ? ["HUP"] : [], [$"-config-dir={configDir}"]);
        using var http = new AgentHttp(agent);
        await http.WaitForAsync("v1/catalog/services", static b => b.TryGetProperty("web", out _), "web from the start-up config in the catalog");

        // A second file, then reload: its service joins the agent and the catalog.
        var apiFile = Path.Combine(configDir, "api.json");
        File.WriteAllText(apiFile, """{"service": {"name": "api", "port": 8080, "tags": ["v1"]}}""");
        await ReloadAsync(agent, trigger);
        var catalog = await http.WaitForAsync("v1/catalog/services", static b => b.TryGetProperty("api", out _), "api in the catalog after the reload");
        Assert.Equal(["v1"], catalog.GetProperty("api").EnumerateArray().Select(static t => t.GetString()));
        Assert.Equal(["api", "web"], await AgentServiceIdsAsync(http));
        var api = Assert.Single((await http.GetJsonAsync("v1/catalog/service/api")).EnumerateArray());
        Assert.Equal(8080, api.GetProperty("ServicePort").GetInt32());

        // The file removed, then reload: its service leaves both.
        File.Delete(apiFile);
        await ReloadAsync(agent, trigger);
        await http.WaitForAsync("v1/catalog/services", static b => !b.TryGetProperty("api", out _), "api gone from the catalog after its file was removed");
        Assert.Equal(["web"], await AgentServiceIdsAsync(http));
        Assert.Equal(0, (await http.GetJsonAsync("v1/catalog/service/api")).GetArrayLength());

        // A valid new file next to a broken one: the reload is refused as a whole, naming file and key.
        File.WriteAllText(apiFile, """{"service": {"name": "api", "port": 8080}}""");
        var brokenFile = Path.Combine(configDir, "cache.json");
        File.WriteAllText(brokenFile, """{"service": {"name": "cache", "port": 6379, "portt": 6380}}""");
        var before = (await http.GetJsonAsync("v1/catalog/services")).GetRawText();
        var refusal = await RefusedReloadAsync(agent, trigger);
        Assert.Contains(brokenFile, refusal, StringComparison.Ordinal);
        Assert.Contains("portt", refusal, StringComparison.Ordinal);
        Assert.Equal(["web"], await AgentServiceIdsAsync(http));
        Assert.Equal(before, (await http.GetJsonAsync("v1/catalog/services")).GetRawText());

        // The agent keeps serving after the refusal.
        Assert.False(agent.Process.HasExited, $"the agent exited after a refused reload\n{agent.Process.Output}");
    }

    private static async Task ReloadAsync(AgentProcess agent, Trigger trigger)
    {
        if (trigger != Trigger.ReloadCommand)
        {
            await agent.Process.SignalAsync("HUP");
            return;
        }
        var reload = await PraetorExecutable.RunAsync(["reload", $"-http-addr={agent.HttpAddr}"], CommandDeadline);
        Assert.True(reload.ExitCode == 0, $"praetor reload\n{reload.Output}\n--- agent ---\n{agent.Process.Output}");
        Assert.Equal("Configuration reload triggered\n", reload.StandardOutput);
    }

    /// <summary>Reloads expecting a refusal; returns what names the reason: `praetor reload`'s stderr, or the agent's log line after SIGHUP.</summary>
    private static async Task<string> RefusedReloadAsync(AgentProcess agent, Trigger trigger)
    {
        if (trigger == Trigger.ReloadCommand)
        {
            var reload = await PraetorExecutable.RunAsync(["reload", $"-http-addr={agent.HttpAddr}"], CommandDeadline);
            Assert.True(reload.ExitCode == 1, $"praetor reload with a broken config file must exit 1\n{reload.Output}");
            Assert.StartsWith("Error reloading: ", reload.StandardError, StringComparison.Ordinal);
            return reload.StandardError;
        }
        await agent.Process.SignalAsync("HUP");
        // A signal has no reply: the agent logs the refusal. Poll its output under a deadline.
        const string marker = "Failed to reload configs";
        using var deadline = new CancellationTokenSource(AgentHttp.WaitDeadline);
        using var poll = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        while (!agent.Process.Output.Contains(marker, StringComparison.Ordinal))
        {
            try
            {
                await poll.WaitForNextTickAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"no \"{marker}\" in the agent's log within {AgentHttp.WaitDeadline} after SIGHUP with a broken file\n{agent.Process.Output}");
            }
        }
        var output = agent.Process.Output;
        return output[output.IndexOf(marker, StringComparison.Ordinal)..];
    }

    private static async Task<string[]> AgentServiceIdsAsync(AgentHttp http) =>
        [.. (await http.GetJsonAsync("v1/agent/services")).EnumerateObject().Select(static p => p.Name).Order(StringComparer.Ordinal)];
}
