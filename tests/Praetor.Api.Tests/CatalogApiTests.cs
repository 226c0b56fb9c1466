using System.Net;
using System.Text.Json;

namespace Praetor.Api.Tests;

/// <summary>`/v1/catalog/*`: register, deregister, datacenters, nodes, services, service/:name, node/:node.</summary>
public sealed class CatalogApiTests : CatalogFixture
{
    private const string WebOnNode1 = """
        {"Node":"node1","Address":"10.1.0.1","TaggedAddresses":{"wan":"198.51.100.1"},"NodeMeta":{"rack":"r1"},
         "Service":{"ID":"web-a","Service":"web","Tags":["v1","blue"],"Address":"10.1.0.11","Port":80,"Meta":{"ver":"1"}},
         "Check":{"CheckID":"web-a-http","Name":"web alive","Status":"passing","ServiceID":"web-a","Output":"ok"}}
        """;

    private const string WebOnNode2 = """
        {"Node":"node2","Address":"10.1.0.2","NodeMeta":{"rack":"r2"},
         "Service":{"ID":"web-b","Service":"web","Tags":["v2","blue"],"Port":81},
         "Checks":[{"CheckID":"web-b-http","Name":"web alive","Status":"critical","ServiceID":"web-b"},
                   {"CheckID":"disk","Name":"disk","Status":"warning"}]}
        """;

    [Fact]
    public async Task Register_creates_node_service_and_check_and_every_read_shows_them()
    {
        Assert.Equal("true", await PutOkAsync("/v1/catalog/register", WebOnNode1));

        var node = (await GetJsonAsync("/v1/catalog/nodes")).EnumerateArray().Single(n => n.GetProperty("Node").GetString() == "node1");
        Assert.Equal("10.1.0.1", node.GetProperty("Address").GetString());
        Assert.Equal("dc1", node.GetProperty("Datacenter").GetString());
        Assert.Equal("198.51.100.1", node.GetProperty("TaggedAddresses").GetProperty("wan").GetString());
        Assert.Equal("r1", node.GetProperty("Meta").GetProperty("rack").GetString());
        Assert.True(node.GetProperty("CreateIndex").GetUInt64() > 0);

        var instance = Assert.Single((await GetJsonAsync("/v1/catalog/service/web")).EnumerateArray());
        Assert.Equal("node1", instance.GetProperty("Node").GetString());
        Assert.Equal("10.1.0.1", instance.GetProperty("Address").GetString());
        Assert.Equal("dc1", instance.GetProperty("Datacenter").GetString());
        Assert.Equal("r1", instance.GetProperty("NodeMeta").GetProperty("rack").GetString());
        Assert.Equal("198.51.100.1", instance.GetProperty("TaggedAddresses").GetProperty("wan").GetString());
        Assert.Equal("web-a", instance.GetProperty("ServiceID").GetString());
        Assert.Equal("web", instance.GetProperty("ServiceName").GetString());
        Assert.Equal(["v1", "blue"], Strings(instance.GetProperty("ServiceTags")));
        Assert.Equal("10.1.0.11", instance.GetProperty("ServiceAddress").GetString());
        Assert.Equal(80, instance.GetProperty("ServicePort").GetInt32());
        Assert.Equal("1", instance.GetProperty("ServiceMeta").GetProperty("ver").GetString());
        Assert.Equal(1, instance.GetProperty("ServiceWeights").GetProperty("Passing").GetInt32());
        Assert.False(instance.GetProperty("ServiceEnableTagOverride").GetBoolean());
        Assert.True(instance.GetProperty("ModifyIndex").GetUInt64() >= instance.GetProperty("CreateIndex").GetUInt64());

        var byNode = await GetJsonAsync("/v1/catalog/node/node1");
        Assert.Equal("node1", byNode.GetProperty("Node").GetProperty("Node").GetString());
        var service = byNode.GetProperty("Services").GetProperty("web-a");
        Assert.Equal("web", service.GetProperty("Service").GetString());
        Assert.Equal(80, service.GetProperty("Port").GetInt32());

        var checks = await GetJsonAsync("/v1/health/node/node1");
        var check = Assert.Single(checks.EnumerateArray());
        Assert.Equal("web-a-http", check.GetProperty("CheckID").GetString());
        Assert.Equal("web alive", check.GetProperty("Name").GetString());
        Assert.Equal("passing", check.GetProperty("Status").GetString());
        Assert.Equal("ok", check.GetProperty("Output").GetString());
        Assert.Equal("web", check.GetProperty("ServiceName").GetString());
        Assert.Equal(["v1", "blue"], Strings(check.GetProperty("ServiceTags")));
    }

    [Fact]
    public async Task A_service_id_defaults_to_its_name_and_a_check_id_to_its_name()
    {
        await PutOkAsync("/v1/catalog/register", """
            {"Node":"n","Address":"10.0.0.1","Service":{"Service":"redis","Port":6379},"Check":{"Name":"redis-up","ServiceID":"redis","Status":"passing"}}
            """);
        var instance = Assert.Single((await GetJsonAsync("/v1/catalog/service/redis")).EnumerateArray());
        Assert.Equal("redis", instance.GetProperty("ServiceID").GetString());
        Assert.Equal("", instance.GetProperty("ServiceAddress").GetString());
        Assert.Equal(0, instance.GetProperty("ServiceTags").GetArrayLength());
        Assert.Equal("redis-up", (await GetJsonAsync("/v1/health/checks/redis"))[0].GetProperty("CheckID").GetString());
    }

    [Fact]
    public async Task Deregister_removes_a_check_a_service_or_a_whole_node()
    {
        await PutOkAsync("/v1/catalog/register", WebOnNode2);

        Assert.Equal("true", await PutOkAsync("/v1/catalog/deregister", """{"Node":"node2","CheckID":"disk"}"""));
        Assert.Equal(["web-b-http"], CheckIds(await GetJsonAsync("/v1/health/node/node2")));

        await PutOkAsync("/v1/catalog/deregister", """{"Node":"node2","ServiceID":"web-b"}""");
        Assert.Empty((await GetJsonAsync("/v1/catalog/service/web")).EnumerateArray());
        Assert.Empty((await GetJsonAsync("/v1/health/node/node2")).EnumerateArray());
        Assert.False((await GetJsonAsync("/v1/catalog/services")).TryGetProperty("web", out _));
        Assert.Equal(JsonValueKind.Object, (await GetJsonAsync("/v1/catalog/node/node2")).ValueKind);

        await PutOkAsync("/v1/catalog/register", WebOnNode2);
        await PutOkAsync("/v1/catalog/deregister", """{"Node":"node2"}""");
        Assert.Equal(JsonValueKind.Null, (await GetJsonAsync("/v1/catalog/node/node2")).ValueKind);
        Assert.Equal([Self], NodeNames(await GetJsonAsync("/v1/catalog/nodes")));
        Assert.Empty((await GetJsonAsync("/v1/health/state/warning")).EnumerateArray());

        // Deregistering what is not there is not an error, as in Consul.
        await PutOkAsync("/v1/catalog/deregister", """{"Node":"ghost"}""");
        await PutOkAsync("/v1/catalog/deregister", """{"Node":"test-node","ServiceID":"ghost"}""");
    }

    [Fact]
    public async Task SkipNodeUpdate_keeps_the_node_record_and_needs_no_address()
    {
        await PutOkAsync("/v1/catalog/register", WebOnNode1);
        var before = (await GetJsonAsync("/v1/catalog/node/node1")).GetProperty("Node");

        await PutOkAsync("/v1/catalog/register", """
            {"Node":"node1","SkipNodeUpdate":true,"Address":"10.9.9.9","NodeMeta":{"rack":"moved"},
             "Service":{"ID":"extra","Service":"extra","Port":9}}
            """);
        await PutOkAsync("/v1/catalog/register", """{"Node":"node1","SkipNodeUpdate":true,"Service":{"Service":"extra2"}}""");

        var after = await GetJsonAsync("/v1/catalog/node/node1");
        Assert.Equal("10.1.0.1", after.GetProperty("Node").GetProperty("Address").GetString());
        Assert.Equal("r1", after.GetProperty("Node").GetProperty("Meta").GetProperty("rack").GetString());
        Assert.Equal(before.GetProperty("ModifyIndex").GetUInt64(), after.GetProperty("Node").GetProperty("ModifyIndex").GetUInt64());
        Assert.Equal(["extra", "extra2", "web-a"], Names(after.GetProperty("Services")));

        // Without SkipNodeUpdate the node record is replaced.
        await PutOkAsync("/v1/catalog/register", """{"Node":"node1","Address":"10.9.9.9"}""");
        Assert.Equal("10.9.9.9", (await GetJsonAsync("/v1/catalog/node/node1")).GetProperty("Node").GetProperty("Address").GetString());
    }

    [Theory]
    [InlineData("""{"Address":"10.0.0.1"}""", "Must provide node")]
    [InlineData("""{"Node":"","Address":"10.0.0.1"}""", "Must provide node")]
    [InlineData("""{"Node":"n1"}""", "Must provide address")]
    [InlineData("""{"Node":"n1","Address":"10.0.0.1","Check":{"CheckID":"c","ServiceID":"missing","Status":"passing"}}""", "missing")]
    [InlineData("""{"Node":"n1","Address":"10.0.0.1","Service":{"Service":"s"},"Checks":[{"CheckID":"ok","ServiceID":"s"},{"CheckID":"bad","ServiceID":"other"}]}""", "other")]
    [InlineData("""{"Node":"n1","Address":"10.0.0.1","Service":{"Port":80}}""", "service name")]
    [InlineData("""{"Node":"n1","Address":"10.0.0.1","Service":{"Service":"s","Port":"80"}}""", "Port")]
    [InlineData("""{"Node":"n1","Address":"10.0.0.1","Service":{"Service":"s","Port":70000}}""", "port")]
    [InlineData("""{"Node":"n1","Address":"10.0.0.1","Service":"s"}""", "Service")]
    [InlineData("""{"Node":"n1","Address":"10.0.0.1","Service":{"Service":"s","Tags":"a"}}""", "Tags")]
    [InlineData("""{"Node":"n1","Address":"10.0.0.1","NodeMeta":{"k":1}}""", "NodeMeta")]
    [InlineData("""{"Node":"n1","Address":"10.0.0.1","Check":{"CheckID":"c","Status":"okay"}}""", "status")]
    [InlineData("""{"Node":"n1","Address":"10.0.0.1","Check":{"Status":"passing"}}""", "CheckID")]
    [InlineData("""{"Node":"n1","Address":"10.0.0.1","Check":{"CheckID":"c","Node":"n2"}}""", "n2")]
    [InlineData("""{"Node":"n1","Address":"10.0.0.1","Checks":{"CheckID":"c"}}""", "Checks")]
    [InlineData("""{"Node":"n1","Address":"10.0.0.1","SkipNodeUpdate":"yes"}""", "SkipNodeUpdate")]
    [InlineData("""{"Node":1,"Address":"10.0.0.1"}""", "Node")]
    [InlineData("""["Node"]""", "Request decode failed")]
    [InlineData("""{"Node":"n1",""", "Request decode failed")]
    [InlineData("", "Request decode failed")]
    public async Task A_bad_registration_is_400_and_registers_nothing(string body, string reason)
    {
        var (_, index) = await GetIndexedAsync("/v1/catalog/nodes");
        await PutRefusedAsync("/v1/catalog/register", body, HttpStatusCode.BadRequest, reason);

        Assert.Equal([Self], NodeNames(await GetJsonAsync("/v1/catalog/nodes")));
        Assert.Equal(["consul"], Names(await GetJsonAsync("/v1/catalog/services")));
        Assert.Equal(["serfHealth"], CheckIds(await GetJsonAsync("/v1/health/state/any")));
        Assert.Equal(index, (await GetIndexedAsync("/v1/catalog/nodes")).Index);
    }

    [Theory]
    [InlineData("{}", "Must provide node")]
    [InlineData("""{"Node":""}""", "Must provide node")]
    [InlineData("""{"Node":"node1","ServiceID":7}""", "ServiceID")]
    [InlineData("nope", "Request decode failed")]
    public async Task A_bad_deregistration_is_400_and_removes_nothing(string body, string reason)
    {
        await PutOkAsync("/v1/catalog/register", WebOnNode1);
        await PutRefusedAsync("/v1/catalog/deregister", body, HttpStatusCode.BadRequest, reason);
        Assert.Single((await GetJsonAsync("/v1/catalog/service/web")).EnumerateArray());
        Assert.Equal(["web-a-http"], CheckIds(await GetJsonAsync("/v1/health/node/node1")));
    }

    [Fact]
    public async Task Datacenters_lists_the_agents_datacenter()
    {
        var dcs = await GetJsonAsync("/v1/catalog/datacenters");
        Assert.Equal(["dc1"], Strings(dcs));
    }

    [Fact]
    public async Task Nodes_can_be_filtered_by_node_meta()
    {
        await PutOkAsync("/v1/catalog/register", WebOnNode1);
        await PutOkAsync("/v1/catalog/register", WebOnNode2);
        await PutOkAsync("/v1/catalog/register", """{"Node":"node3","Address":"10.1.0.3","NodeMeta":{"rack":"r1","os":"bsd"}}""");

        Assert.Equal(["node1", "node2", "node3", Self], NodeNames(await GetJsonAsync("/v1/catalog/nodes")));
        Assert.Equal(["node1", "node3"], NodeNames(await GetJsonAsync("/v1/catalog/nodes?node-meta=rack:r1")));
        Assert.Equal(["node3"], NodeNames(await GetJsonAsync("/v1/catalog/nodes?node-meta=rack:r1&node-meta=os:bsd")));
        Assert.Empty(NodeNames(await GetJsonAsync("/v1/catalog/nodes?node-meta=rack:r9")));
        Assert.Equal(["web"], Names(await GetJsonAsync("/v1/catalog/services?node-meta=rack:r2")));
        Assert.Equal(["web-b"], [.. (await GetJsonAsync("/v1/catalog/service/web?node-meta=rack:r2")).EnumerateArray().Select(i => i.GetProperty("ServiceID").GetString()!)]);

        using var bad = await Http.GetAsync("/v1/catalog/nodes?node-meta=rack");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("node-meta", await bad.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Services_lists_every_name_with_the_union_of_its_tags()
    {
        await PutOkAsync("/v1/catalog/register", WebOnNode1);
        await PutOkAsync("/v1/catalog/register", WebOnNode2);
        await PutOkAsync("/v1/catalog/register", """{"Node":"node2","Address":"10.1.0.2","NodeMeta":{"rack":"r2"},"Service":{"Service":"db","Tags":["primary"]}}""");

        var services = await GetJsonAsync("/v1/catalog/services");
        Assert.Equal(["consul", "db", "web"], Names(services));
        Assert.Equal(["blue", "v1", "v2"], Strings(services.GetProperty("web")).Order(StringComparer.Ordinal));
        Assert.Equal(["primary"], Strings(services.GetProperty("db")));
        Assert.Empty(Strings(services.GetProperty("consul")));
    }

    [Fact]
    public async Task Service_filters_by_every_given_tag()
    {
        await PutOkAsync("/v1/catalog/register", WebOnNode1);
        await PutOkAsync("/v1/catalog/register", WebOnNode2);

        Assert.Equal(["web-a", "web-b"], ServiceIds(await GetJsonAsync("/v1/catalog/service/web")));
        Assert.Equal(["web-a", "web-b"], ServiceIds(await GetJsonAsync("/v1/catalog/service/web?tag=blue")));
        Assert.Equal(["web-b"], ServiceIds(await GetJsonAsync("/v1/catalog/service/web?tag=v2")));
        Assert.Equal(["web-a"], ServiceIds(await GetJsonAsync("/v1/catalog/service/web?tag=blue&tag=v1")));
        Assert.Empty(ServiceIds(await GetJsonAsync("/v1/catalog/service/web?tag=v1&tag=v2")));
        Assert.Empty(ServiceIds(await GetJsonAsync("/v1/catalog/service/nothing")));
    }

    [Fact]
    public async Task Service_and_node_names_match_case_insensitively()
    {
        await PutOkAsync("/v1/catalog/register", WebOnNode1);
        Assert.Single((await GetJsonAsync("/v1/catalog/service/WEB")).EnumerateArray());
        Assert.Equal("node1", (await GetJsonAsync("/v1/catalog/node/NODE1")).GetProperty("Node").GetProperty("Node").GetString());
    }

    [Fact]
    public async Task A_missing_node_is_200_with_null()
    {
        using var response = await Http.GetAsync("/v1/catalog/node/nowhere");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("null", await response.Content.ReadAsStringAsync());
        Assert.True(IndexOf(response) > 0);
    }

    [Fact]
    public async Task The_agents_own_node_lists_the_consul_service()
    {
        var self = await GetJsonAsync($"/v1/catalog/node/{Self}");
        Assert.Equal(["consul"], Names(self.GetProperty("Services")));
        Assert.Equal(Host.Agent.NodeId, self.GetProperty("Node").GetProperty("ID").GetString());
    }

    [Fact]
    public async Task Reads_carry_consul_query_headers_and_a_nonzero_index()
    {
        foreach (var path in new[]
        {
            "/v1/catalog/nodes", "/v1/catalog/services", "/v1/catalog/service/web", "/v1/catalog/service/consul",
            "/v1/catalog/node/nowhere", $"/v1/catalog/node/{Self}",
            $"/v1/health/node/{Self}", "/v1/health/node/nowhere", "/v1/health/checks/consul", "/v1/health/checks/nothing",
            "/v1/health/service/consul", "/v1/health/service/nothing", "/v1/health/state/any", "/v1/health/state/critical",
        })
        {
            using var response = await Http.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.True(IndexOf(response) > 0, $"{path}: X-Consul-Index must not be 0");
            Assert.Equal("true", response.Headers.GetValues("X-Consul-KnownLeader").Single());
            Assert.True(response.Headers.Contains("X-Consul-LastContact"), path);
            Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        }
    }

    [Fact]
    public async Task Bad_query_parameters_are_400()
    {
        foreach (var path in new[]
        {
            "/v1/catalog/nodes?index=x", "/v1/catalog/services?wait=forever&index=1", "/v1/catalog/service/web?stale&consistent",
            "/v1/catalog/node/n?index=-2", "/v1/health/service/web?index=1.5",
        })
        {
            using var response = await Http.GetAsync(path);
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{path}: {(int)response.StatusCode}");
            Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        }
    }

    private static IReadOnlyList<string> NodeNames(JsonElement nodes) =>
        [.. nodes.EnumerateArray().Select(n => n.GetProperty("Node").GetString()!)];

    private static IReadOnlyList<string> ServiceIds(JsonElement instances) =>
        [.. instances.EnumerateArray().Select(n => n.GetProperty("ServiceID").GetString()!)];

    private static IReadOnlyList<string> CheckIds(JsonElement checks) =>
        [.. checks.EnumerateArray().Select(n => n.GetProperty("CheckID").GetString()!)];
}
