using System.Text.Json;

namespace Praetor.Integration;

/// <summary>`praetor services register`, `catalog services/nodes` and `maint` as separate processes against a running agent.</summary>
[Trait("Category", "Integration")]
public sealed class CatalogCliTests
{
    private static readonly TimeSpan CommandDeadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Services_register_then_catalog_services_with_tags_and_catalog_nodes()
    {
        await using var agent = await AgentProcess.StartDevAsync();
        using var http = new AgentHttp(agent);
        var addr = $"-http-addr={agent.HttpAddr}";
        var node = await NodeNameAsync(http);

        var register = await RunAsync(agent, ["services", "register", addr, "-name=web", "-port=80", "-tag=blue"]);
        Assert.Equal("Registered service: web\n", register.StandardOutput);
        await http.WaitForAsync("v1/catalog/services", static b => b.TryGetProperty("web", out _), "web synced to the catalog");

        var services = await RunAsync(agent, ["catalog", "services", addr, "-tags"]);
        var rows = Rows(services.StandardOutput);
        Assert.Contains(["web", "blue"], rows);
        Assert.Contains(["consul"], rows);

        var plain = await RunAsync(agent, ["catalog", "services", addr]);
        Assert.Equal("consul\nweb\n", plain.StandardOutput);

        var nodes = await RunAsync(agent, ["catalog", "nodes", addr]);
        rows = Rows(nodes.StandardOutput);
        Assert.Equal(["Node", "ID", "Address", "DC"], rows[0]);
        var row = Assert.Single(rows.Skip(1));
        Assert.Equal(node, row[0]);
        Assert.Equal(["127.0.0.1", "dc1"], row[2..]);
    }

    [Fact]
    public async Task Maint_enable_with_a_reason_then_maint_shows_it()
    {
        await using var agent = await AgentProcess.StartDevAsync();
        using var http = new AgentHttp(agent);
        var addr = $"-http-addr={agent.HttpAddr}";
        var node = await NodeNameAsync(http);

        var enable = await RunAsync(agent, ["maint", addr, "-enable", "-reason=x"]);
        Assert.Equal("Node maintenance is now enabled\n", enable.StandardOutput);
        var shown = await RunAsync(agent, ["maint", addr]);
        Assert.Equal($"Node:\n  Name:   {node}\n  Reason: x\n\n", shown.StandardOutput);
        var critical = await http.WaitForAsync("v1/health/state/critical", static b => b.EnumerateArray().Any(IsNodeMaintenance), "_node_maintenance synced to the catalog");
        Assert.Equal("x", critical.EnumerateArray().Single(IsNodeMaintenance).GetProperty("Notes").GetString());

        var disable = await RunAsync(agent, ["maint", addr, "-disable"]);
        Assert.Equal("Node maintenance is now disabled\n", disable.StandardOutput);
        var none = await RunAsync(agent, ["maint", addr]);
        Assert.Equal("", none.StandardOutput);
        await http.WaitForAsync("v1/health/state/critical", static b => !b.EnumerateArray().Any(IsNodeMaintenance), "_node_maintenance gone from the catalog");
    }

    private static bool IsNodeMaintenance(JsonElement check) => check.GetProperty("CheckID").GetString() == "_node_maintenance";

    private static async Task<ChildProcessResult> RunAsync(AgentProcess agent, string[] args)
    {
        var result = await PraetorExecutable.RunAsync(args, CommandDeadline);
        Assert.True(result.ExitCode == 0, $"praetor {string.Join(' ', args)}\n{result.Output}\n--- agent ---\n{agent.Process.Output}");
        return result;
    }

    private static async Task<string> NodeNameAsync(AgentHttp http) =>
        (await http.GetJsonAsync("v1/agent/self")).GetProperty("Config").GetProperty("NodeName").GetString()!;

    /// <summary>A column layout's lines split on runs of spaces, trailing padding dropped.</summary>
    private static List<string[]> Rows(string output) =>
        [.. output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(static line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))];
}
