using System.Text;
using Praetor.Client;

namespace Praetor.Cli.Tests.Commands;

/// <summary><c>praetor rtt</c> against an agent whose coordinates the test put through the API.</summary>
public sealed class RttCommandTests : CliAgentFixture
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    private static string Coordinate(string node, double x) =>
        $$$"""{"Node":"{{{node}}}","Coord":{"Vec":[{{{x.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}}},0,0,0,0,0,0,0],"Error":0.2,"Adjustment":0,"Height":0.00001}}""";

    /// <summary>This agent at the origin and "other" 1 ms away: 1 ms + 2 × 10 µs of height = 1.020 ms.</summary>
    private async Task PutCoordinatesAsync()
    {
        using var http = new HttpClient { BaseAddress = Host.HttpAddress };
        using (var register = await http.PutAsync("/v1/catalog/register", new StringContent("""{"Node":"other","Address":"10.0.0.2"}""", Encoding.UTF8)))
        {
            register.EnsureSuccessStatusCode();
        }
        foreach (var (node, x) in new[] { ("cli-test", 0.0), ("other", 0.001) })
        {
            using var put = await http.PutAsync("/v1/coordinate/update", new StringContent(Coordinate(node, x), Encoding.UTF8));
            put.EnsureSuccessStatusCode();
        }
        var deadline = DateTime.UtcNow + Deadline;
        while ((await Client.Coordinate.NodesAsync()).Response.Count < 2)
        {
            Assert.True(DateTime.UtcNow < deadline, "the coordinates never reached the catalog");
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task One_node_is_measured_from_the_agents_own_node()
    {
        await PutCoordinatesAsync();

        var run = await RunAsync("rtt", "other");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("Estimated other <-> cli-test rtt: 1.020 ms (using LAN coordinates)\n", run.Stdout);
    }

    [Fact]
    public async Task Two_nodes_are_measured_in_the_order_given()
    {
        await PutCoordinatesAsync();

        var run = await RunAsync("rtt", "cli-test", "other");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("Estimated cli-test <-> other rtt: 1.020 ms (using LAN coordinates)\n", run.Stdout);
    }

    [Fact]
    public async Task A_node_without_a_coordinate_is_an_error()
    {
        await PutCoordinatesAsync();

        var run = await RunAsync("rtt", "other", "ghost");

        Assert.Equal(1, run.ExitCode);
        Assert.Equal("Could not find a coordinate for node \"ghost\"\n", run.Stderr);
        Assert.Empty(run.Stdout);
    }

    [Fact]
    public async Task Wan_coordinates_come_from_the_datacenters_list_which_this_agent_has_none_of()
    {
        var run = await RunAsync("rtt", "-wan", "cli-test.dc1");

        Assert.Equal(1, run.ExitCode);
        Assert.Equal("Could not find a coordinate for node \"cli-test.dc1\"\n", run.Stderr);
    }

    [Theory]
    [InlineData]
    [InlineData("a", "b", "c")]
    public async Task Zero_or_more_than_two_nodes_are_a_usage_error(params string[] nodes)
    {
        var run = await RunAsync(["rtt", .. nodes]);

        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith("One or two node names must be specified\n", run.Stderr);
    }

    [Fact]
    public async Task An_unreachable_agent_is_reported_as_Consul_does()
    {
        Environment["CONSUL_HTTP_ADDR"] = $"127.0.0.1:{ClosedPort()}";

        var two = await RunAsync("rtt", "a", "b");
        var one = await RunAsync("rtt", "a");

        Assert.Equal((1, 1), (two.ExitCode, one.ExitCode));
        Assert.StartsWith("Error getting coordinates: ", two.Stderr);
        Assert.StartsWith("Unable to look up agent info: ", one.Stderr);
    }
}
