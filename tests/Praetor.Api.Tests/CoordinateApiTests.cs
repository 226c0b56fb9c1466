using System.Globalization;
using System.Net;
using System.Text.Json;

namespace Praetor.Api.Tests;

/// <summary>`/v1/coordinate/*` and `?near=` ordering, with coordinates put through the API.</summary>
public sealed class CoordinateApiTests : CatalogFixture
{
    private static string Coordinate(string node, double x, int dimensions = 8, string? vec = null)
    {
        var components = vec ?? "[" + string.Join(",", Enumerable.Range(0, dimensions).Select(i => (i == 0 ? x : 0).ToString("R", CultureInfo.InvariantCulture))) + "]";
        return $$$"""{"Node":"{{{node}}}","Segment":"","Coord":{"Vec":{{{components}}},"Error":0.2,"Adjustment":0,"Height":0.00001}}""";
    }

    private async Task RegisterWebAsync(string node) =>
        await PutOkAsync("/v1/catalog/register", $$$"""{"Node":"{{{node}}}","Address":"10.1.0.9","Service":{"ID":"web-{{{node}}}","Service":"web","Port":80}}""");

    private async Task<JsonElement> WaitForCoordinatesAsync(int count) =>
        await WaitForAsync("/v1/coordinate/nodes", body => body.GetArrayLength() >= count);

    [Fact]
    public async Task An_update_appears_in_nodes_and_node_with_Consuls_fields()
    {
        await RegisterWebAsync("node1");
        await PutOkAsync("/v1/coordinate/update", Coordinate("node1", 0.0125));

        var entry = Assert.Single((await WaitForCoordinatesAsync(1)).EnumerateArray());
        Assert.Equal("node1", entry.GetProperty("Node").GetString());
        Assert.Equal("", entry.GetProperty("Segment").GetString());
        var coord = entry.GetProperty("Coord");
        Assert.Equal(["Vec", "Error", "Adjustment", "Height"], coord.EnumerateObject().Select(p => p.Name));
        Assert.Equal(8, coord.GetProperty("Vec").GetArrayLength());
        Assert.Equal(0.0125, coord.GetProperty("Vec")[0].GetDouble());
        Assert.Equal(0.2, coord.GetProperty("Error").GetDouble());
        Assert.Equal(0.00001, coord.GetProperty("Height").GetDouble());

        var (one, index) = await GetIndexedAsync("/v1/coordinate/node/node1");
        Assert.Equal("node1", Assert.Single(one.EnumerateArray()).GetProperty("Node").GetString());
        Assert.True(index > 0);
        using var missing = await Http.GetAsync("/v1/coordinate/node/nobody");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Empty(await missing.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_blocking_read_of_nodes_wakes_on_an_update()
    {
        await RegisterWebAsync("node1");
        var (_, index) = await GetIndexedAsync("/v1/coordinate/nodes");
        var waiting = Http.GetAsync($"/v1/coordinate/nodes?index={index}&wait=10s");
        await PutOkAsync("/v1/coordinate/update", Coordinate("node1", 0.002));

        using var response = await waiting.WaitAsync(Deadline);
        Assert.True(IndexOf(response) > index);
        Assert.Single(JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.EnumerateArray());
    }

    [Theory]
    [InlineData("""{"Segment":"","Coord":{"Vec":[0,0,0,0,0,0,0,0]}}""", "Missing node name")]
    [InlineData("""{"Node":"node1"}""", "Missing coordinate")]
    [InlineData("""{"Node":"node1","Coord":{"Vec":"no"}}""", "Coord.Vec must be an array of numbers")]
    [InlineData("""{"Node":"node1","Coord":{"Vec":[0,0,"x",0,0,0,0,0]}}""", "Coord.Vec[2] must be a finite number")]
    [InlineData("""{"Node":"node1","Coord":{"Vec":[0,0,0,0,0,0,0,0],"Error":"big"}}""", "Coord.Error must be a finite number")]
    [InlineData("""{"Node":"node1","Coord":{"Vec":[0,0,0,0,0,0,0,1e400]}}""", "finite")]
    [InlineData("""{"Node":"node1","Coord":{"Vec":[0,0,0]}}""", "coordinate dimensionality does not match")]
    [InlineData("""{"Node":"ghost","Coord":{"Vec":[0,0,0,0,0,0,0,0]}}""", "Node \"ghost\" is not registered in the catalog")]
    [InlineData("""not json""", "Request decode failed")]
    public async Task Bad_updates_are_400s_that_write_nothing(string body, string reason)
    {
        await RegisterWebAsync("node1");

        await PutRefusedAsync("/v1/coordinate/update", body, HttpStatusCode.BadRequest, reason);

        // A good update after it is the only one written.
        await PutOkAsync("/v1/coordinate/update", Coordinate("node1", 0.001));
        var entry = Assert.Single((await WaitForCoordinatesAsync(1)).EnumerateArray());
        Assert.Equal(0.001, entry.GetProperty("Coord").GetProperty("Vec")[0].GetDouble());
    }

    [Fact]
    public async Task Near_orders_catalog_and_health_results_by_estimated_rtt_with_nodes_without_coordinates_last()
    {
        foreach (var node in new[] { "node-c", "node-a", "node-b", "node-far" })
        {
            await RegisterWebAsync(node);
        }
        await PutOkAsync("/v1/coordinate/update", Coordinate("node-a", 0.010));
        await PutOkAsync("/v1/coordinate/update", Coordinate("node-b", 0.002));
        await PutOkAsync("/v1/coordinate/update", Coordinate("node-far", 0.100));
        await PutOkAsync("/v1/coordinate/update", Coordinate(Self, 0.011));
        await WaitForCoordinatesAsync(4);

        string[] Nodes(JsonElement body, string field) =>
            [.. body.EnumerateArray().Select(e => field == "Node.Node" ? e.GetProperty("Node").GetProperty("Node").GetString()! : e.GetProperty(field).GetString()!)];

        // From node-b (at 2 ms): itself, node-a (8 ms), node-far (98 ms); node-c has no coordinate.
        string[] fromB = ["node-b", "node-a", "node-far", "node-c"];
        Assert.Equal(fromB, Nodes(await GetJsonAsync("/v1/catalog/service/web?near=node-b"), "Node"));
        Assert.Equal(fromB, Nodes(await GetJsonAsync("/v1/health/service/web?near=node-b"), "Node.Node"));
        Assert.Equal(["node-b", "node-a", Self, "node-far", "node-c"], Nodes(await GetJsonAsync("/v1/catalog/nodes?near=node-b"), "Node"));
        // From this agent (at 11 ms): node-a, node-b, node-far, then node-c.
        Assert.Equal(["node-a", "node-b", "node-far", "node-c"], Nodes(await GetJsonAsync("/v1/catalog/service/web?near=_agent"), "Node"));
        // A source without a coordinate sorts nothing: the catalog's order.
        Assert.Equal(["node-a", "node-b", "node-c", "node-far"], Nodes(await GetJsonAsync("/v1/catalog/service/web?near=node-c"), "Node"));
        Assert.Equal(["node-a", "node-b", "node-c", "node-far"], Nodes(await GetJsonAsync("/v1/catalog/service/web"), "Node"));
    }

    [Fact]
    public async Task Datacenters_lists_this_datacenter_in_the_wan_area()
    {
        // This fixture runs no WAN pool: Consul answers an empty list then.
        Assert.Empty((await GetJsonAsync("/v1/coordinate/datacenters")).EnumerateArray());
    }
}
