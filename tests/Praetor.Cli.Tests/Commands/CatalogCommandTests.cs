using Praetor.Cli.Catalog;
using Praetor.Client;

namespace Praetor.Cli.Tests.Commands;

public sealed class CatalogCommandTests : CliAgentFixture
{
    [Fact]
    public async Task Datacenters_lists_the_agents_datacenter()
    {
        var run = await RunAsync("catalog", "datacenters");
        Assert.Equal(0, run.ExitCode);
        Assert.Equal("dc1\n", run.Stdout);
    }

    [Fact]
    public async Task Datacenters_takes_no_arguments()
    {
        var run = await RunAsync("catalog", "datacenters", "extra");
        Assert.Equal(1, run.ExitCode);
        Assert.Equal("Too many arguments (expected 0, got 1)\n", run.Stderr);
    }

    [Fact]
    public async Task Nodes_prints_consuls_columns_with_the_short_id()
    {
        var self = (await Client.Agent.SelfAsync()).Config;
        var node = (await Client.Catalog.NodesAsync()).Response.Single();
        var run = await RunAsync("catalog", "nodes");
        Assert.Equal(0, run.ExitCode);
        var shortId = node.Id.Split('-')[0];
        Assert.Equal(8, shortId.Length);
        var expected = Columnize.Format([["Node", "ID", "Address", "DC"], [self.NodeName, shortId, node.Address, "dc1"]]) + "\n";
        Assert.Equal(expected, run.Stdout);
        Assert.StartsWith("Node      ID        Address", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Nodes_detailed_adds_tagged_addresses_and_meta_and_the_full_id()
    {
        await RegisterExternalAsync("ext-1", "10.0.0.9", "web", meta: new() { ["rack"] = "r1", ["env"] = "prod" });
        var run = await RunAsync("catalog", "nodes", "-detailed");
        Assert.Equal(0, run.ExitCode);
        var lines = run.Stdout.TrimEnd('\n').Split('\n');
        Assert.Matches("^Node +ID +Address +DC +TaggedAddresses +Meta$", lines[0]);
        var ext = Assert.Single(lines, l => l.StartsWith("ext-1 ", StringComparison.Ordinal));
        Assert.Contains("11111111-2222-3333-4444-555555555555", ext, StringComparison.Ordinal);
        Assert.EndsWith("env=prod, rack=r1", ext, StringComparison.Ordinal);
        Assert.Equal(lines[0].IndexOf("ID", StringComparison.Ordinal), ext.IndexOf("11111111", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Nodes_service_lists_only_nodes_running_it()
    {
        await RegisterExternalAsync("ext-1", "10.0.0.9", "web");
        await RegisterExternalAsync("ext-2", "10.0.0.10", "db");
        var run = await RunAsync("catalog", "nodes", "-service=web");
        Assert.Equal(0, run.ExitCode);
        Assert.Equal("Node   ID        Address   DC\next-1  11111111  10.0.0.9  dc1\n", run.Stdout);
    }

    [Fact]
    public async Task Nodes_node_meta_filters()
    {
        await RegisterExternalAsync("ext-1", "10.0.0.9", "web", meta: new() { ["rack"] = "r1" });
        var run = await RunAsync("catalog", "nodes", "-node-meta", "rack=r1");
        Assert.Equal(0, run.ExitCode);
        Assert.Equal("Node   ID        Address   DC\next-1  11111111  10.0.0.9  dc1\n", run.Stdout);
    }

    [Fact]
    public async Task Nodes_with_no_match_says_so_on_stderr_and_succeeds()
    {
        var run = await RunAsync("catalog", "nodes", "-service=nothing");
        Assert.Equal(0, run.ExitCode);
        Assert.Equal(string.Empty, run.Stdout);
        Assert.Equal("No nodes match the given query - try expanding your search.\n", run.Stderr);
    }

    [Fact]
    public async Task Nodes_near_and_filter_are_not_supported()
    {
        var near = await RunAsync("catalog", "nodes", "-near=_agent");
        Assert.Equal(1, near.ExitCode);
        Assert.StartsWith("-near is not supported yet", near.Stderr, StringComparison.Ordinal);
        var filter = await RunAsync("catalog", "nodes", "-filter=Node == x");
        Assert.Equal(1, filter.ExitCode);
        Assert.StartsWith("-filter is not supported yet", filter.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Services_lists_names_sorted_one_a_line()
    {
        await Client.Agent.ServiceRegisterAsync(new AgentServiceRegistration { Name = "web", Tags = ["v2", "blue"] });
        await Client.Agent.ServiceRegisterAsync(new AgentServiceRegistration { Name = "api" });
        await WaitForCatalogServiceAsync("web");
        await WaitForCatalogServiceAsync("api");
        var run = await RunAsync("catalog", "services");
        Assert.Equal(0, run.ExitCode);
        Assert.Equal("api\nconsul\nweb\n", run.Stdout);
    }

    [Fact]
    public async Task Services_tags_shows_sorted_tags_in_a_second_column()
    {
        await Client.Agent.ServiceRegisterAsync(new AgentServiceRegistration { Name = "web", Tags = ["v2", "blue"] });
        await Client.Agent.ServiceRegisterAsync(new AgentServiceRegistration { Name = "zookeeper" });
        await WaitForCatalogServiceAsync("web");
        await WaitForCatalogServiceAsync("zookeeper");
        var run = await RunAsync("catalog", "services", "-tags");
        Assert.Equal(0, run.ExitCode);
        Assert.Equal("consul         \nweb            blue,v2\nzookeeper\n", run.Stdout);
    }

    [Fact]
    public async Task Services_node_lists_that_nodes_services()
    {
        await RegisterExternalAsync("ext-1", "10.0.0.9", "web");
        var run = await RunAsync("catalog", "services", "-node=ext-1", "-tags");
        Assert.Equal(0, run.ExitCode);
        Assert.Equal("web      primary\n", run.Stdout);
    }

    [Fact]
    public async Task Services_of_an_unknown_node_match_nothing()
    {
        var run = await RunAsync("catalog", "services", "-node=ghost");
        Assert.Equal(0, run.ExitCode);
        Assert.Equal("No services match the given query - try expanding your search.\n", run.Stderr);
    }

    [Fact]
    public async Task Services_node_meta_filters()
    {
        await RegisterExternalAsync("ext-1", "10.0.0.9", "web", meta: new() { ["rack"] = "r1" });
        var run = await RunAsync("catalog", "services", "-node-meta=rack=r1");
        Assert.Equal(0, run.ExitCode);
        Assert.Equal("web\n", run.Stdout);
    }

    [Fact]
    public async Task Catalog_commands_report_an_unreachable_agent()
    {
        var address = $"127.0.0.1:{ClosedPort()}";
        var nodes = await RunAsync("catalog", "nodes", "-http-addr", address);
        Assert.Equal(1, nodes.ExitCode);
        Assert.StartsWith("Error listing nodes: Get \"http://", nodes.Stderr, StringComparison.Ordinal);
        var services = await RunAsync("catalog", "services", "-http-addr", address);
        Assert.Equal(1, services.ExitCode);
        Assert.StartsWith("Error listing services: Get \"http://", services.Stderr, StringComparison.Ordinal);
        var dcs = await RunAsync("catalog", "datacenters", "-http-addr", address);
        Assert.Equal(1, dcs.ExitCode);
        Assert.StartsWith("Error listing datacenters: Get \"http://", dcs.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Catalog_without_a_subcommand_prints_usage()
    {
        var run = await RunAsync("catalog");
        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith("Usage: praetor catalog <subcommand>", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Columnize_pads_all_but_the_last_column_with_two_spaces()
    {
        Assert.Equal("a    bb  c\nccc  d   eeee", Columnize.Format([["a", "bb", "c"], ["ccc", "d", "eeee"]]));
        Assert.Equal("x  \ny  z", Columnize.Format([["x", ""], ["y", "z"]]));
    }

    private async Task RegisterExternalAsync(string node, string address, string service, Dictionary<string, string>? meta = null)
    {
        using var http = new HttpClient();
        var body = new Dictionary<string, object>
        {
            ["Node"] = node,
            ["ID"] = node == "ext-1" ? "11111111-2222-3333-4444-555555555555" : "99999999-2222-3333-4444-555555555555",
            ["Address"] = address,
            ["NodeMeta"] = meta ?? [],
            ["TaggedAddresses"] = new Dictionary<string, string> { ["lan"] = address },
            ["Service"] = new Dictionary<string, object> { ["Service"] = service, ["Tags"] = new[] { "primary" }, ["Port"] = 80 },
        };
        var json = System.Text.Json.JsonSerializer.Serialize(body);
        using var content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");
        using var response = await http.PutAsync(new Uri(Host.HttpAddress, "/v1/catalog/register"), content);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    // Local services reach the catalog through anti-entropy.
    private async Task WaitForCatalogServiceAsync(string name)
    {
        for (var i = 0; i < 100; i++)
        {
            if ((await Client.Catalog.ServicesAsync()).Response.ContainsKey(name))
            {
                return;
            }

            await Task.Delay(50);
        }

        Assert.Fail($"service {name} never reached the catalog");
    }
}
