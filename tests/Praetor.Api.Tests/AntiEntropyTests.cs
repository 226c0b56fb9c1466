namespace Praetor.Api.Tests;

/// <summary>
/// Anti-entropy through the HTTP API: the catalog is changed behind the agent's back with
/// `/v1/catalog/*`, then a full sync (<c>Agent.SyncNowAsync</c>, what the periodic sync runs)
/// repairs the drift.
/// </summary>
public sealed class AntiEntropyTests : CatalogFixture
{
    [Fact]
    public async Task A_local_service_deleted_from_the_catalog_comes_back_with_its_checks_after_a_full_sync()
    {
        await PutOkAsync("/v1/agent/service/register", """{"Name":"web","Port":80,"Tags":["a"],"Check":{"TTL":"60s","Status":"passing"}}""");
        await WaitForAsync("/v1/health/service/web?passing", e => e.GetArrayLength() == 1);

        await PutOkAsync("/v1/catalog/deregister", $$"""{"Node":"{{Self}}","ServiceID":"web"}""");
        Assert.Empty((await GetJsonAsync("/v1/catalog/service/web")).EnumerateArray());
        Assert.Null(CheckIn(await GetJsonAsync($"/v1/health/node/{Self}"), "service:web"));
        // The agent still has it: the catalog drifted, nothing local changed.
        Assert.Equal(["web"], Names(await GetJsonAsync("/v1/agent/services")));

        await Host.Agent.SyncNowAsync();

        var entries = await WaitForAsync("/v1/health/service/web?passing", e => e.GetArrayLength() == 1);
        Assert.Equal(80, entries[0].GetProperty("Service").GetProperty("Port").GetInt32());
        Assert.Equal(["a"], Strings(entries[0].GetProperty("Service").GetProperty("Tags")));
        Assert.True(HasCheck(entries[0].GetProperty("Checks"), "service:web", "passing"));
    }

    [Fact]
    public async Task A_service_changed_in_the_catalog_is_restored_to_the_agents_definition()
    {
        await PutOkAsync("/v1/agent/service/register", """{"Name":"web","Port":80}""");
        await WaitForInstancesAsync("web", 1);

        await PutOkAsync("/v1/catalog/register", $$$"""
            {"Node":"{{{Self}}}","SkipNodeUpdate":true,"Service":{"ID":"web","Service":"web","Port":9999,"Tags":["hijacked"]}}
            """);
        Assert.Equal(9999, (await GetJsonAsync("/v1/catalog/service/web"))[0].GetProperty("ServicePort").GetInt32());

        await Host.Agent.SyncNowAsync();

        await WaitForAsync("/v1/catalog/service/web",
            i => i.GetArrayLength() == 1 && i[0].GetProperty("ServicePort").GetInt32() == 80 && i[0].GetProperty("ServiceTags").GetArrayLength() == 0);
    }

    [Fact]
    public async Task A_check_status_changed_in_the_catalog_is_restored()
    {
        await PutOkAsync("/v1/agent/check/register", """{"Name":"disk","TTL":"60s","Status":"passing"}""");
        await WaitForCheckAsync("disk", "passing");

        await PutOkAsync("/v1/catalog/register", $$$"""
            {"Node":"{{{Self}}}","SkipNodeUpdate":true,"Check":{"CheckID":"disk","Name":"disk","Status":"critical"}}
            """);
        Assert.True(HasCheck(await GetJsonAsync($"/v1/health/node/{Self}"), "disk", "critical"));

        await Host.Agent.SyncNowAsync();

        await WaitForCheckAsync("disk", "passing");
    }

    [Fact]
    public async Task Services_and_checks_the_agent_does_not_have_are_removed_but_consul_and_serfHealth_are_kept()
    {
        await PutOkAsync("/v1/catalog/register", $$$"""
            {"Node":"{{{Self}}}","SkipNodeUpdate":true,"Service":{"ID":"stray","Service":"stray"},
             "Checks":[{"CheckID":"stray-check","Name":"stray","Status":"passing","ServiceID":"stray"},
                       {"CheckID":"stray-node-check","Name":"stray node","Status":"passing"}]}
            """);
        Assert.Single((await GetJsonAsync("/v1/catalog/service/stray")).EnumerateArray());

        await Host.Agent.SyncNowAsync();

        await WaitForInstancesAsync("stray", 0);
        var checks = await WaitForAsync($"/v1/health/node/{Self}", c => CheckIn(c, "stray-node-check") is null);
        Assert.Null(CheckIn(checks, "stray-check"));
        Assert.True(HasCheck(checks, "serfHealth", "passing"));
        Assert.Single((await GetJsonAsync("/v1/catalog/service/consul")).EnumerateArray());
    }

    [Fact]
    public async Task A_node_record_changed_in_the_catalog_is_restored()
    {
        var before = (await GetJsonAsync($"/v1/catalog/node/{Self}")).GetProperty("Node");
        await PutOkAsync("/v1/catalog/register", $$"""{"Node":"{{Self}}","Address":"203.0.113.7"}""");
        Assert.Equal("203.0.113.7", (await GetJsonAsync($"/v1/catalog/node/{Self}")).GetProperty("Node").GetProperty("Address").GetString());

        await Host.Agent.SyncNowAsync();

        var after = await WaitForAsync($"/v1/catalog/node/{Self}",
            n => n.GetProperty("Node").GetProperty("Address").GetString() == before.GetProperty("Address").GetString());
        Assert.Equal(before.GetProperty("ID").GetString(), after.GetProperty("Node").GetProperty("ID").GetString());
        Assert.Equal(["lan", "lan_ipv4", "wan", "wan_ipv4"], Names(after.GetProperty("Node").GetProperty("TaggedAddresses")));
    }

    [Fact]
    public async Task A_service_deregistered_locally_leaves_the_catalog_and_stays_gone_after_a_full_sync()
    {
        await PutOkAsync("/v1/agent/service/register", """{"Name":"tmp","Check":{"TTL":"60s"}}""");
        await WaitForInstancesAsync("tmp", 1);
        await PutOkAsync("/v1/agent/service/deregister/tmp");
        await WaitForInstancesAsync("tmp", 0);

        await Host.Agent.SyncNowAsync();

        Assert.Empty((await GetJsonAsync("/v1/catalog/service/tmp")).EnumerateArray());
        Assert.Null(CheckIn(await GetJsonAsync($"/v1/health/node/{Self}"), "service:tmp"));
    }
}
