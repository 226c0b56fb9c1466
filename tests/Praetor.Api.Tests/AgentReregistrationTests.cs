using System.Text.Json;

namespace Praetor.Api.Tests;

public sealed class AgentReregistrationTests : CatalogFixture
{
    [Fact]
    public async Task Registering_a_service_again_keeps_its_checks_state()
    {
        const string service = """{"Name":"keep","Port":80,"Check":{"TTL":"30s"}}""";
        await PutOkAsync("/v1/agent/service/register", service);
        await PutOkAsync("/v1/agent/check/pass/service:keep");
        await WaitForCheckAsync("service:keep", "passing");

        await PutOkAsync("/v1/agent/service/register", service);

        var checks = await GetJsonAsync("/v1/agent/checks");
        Assert.Equal("passing", checks.GetProperty("service:keep").GetProperty("Status").GetString());
    }

    [Fact]
    public async Task Fields_this_agent_does_not_use_are_ignored_in_registration_bodies()
    {
        await PutOkAsync("/v1/agent/service/register",
            """{"Name":"extra","Kind":"","TaggedAddresses":{"lan":{"Address":"10.0.0.1","Port":80}},"Check":{"TTL":"10s","Definition":{}}}""");
        var services = await GetJsonAsync("/v1/agent/services");
        Assert.Equal("extra", services.GetProperty("extra").GetProperty("Service").GetString());
    }

    [Fact]
    public async Task A_field_of_the_wrong_type_is_still_refused()
    {
        await PutRefusedAsync("/v1/agent/service/register", """{"Name":"typed","Port":"80"}""", System.Net.HttpStatusCode.BadRequest, "Port");
        var services = await GetJsonAsync("/v1/agent/services");
        Assert.False(services.TryGetProperty("typed", out JsonElement _));
    }
}

public sealed class LegacyClientMethodTests : CatalogFixture
{
    [Fact]
    public async Task Ttl_updates_and_deregistrations_also_accept_get_as_old_clients_send_it()
    {
        await PutOkAsync("/v1/agent/service/register", """{"Name":"legacy","Check":{"TTL":"30s"}}""");

        using (var pass = await Http.GetAsync("/v1/agent/check/pass/service:legacy?note=ok"))
        {
            Assert.Equal(System.Net.HttpStatusCode.OK, pass.StatusCode);
        }
        await WaitForCheckAsync("service:legacy", "passing");

        using (var deregister = await Http.GetAsync("/v1/agent/service/deregister/legacy"))
        {
            Assert.Equal(System.Net.HttpStatusCode.OK, deregister.StatusCode);
        }
        Assert.False((await GetJsonAsync("/v1/agent/services")).TryGetProperty("legacy", out _));
    }
}
