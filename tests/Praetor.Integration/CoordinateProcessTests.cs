using System.Text.Json;

namespace Praetor.Integration;

/// <summary>
/// Network coordinates between real <c>praetor</c> processes on loopback: a server and two clients
/// probe each other, send their coordinates (the clients through the server's RPC), and
/// <c>/v1/coordinate/nodes</c>, <c>?near=</c> and <c>praetor rtt</c> see them.
/// </summary>
[Trait("Category", "Integration")]
public sealed class CoordinateProcessTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task A_server_and_two_clients_get_non_zero_coordinates_in_the_catalog()
    {
        using var dirs = new TempDirectory();
        await using var servers = ClusterNodes.Servers(dirs, 1);
        servers.Nodes[0].Start();
        await using var clients = ClusterNodes.Clients(dirs, 2, servers.Nodes[0].LanPort, []);
        foreach (var node in clients.Nodes) node.Start();
        await ClusterNodes.WaitForLeaderAsync(servers.Nodes);
        var server = servers.Nodes[0];
        string[] names = ["client-1", "client-2", "server-1"];

        // Agents send their first coordinate 2 s after start and then every 15-30 s; a coordinate
        // still at the origin (sent before any probe) is replaced by the next.
        JsonElement[] entries = [];
        await ClusterProcessTests.WaitAsync(async () =>
        {
            entries = JsonSerializer.Deserialize<JsonElement[]>(await server.GetStringAsync("v1/coordinate/nodes"))!;
            return entries.Length == 3 && entries.All(e => e.GetProperty("Coord").GetProperty("Vec").EnumerateArray().Any(v => v.GetDouble() != 0));
        }, "three non-zero coordinates on the server");
        Assert.Equal(names, entries.Select(e => e.GetProperty("Node").GetString()));
        Assert.All(entries, e => Assert.Equal(8, e.GetProperty("Coord").GetProperty("Vec").GetArrayLength()));

        // A client reads them through the server, and sorts by them.
        var fromClient = JsonSerializer.Deserialize<JsonElement[]>(await clients.Nodes[0].GetStringAsync("v1/coordinate/nodes"))!;
        Assert.Equal(names, fromClient.Select(e => e.GetProperty("Node").GetString()));
        var near = JsonSerializer.Deserialize<JsonElement[]>(await clients.Nodes[0].GetStringAsync("v1/catalog/nodes?near=_agent"))!;
        Assert.Equal(names, near.Select(n => n.GetProperty("Node").GetString()).Order());

        var rtt = await PraetorExecutable.RunAsync(["rtt", $"-http-addr={clients.Nodes[0].HttpAddr}", "client-2"], Deadline);
        Assert.True(rtt.ExitCode == 0, rtt.Output);
        Assert.Matches(@"^Estimated client-2 <-> client-1 rtt: \d+\.\d{3} ms \(using LAN coordinates\)\n$", rtt.StandardOutput);
    }
}
