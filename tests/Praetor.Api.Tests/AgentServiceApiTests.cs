using System.Net;
using System.Text.Json;

namespace Praetor.Api.Tests;

/// <summary>`/v1/agent/service/*`, `/v1/agent/services`, `/v1/agent/checks` and maintenance mode.</summary>
public sealed class AgentServiceApiTests : CatalogFixture
{
    [Fact]
    public async Task The_agent_registers_itself_with_tagged_addresses_serfHealth_and_the_consul_service()
    {
        var nodes = await GetJsonAsync("/v1/catalog/nodes");
        var self = Assert.Single(nodes.EnumerateArray());
        Assert.Equal(Self, self.GetProperty("Node").GetString());
        Assert.Equal(Host.Agent.NodeId, self.GetProperty("ID").GetString());
        Assert.Equal("dc1", self.GetProperty("Datacenter").GetString());
        var address = self.GetProperty("Address").GetString();
        Assert.False(string.IsNullOrEmpty(address));
        var tagged = self.GetProperty("TaggedAddresses");
        foreach (var key in new[] { "lan", "lan_ipv4", "wan", "wan_ipv4" })
        {
            Assert.Equal(address, tagged.GetProperty(key).GetString());
        }

        var checks = await GetJsonAsync($"/v1/health/node/{Self}");
        var serf = CheckIn(checks, "serfHealth")!.Value;
        Assert.Equal("passing", serf.GetProperty("Status").GetString());
        Assert.Equal("Serf Health Status", serf.GetProperty("Name").GetString());
        Assert.Equal("", serf.GetProperty("ServiceID").GetString());

        var services = await GetJsonAsync("/v1/catalog/services");
        Assert.Equal(0, services.GetProperty("consul").GetArrayLength());
        var consul = Assert.Single((await GetJsonAsync("/v1/catalog/service/consul")).EnumerateArray());
        Assert.Equal("consul", consul.GetProperty("ServiceID").GetString());
        Assert.Equal(8300, consul.GetProperty("ServicePort").GetInt32());
        Assert.Equal(Self, consul.GetProperty("Node").GetString());
        var health = Assert.Single((await GetJsonAsync("/v1/health/service/consul?passing")).EnumerateArray());
        Assert.Equal("serfHealth", Assert.Single(health.GetProperty("Checks").EnumerateArray()).GetProperty("CheckID").GetString());
    }

    [Fact]
    public async Task A_PascalCase_service_with_a_check_is_listed_by_the_agent_and_synced_to_the_catalog()
    {
        await PutOkAsync("/v1/agent/service/register", """
            {"ID":"web1","Name":"web","Tags":["v1","primary"],"Address":"10.0.0.5","Port":8080,
             "Meta":{"env":"prod"},"Weights":{"Passing":3,"Warning":1},
             "Check":{"TTL":"30s","Notes":"ttl note"}}
            """);

        var services = await GetJsonAsync("/v1/agent/services");
        Assert.Equal(["web1"], Names(services));
        var web = services.GetProperty("web1");
        Assert.Equal("web1", web.GetProperty("ID").GetString());
        Assert.Equal("web", web.GetProperty("Service").GetString());
        Assert.Equal(["v1", "primary"], Strings(web.GetProperty("Tags")));
        Assert.Equal("prod", web.GetProperty("Meta").GetProperty("env").GetString());
        Assert.Equal(8080, web.GetProperty("Port").GetInt32());
        Assert.Equal("10.0.0.5", web.GetProperty("Address").GetString());
        Assert.Equal(3, web.GetProperty("Weights").GetProperty("Passing").GetInt32());
        Assert.False(web.GetProperty("EnableTagOverride").GetBoolean());

        var one = await GetJsonAsync("/v1/agent/service/web1");
        Assert.Equal("web", one.GetProperty("Service").GetString());
        Assert.Equal(8080, one.GetProperty("Port").GetInt32());

        var checks = await GetJsonAsync("/v1/agent/checks");
        var check = checks.GetProperty("service:web1");
        Assert.Equal("Service 'web' check", check.GetProperty("Name").GetString());
        Assert.Equal("critical", check.GetProperty("Status").GetString());
        Assert.Equal("web1", check.GetProperty("ServiceID").GetString());
        Assert.Equal("web", check.GetProperty("ServiceName").GetString());
        Assert.Equal("ttl note", check.GetProperty("Notes").GetString());
        Assert.Equal("ttl", check.GetProperty("Type").GetString());

        var instance = Assert.Single((await WaitForInstancesAsync("web", 1)).EnumerateArray());
        Assert.Equal("web1", instance.GetProperty("ServiceID").GetString());
        Assert.Equal(8080, instance.GetProperty("ServicePort").GetInt32());
        Assert.Equal("10.0.0.5", instance.GetProperty("ServiceAddress").GetString());
        var catalogChecks = await WaitForAsync("/v1/health/checks/web", c => c.GetArrayLength() == 1);
        Assert.Equal("service:web1", catalogChecks[0].GetProperty("CheckID").GetString());
        Assert.Equal(["v1", "primary"], Strings(catalogChecks[0].GetProperty("ServiceTags")));
    }

    [Fact]
    public async Task A_lowercase_body_as_python_consul_sends_registers_a_service_whose_id_is_its_name()
    {
        await PutOkAsync("/v1/agent/service/register", """{"name": "foo"}""");
        await PutOkAsync("/v1/agent/service/register", """
            {"name":"bar","id":"bar-1","port":81,"tags":["x"],"address":"127.0.0.2",
             "check":{"ttl":"10s","status":"passing"}}
            """);

        var services = await GetJsonAsync("/v1/agent/services");
        Assert.Equal(["bar-1", "foo"], Names(services));
        Assert.Equal("foo", services.GetProperty("foo").GetProperty("Service").GetString());
        Assert.Equal(0, services.GetProperty("foo").GetProperty("Port").GetInt32());
        Assert.Equal(0, services.GetProperty("foo").GetProperty("Tags").GetArrayLength());
        var bar = services.GetProperty("bar-1");
        Assert.Equal(81, bar.GetProperty("Port").GetInt32());
        Assert.Equal(["x"], Strings(bar.GetProperty("Tags")));
        var check = (await GetJsonAsync("/v1/agent/checks")).GetProperty("service:bar-1");
        Assert.Equal("passing", check.GetProperty("Status").GetString());

        await WaitForInstancesAsync("foo", 1);
        await WaitForAsync("/v1/health/service/bar?passing", entries => entries.GetArrayLength() == 1);
    }

    [Fact]
    public async Task Several_checks_get_numbered_default_ids_and_explicit_ids_are_kept()
    {
        await PutOkAsync("/v1/agent/service/register", """
            {"Name":"api","Checks":[{"TTL":"10s"},{"TTL":"10s","Name":"second"},{"TTL":"10s","CheckID":"api-explicit"}]}
            """);

        var checks = await GetJsonAsync("/v1/agent/checks");
        Assert.Equal(["api-explicit", "service:api:1", "service:api:2"], Names(checks));
        Assert.Equal("Service 'api' check", checks.GetProperty("service:api:1").GetProperty("Name").GetString());
        Assert.Equal("second", checks.GetProperty("service:api:2").GetProperty("Name").GetString());
        foreach (var check in checks.EnumerateObject())
        {
            Assert.Equal("api", check.Value.GetProperty("ServiceID").GetString());
        }
        await WaitForAsync("/v1/health/checks/api", c => c.GetArrayLength() == 3);
    }

    [Fact]
    public async Task Check_and_checks_together_are_all_registered()
    {
        await PutOkAsync("/v1/agent/service/register", """
            {"Name":"both","Check":{"TTL":"10s"},"Checks":[{"TTL":"10s"}]}
            """);

        var checks = await GetJsonAsync("/v1/agent/checks");
        Assert.Equal(["service:both:1", "service:both:2"], Names(checks));
    }

    [Fact]
    public async Task Replace_existing_checks_drops_checks_missing_from_the_new_definition()
    {
        await PutOkAsync("/v1/agent/service/register", """
            {"Name":"svc","Checks":[{"CheckID":"a","TTL":"10s"},{"CheckID":"b","TTL":"10s"}]}
            """);
        await WaitForAsync("/v1/health/checks/svc", c => c.GetArrayLength() == 2);

        // Without the flag, a check left out of the new definition stays.
        await PutOkAsync("/v1/agent/service/register", """{"Name":"svc","Checks":[{"CheckID":"a","TTL":"10s"}]}""");
        Assert.Equal(["a", "b"], Names(await GetJsonAsync("/v1/agent/checks")));

        await PutOkAsync("/v1/agent/service/register?replace-existing-checks", """{"Name":"svc","Checks":[{"CheckID":"a","TTL":"10s"}]}""");
        Assert.Equal(["a"], Names(await GetJsonAsync("/v1/agent/checks")));
        var catalog = await WaitForAsync("/v1/health/checks/svc", c => c.GetArrayLength() == 1);
        Assert.Equal("a", catalog[0].GetProperty("CheckID").GetString());

        await PutOkAsync("/v1/agent/service/register?replace-existing-checks=true", """{"Name":"svc"}""");
        Assert.Empty(Names(await GetJsonAsync("/v1/agent/checks")));
        await PutRefusedAsync("/v1/agent/service/register?replace-existing-checks=maybe", """{"Name":"svc"}""", HttpStatusCode.BadRequest, "replace-existing-checks");
    }

    [Fact]
    public async Task Deregister_removes_the_service_and_its_checks_and_an_unknown_id_is_404()
    {
        await PutOkAsync("/v1/agent/service/register", """{"Name":"gone","Check":{"TTL":"10s"}}""");
        await WaitForInstancesAsync("gone", 1);

        await PutOkAsync("/v1/agent/service/deregister/gone");
        Assert.Empty(Names(await GetJsonAsync("/v1/agent/services")));
        Assert.Empty(Names(await GetJsonAsync("/v1/agent/checks")));
        await WaitForInstancesAsync("gone", 0);
        await WaitForAsync($"/v1/health/node/{Self}", c => CheckIn(c, "service:gone") is null);

        var text = await PutRefusedAsync("/v1/agent/service/deregister/gone", "", HttpStatusCode.NotFound, "Unknown service ID \"gone\"");
        Assert.Contains("Ensure that the service ID is passed, not the service name.", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_service_is_404_on_the_agent_service_endpoint()
    {
        using var response = await Http.GetAsync("/v1/agent/service/nope");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("nope", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(Names(await GetJsonAsync("/v1/agent/services")));
    }

    [Theory]
    [InlineData("not json", "Request decode failed")]
    [InlineData("[]", "expected a JSON object")]
    [InlineData("{}", "name")]
    [InlineData("""{"Name":""}""", "name")]
    [InlineData("""{"Name":42}""", "Name")]
    [InlineData("""{"Name":"x","Port":"80"}""", "Port")]
    [InlineData("""{"Name":"x","Port":70000}""", "Port")]
    [InlineData("""{"Name":"x","Tags":"a"}""", "Tags")]
    [InlineData("""{"Name":"x","Meta":{"k":1}}""", "Meta")]
    [InlineData("""{"Name":"x","Weights":{"Passing":0}}""", "Passing")]
    [InlineData("""{"Name":"x","Check":{"Interval":"10s"}}""", "Check")]
    [InlineData("""{"Name":"x","Check":{"HTTP":"http://127.0.0.1:1/"}}""", "Check.interval: required")]
    [InlineData("""{"Name":"x","Check":{"TTL":"soon"}}""", "TTL")]
    [InlineData("""{"Name":"x","Check":{"TTL":"10s","Status":"sleepy"}}""", "Status")]
    [InlineData("""{"Name":"x","Check":{"TTL":"10s","TCP":"127.0.0.1:1","Interval":"10s"}}""", "only one")]
    [InlineData("""{"Name":"x","Checks":{"TTL":"10s"}}""", "Checks")]
    [InlineData("""{"Name":"x","Checks":[{"TTL":"10s"},{"TTL":"-1s"}]}""", "Checks")]
    public async Task A_bad_service_definition_is_400_and_registers_nothing(string body, string reason)
    {
        await PutRefusedAsync("/v1/agent/service/register", body, HttpStatusCode.BadRequest, reason);
        Assert.Empty(Names(await GetJsonAsync("/v1/agent/services")));
        Assert.Empty(Names(await GetJsonAsync("/v1/agent/checks")));
        Assert.Equal(["consul"], Names(await GetJsonAsync("/v1/catalog/services")));
    }

    [Fact]
    public async Task A_script_check_is_refused_without_enable_script_checks_and_nothing_is_registered()
    {
        await PutRefusedAsync("/v1/agent/service/register", """
            {"Name":"scripted","Check":{"Args":["sh","-c","exit 0"],"Interval":"10s"}}
            """, HttpStatusCode.BadRequest, "enable_script_checks");
        await PutRefusedAsync("/v1/agent/check/register", """
            {"Name":"scripted","Args":["true"],"Interval":"10s"}
            """, HttpStatusCode.BadRequest, "enable_script_checks");
        await PutRefusedAsync("/v1/agent/check/register", """
            {"Name":"old-form","Script":"exit 0","Interval":"10s"}
            """, HttpStatusCode.BadRequest, "enable_script_checks");

        Assert.Empty(Names(await GetJsonAsync("/v1/agent/services")));
        Assert.Empty(Names(await GetJsonAsync("/v1/agent/checks")));
    }

    [Fact]
    public async Task Service_maintenance_adds_and_removes_a_critical_check_with_default_or_given_notes()
    {
        await PutOkAsync("/v1/agent/service/register", """{"Name":"db","Check":{"TTL":"10s","Status":"passing"}}""");
        await WaitForAsync("/v1/health/service/db?passing", e => e.GetArrayLength() == 1);

        await PutOkAsync("/v1/agent/service/maintenance/db?enable=true");
        var check = (await GetJsonAsync("/v1/agent/checks")).GetProperty("_service_maintenance:db");
        Assert.Equal("critical", check.GetProperty("Status").GetString());
        Assert.Equal("Service Maintenance Mode", check.GetProperty("Name").GetString());
        Assert.Equal("db", check.GetProperty("ServiceID").GetString());
        Assert.Equal("Maintenance mode is enabled for this service, but no reason was provided. This is a default message.",
            check.GetProperty("Notes").GetString());
        await WaitForAsync("/v1/health/service/db?passing", e => e.GetArrayLength() == 0);
        var entry = Assert.Single((await GetJsonAsync("/v1/health/service/db")).EnumerateArray());
        Assert.NotNull(CheckIn(entry.GetProperty("Checks"), "_service_maintenance:db"));

        await PutOkAsync("/v1/agent/service/maintenance/db?enable=true&reason=upgrading%20disks");
        Assert.Equal("upgrading disks", (await GetJsonAsync("/v1/agent/checks")).GetProperty("_service_maintenance:db").GetProperty("Notes").GetString());
        await WaitForAsync($"/v1/health/node/{Self}",
            c => CheckIn(c, "_service_maintenance:db") is { } m && m.GetProperty("Notes").GetString() == "upgrading disks");

        await PutOkAsync("/v1/agent/service/maintenance/db?enable=false");
        Assert.False((await GetJsonAsync("/v1/agent/checks")).TryGetProperty("_service_maintenance:db", out _));
        await WaitForAsync("/v1/health/service/db?passing", e => e.GetArrayLength() == 1);
    }

    [Fact]
    public async Task Service_maintenance_refuses_a_missing_or_bad_enable_and_an_unknown_service()
    {
        await PutOkAsync("/v1/agent/service/register", """{"Name":"db"}""");
        await PutRefusedAsync("/v1/agent/service/maintenance/db", "", HttpStatusCode.BadRequest, "Missing value for enable");
        await PutRefusedAsync("/v1/agent/service/maintenance/db?enable=", "", HttpStatusCode.BadRequest, "Missing value for enable");
        await PutRefusedAsync("/v1/agent/service/maintenance/db?enable=sometimes", "", HttpStatusCode.BadRequest, "Invalid value for enable");
        await PutRefusedAsync("/v1/agent/service/maintenance/nope?enable=true", "", HttpStatusCode.NotFound, "Unknown service ID \"nope\"");
        Assert.Empty(Names(await GetJsonAsync("/v1/agent/checks")));
    }

    [Fact]
    public async Task Node_maintenance_adds_and_removes_a_critical_node_check_that_fails_every_service()
    {
        await PutOkAsync("/v1/agent/service/register", """{"Name":"cache","Check":{"TTL":"10s","Status":"passing"}}""");
        await WaitForAsync("/v1/health/service/cache?passing", e => e.GetArrayLength() == 1);

        await PutOkAsync("/v1/agent/maintenance?enable=true");
        var check = (await GetJsonAsync("/v1/agent/checks")).GetProperty("_node_maintenance");
        Assert.Equal("critical", check.GetProperty("Status").GetString());
        Assert.Equal("Node Maintenance Mode", check.GetProperty("Name").GetString());
        Assert.Equal("", check.GetProperty("ServiceID").GetString());
        Assert.Equal("Maintenance mode is enabled for this node, but no reason was provided. This is a default message.",
            check.GetProperty("Notes").GetString());
        await WaitForCheckAsync("_node_maintenance", "critical");
        await WaitForAsync("/v1/health/service/cache?passing", e => e.GetArrayLength() == 0);
        await WaitForAsync("/v1/health/service/consul?passing", e => e.GetArrayLength() == 0);

        await PutOkAsync("/v1/agent/maintenance?enable=true&reason=rack%20move");
        await WaitForAsync($"/v1/health/node/{Self}",
            c => CheckIn(c, "_node_maintenance") is { } m && m.GetProperty("Notes").GetString() == "rack move");

        await PutOkAsync("/v1/agent/maintenance?enable=false");
        await WaitForAsync($"/v1/health/node/{Self}", c => CheckIn(c, "_node_maintenance") is null);
        await WaitForAsync("/v1/health/service/cache?passing", e => e.GetArrayLength() == 1);

        await PutRefusedAsync("/v1/agent/maintenance", "", HttpStatusCode.BadRequest, "Missing value for enable");
        await PutRefusedAsync("/v1/agent/maintenance?enable=yes", "", HttpStatusCode.BadRequest, "Invalid value for enable");
        Assert.False((await GetJsonAsync("/v1/agent/checks")).TryGetProperty("_node_maintenance", out _));
    }

    [Fact]
    public async Task Deregister_critical_service_after_removes_the_service_once_its_check_stays_critical()
    {
        await PutOkAsync("/v1/agent/service/register", """
            {"Name":"doomed","Check":{"TTL":"1s","Status":"passing","DeregisterCriticalServiceAfter":"1s"}}
            """);
        await PutOkAsync("/v1/agent/service/register", """{"Name":"survivor","Check":{"TTL":"1h","Status":"passing","DeregisterCriticalServiceAfter":"1s"}}""");
        Assert.Equal(["doomed", "survivor"], Names(await GetJsonAsync("/v1/agent/services")));

        await PollAsync(async () => !(await GetJsonAsync("/v1/agent/services")).TryGetProperty("doomed", out _), "the critical service to be reaped");
        await WaitForInstancesAsync("doomed", 0);
        await WaitForAsync($"/v1/health/node/{Self}", c => CheckIn(c, "service:doomed") is null);
        Assert.True((await GetJsonAsync("/v1/agent/services")).TryGetProperty("survivor", out _));
    }

    [Fact]
    public async Task Deregister_critical_service_after_counts_from_registration_when_the_check_starts_critical()
    {
        // The check starts critical (no Status) and nothing ever updates it: Consul's critical
        // clock starts when the check is added, so the service is reaped without a TTL expiry.
        await PutOkAsync("/v1/agent/service/register", """
            {"Name":"never-healthy","Check":{"TTL":"1h","DeregisterCriticalServiceAfter":"1s"}}
            """);
        Assert.Equal(["never-healthy"], Names(await GetJsonAsync("/v1/agent/services")));

        await PollAsync(async () => Names(await GetJsonAsync("/v1/agent/services")).Count == 0, "the never-healthy service to be reaped");
        await WaitForInstancesAsync("never-healthy", 0);
    }

    [Fact]
    public async Task The_agent_service_body_limit_is_enforced_with_413()
    {
        var big = new string('x', (512 * 1024) + 1);
        using var response = await PutAsync("/v1/agent/service/register", $$"""{"Name":"big","Notes":"{{big}}"}""");
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Empty(Names(await GetJsonAsync("/v1/agent/services")));
    }

    [Fact]
    public async Task Agent_endpoints_answer_json()
    {
        await PutOkAsync("/v1/agent/service/register", """{"Name":"j"}""");
        foreach (var path in new[] { "/v1/agent/services", "/v1/agent/checks", "/v1/agent/service/j" })
        {
            using var response = await Http.GetAsync(path);
            Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
            Assert.Equal(JsonValueKind.Object, Parse(await response.Content.ReadAsStringAsync()).ValueKind);
        }
    }
}
