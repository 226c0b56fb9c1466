using System.Diagnostics;
using System.Net;
using System.Text.Json;

namespace Praetor.Api.Tests;

/// <summary>`/v1/health/*`: node, checks/:service, service/:name (`passing`, `tag`), state/:state.</summary>
public sealed class HealthApiTests : CatalogFixture
{
    private const string Web1 = """
        {"Node":"node1","Address":"10.1.0.1",
         "Service":{"ID":"web-a","Service":"web","Tags":["v1"],"Port":80},
         "Checks":[{"CheckID":"web-a-http","Name":"http","Status":"passing","ServiceID":"web-a"},
                   {"CheckID":"node1-disk","Name":"disk","Status":"passing"}]}
        """;

    private const string Web2 = """
        {"Node":"node2","Address":"10.1.0.2",
         "Service":{"ID":"web-b","Service":"web","Tags":["v2"],"Port":81},
         "Checks":[{"CheckID":"web-b-http","Name":"http","Status":"critical","ServiceID":"web-b","Output":"connection refused"}]}
        """;

    private const string Web3 = """
        {"Node":"node3","Address":"10.1.0.3",
         "Service":{"ID":"web-c","Service":"web","Tags":["v2"],"Port":82},
         "Checks":[{"CheckID":"web-c-http","Name":"http","Status":"passing","ServiceID":"web-c"},
                   {"CheckID":"node3-load","Name":"load","Status":"warning"}]}
        """;

    private async Task RegisterWebAsync()
    {
        await PutOkAsync("/v1/catalog/register", Web1);
        await PutOkAsync("/v1/catalog/register", Web2);
        await PutOkAsync("/v1/catalog/register", Web3);
    }

    [Fact]
    public async Task Node_lists_the_nodes_checks_and_is_empty_for_an_unknown_node()
    {
        await RegisterWebAsync();
        var checks = await GetJsonAsync("/v1/health/node/node1");
        Assert.Equal(["node1-disk", "web-a-http"], CheckIds(checks));
        var disk = CheckIn(checks, "node1-disk")!.Value;
        Assert.Equal("", disk.GetProperty("ServiceID").GetString());
        Assert.Equal("", disk.GetProperty("ServiceName").GetString());
        Assert.Equal(JsonValueKind.Array, disk.GetProperty("ServiceTags").ValueKind);
        Assert.Equal("0s", disk.GetProperty("Definition").GetProperty("Interval").GetString());

        using var unknown = await Http.GetAsync("/v1/health/node/nowhere");
        Assert.Equal(HttpStatusCode.OK, unknown.StatusCode);
        Assert.Equal("[]", await unknown.Content.ReadAsStringAsync());

        var self = await GetJsonAsync($"/v1/health/node/{Self}");
        Assert.True(HasCheck(self, "serfHealth", "passing"));
    }

    [Fact]
    public async Task Checks_lists_only_the_service_checks_of_every_instance()
    {
        await RegisterWebAsync();
        Assert.Equal(["web-a-http", "web-b-http", "web-c-http"], CheckIds(await GetJsonAsync("/v1/health/checks/web")));
        Assert.Empty(CheckIds(await GetJsonAsync("/v1/health/checks/nothing")));
        Assert.Empty(CheckIds(await GetJsonAsync("/v1/health/checks/consul")));
    }

    [Fact]
    public async Task Service_returns_node_service_and_all_deciding_checks_per_instance()
    {
        await RegisterWebAsync();
        var entries = await GetJsonAsync("/v1/health/service/web");
        Assert.Equal(3, entries.GetArrayLength());
        var first = entries[0];
        Assert.Equal("node1", first.GetProperty("Node").GetProperty("Node").GetString());
        Assert.Equal("10.1.0.1", first.GetProperty("Node").GetProperty("Address").GetString());
        Assert.Equal("web-a", first.GetProperty("Service").GetProperty("ID").GetString());
        Assert.Equal("web", first.GetProperty("Service").GetProperty("Service").GetString());
        Assert.Equal(80, first.GetProperty("Service").GetProperty("Port").GetInt32());
        Assert.Equal(["node1-disk", "web-a-http"], CheckIds(first.GetProperty("Checks")));
        var critical = CheckIn(entries[1].GetProperty("Checks"), "web-b-http")!.Value;
        Assert.Equal("connection refused", critical.GetProperty("Output").GetString());
    }

    [Fact]
    public async Task Passing_keeps_instances_whose_every_check_passes()
    {
        await RegisterWebAsync();
        Assert.Equal(["web-a"], ServiceIds(await GetJsonAsync("/v1/health/service/web?passing")));
        Assert.Equal(["web-a"], ServiceIds(await GetJsonAsync("/v1/health/service/web?passing=1")));
        Assert.Equal(["web-a"], ServiceIds(await GetJsonAsync("/v1/health/service/web?passing=true")));
        Assert.Equal(["web-a", "web-b", "web-c"], ServiceIds(await GetJsonAsync("/v1/health/service/web?passing=false")));
        Assert.Equal(["web-a", "web-b", "web-c"], ServiceIds(await GetJsonAsync("/v1/health/service/web?passing=0")));

        using var bad = await Http.GetAsync("/v1/health/service/web?passing=perhaps");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("passing", await bad.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tag_filters_health_entries_and_combines_with_passing()
    {
        await RegisterWebAsync();
        Assert.Equal(["web-b", "web-c"], ServiceIds(await GetJsonAsync("/v1/health/service/web?tag=v2")));
        Assert.Empty(ServiceIds(await GetJsonAsync("/v1/health/service/web?tag=v2&passing")));
        Assert.Equal(["web-a"], ServiceIds(await GetJsonAsync("/v1/health/service/web?tag=v1&passing")));
        Assert.Empty(ServiceIds(await GetJsonAsync("/v1/health/service/web?tag=v1&tag=v2")));
    }

    [Fact]
    public async Task State_lists_checks_in_a_state_or_any_and_refuses_an_unknown_state()
    {
        await RegisterWebAsync();
        Assert.Equal(["node1-disk", "web-a-http", "web-c-http", "serfHealth"], CheckIds(await GetJsonAsync("/v1/health/state/passing")));
        Assert.Equal(["node3-load"], CheckIds(await GetJsonAsync("/v1/health/state/warning")));
        Assert.Equal(["web-b-http"], CheckIds(await GetJsonAsync("/v1/health/state/critical")));
        Assert.Equal(6, (await GetJsonAsync("/v1/health/state/any")).GetArrayLength());

        using var bad = await Http.GetAsync("/v1/health/state/sleepy");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("text/plain", bad.Content.Headers.ContentType?.MediaType);
        Assert.Equal("Invalid check state", await bad.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_service_query_is_woken_by_a_check_change_of_that_service()
    {
        await RegisterWebAsync();
        var (_, index) = await GetIndexedAsync("/v1/health/service/web?passing");

        var blocked = Http.GetAsync($"/v1/health/service/web?passing&index={index}&wait=30s");
        await PutOkAsync("/v1/catalog/register", """
            {"Node":"node2","Address":"10.1.0.2","SkipNodeUpdate":true,
             "Check":{"CheckID":"web-b-http","Name":"http","Status":"passing","ServiceID":"web-b"}}
            """);

        using var woken = await blocked.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(IndexOf(woken) > index);
        Assert.Equal(["web-a", "web-b"], ServiceIds(Parse(await woken.Content.ReadAsStringAsync())));
    }

    [Fact]
    public async Task A_service_query_is_woken_by_an_agent_ttl_update_of_that_service()
    {
        await PutOkAsync("/v1/agent/service/register", """{"Name":"api","Check":{"TTL":"60s"}}""");
        await WaitForAsync("/v1/health/checks/api", c => c.GetArrayLength() == 1);
        var (_, index) = await GetIndexedAsync("/v1/health/service/api");

        var blocked = Http.GetAsync($"/v1/health/service/api?passing&index={index}&wait=30s");
        await PutOkAsync("/v1/agent/check/pass/service:api");

        using var woken = await blocked.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(IndexOf(woken) > index);
        Assert.Single(Parse(await woken.Content.ReadAsStringAsync()).EnumerateArray());
    }

    [Fact]
    public async Task A_service_query_is_not_woken_by_a_change_to_another_service()
    {
        await RegisterWebAsync();
        await PutOkAsync("/v1/catalog/register", """
            {"Node":"node2","Address":"10.1.0.2","SkipNodeUpdate":true,"Service":{"ID":"db","Service":"db"},
             "Check":{"CheckID":"db-check","Name":"db","Status":"critical","ServiceID":"db"}}
            """);
        var (_, index) = await GetIndexedAsync("/v1/health/service/web");

        var clock = Stopwatch.StartNew();
        var blocked = Http.GetAsync($"/v1/health/service/web?index={index}&wait=1s");
        foreach (var status in new[] { "passing", "warning", "critical" })
        {
            await PutOkAsync("/v1/catalog/register", $$$"""
                {"Node":"node2","Address":"10.1.0.2","SkipNodeUpdate":true,
                 "Check":{"CheckID":"db-check","Name":"db","Status":"{{{status}}}","ServiceID":"db"}}
                """);
        }
        await PutOkAsync("/v1/catalog/register", """{"Node":"node9","Address":"10.1.0.9","Service":{"Service":"other"}}""");

        using var response = await blocked.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(990), $"woken early after {clock.Elapsed}");
        Assert.Equal(index, IndexOf(response));
        Assert.Equal(3, Parse(await response.Content.ReadAsStringAsync()).GetArrayLength());
    }

    [Fact]
    public async Task A_node_check_change_wakes_the_services_on_that_node()
    {
        await RegisterWebAsync();
        var (_, index) = await GetIndexedAsync("/v1/health/service/web?passing");

        var blocked = Http.GetAsync($"/v1/health/service/web?passing&index={index}&wait=30s");
        await PutOkAsync("/v1/catalog/register", """
            {"Node":"node3","Address":"10.1.0.3","SkipNodeUpdate":true,"Check":{"CheckID":"node3-load","Name":"load","Status":"passing"}}
            """);

        using var woken = await blocked.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(IndexOf(woken) > index);
        Assert.Equal(["web-a", "web-c"], ServiceIds(Parse(await woken.Content.ReadAsStringAsync())));
    }

    [Fact]
    public async Task Catalog_services_is_woken_by_a_new_service()
    {
        var (_, index) = await GetIndexedAsync("/v1/catalog/services");

        var blocked = Http.GetAsync($"/v1/catalog/services?index={index}&wait=30s");
        await PutOkAsync("/v1/agent/service/register", """{"Name":"fresh","Tags":["new"]}""");

        using var woken = await blocked.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(IndexOf(woken) > index);
        var services = Parse(await woken.Content.ReadAsStringAsync());
        Assert.Equal(["new"], Strings(services.GetProperty("fresh")));
    }

    [Fact]
    public async Task Catalog_service_and_nodes_queries_are_woken_by_their_changes()
    {
        var (_, servicesIndex) = await GetIndexedAsync("/v1/catalog/service/late");
        var (_, nodesIndex) = await GetIndexedAsync("/v1/catalog/nodes");

        var service = Http.GetAsync($"/v1/catalog/service/late?index={servicesIndex}&wait=30s");
        var nodes = Http.GetAsync($"/v1/catalog/nodes?index={nodesIndex}&wait=30s");
        await PutOkAsync("/v1/catalog/register", """{"Node":"late-node","Address":"10.2.0.1","Service":{"Service":"late"}}""");

        using var serviceWoken = await service.WaitAsync(TimeSpan.FromSeconds(10));
        using var nodesWoken = await nodes.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Single(Parse(await serviceWoken.Content.ReadAsStringAsync()).EnumerateArray());
        Assert.Equal(2, Parse(await nodesWoken.Content.ReadAsStringAsync()).GetArrayLength());
        Assert.True(IndexOf(serviceWoken) > servicesIndex);
        Assert.True(IndexOf(nodesWoken) > nodesIndex);
    }

    [Fact]
    public async Task A_health_state_query_times_out_with_the_same_index_when_nothing_changes()
    {
        var (_, index) = await GetIndexedAsync("/v1/health/state/critical");
        var clock = Stopwatch.StartNew();
        using var response = await Http.GetAsync($"/v1/health/state/critical?index={index}&wait=300ms");
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(290), $"returned after {clock.Elapsed}");
        Assert.Equal(index, IndexOf(response));
    }

    private static IReadOnlyList<string> ServiceIds(JsonElement entries) =>
        [.. entries.EnumerateArray().Select(e => e.GetProperty("Service").GetProperty("ID").GetString()!)];

    private static IReadOnlyList<string> CheckIds(JsonElement checks) =>
        [.. checks.EnumerateArray().Select(n => n.GetProperty("CheckID").GetString()!)];
}
