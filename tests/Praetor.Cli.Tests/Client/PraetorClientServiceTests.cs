using Praetor.Client;

namespace Praetor.Cli.Tests.Client;

/// <summary>The agent, catalog and health endpoint groups against a real in-process dev agent.</summary>
public sealed class PraetorClientServiceTests : CliAgentFixture
{
    [Fact]
    public async Task Registered_service_shows_in_agent_catalog_and_health()
    {
        await Client.Agent.ServiceRegisterAsync(new AgentServiceRegistration
        {
            Name = "web",
            Id = "web-1",
            Port = 8080,
            Tags = ["v1"],
            Check = new AgentServiceCheck { Ttl = "30s", Name = "web ttl", CheckId = "web-ttl" },
        });
        Assert.Equal("web", (await Client.Agent.ServicesAsync())["web-1"].Service);
        Assert.Equal("critical", (await Client.Agent.ChecksAsync())["web-ttl"].Status);

        await Client.Agent.UpdateTtlAsync("web-ttl", "all good", HealthStates.Passing);
        var check = (await Client.Agent.ChecksAsync())["web-ttl"];
        Assert.Equal("passing", check.Status);
        Assert.Equal("all good", check.Output);

        var instances = await WaitAsync(() => Client.Catalog.ServiceAsync("web", tags: ["v1"]), r => r.Response.Count == 1);
        Assert.Equal("web-1", instances.Response[0].ServiceId);
        Assert.Equal(8080, instances.Response[0].ServicePort);
        Assert.True(instances.Meta.LastIndex > 0);
        Assert.Empty((await Client.Catalog.ServiceAsync("web", tags: ["nope"])).Response);

        var healthy = await WaitAsync(() => Client.Health.ServiceAsync("web", passingOnly: true), r => r.Response.Count == 1);
        Assert.Equal("cli-test", healthy.Response[0].Node.Node);
        Assert.Contains(healthy.Response[0].Checks, c => c.CheckId == "serfHealth");

        await Client.Agent.FailTtlAsync("web-ttl", "down");
        await WaitAsync(() => Client.Health.ServiceAsync("web", passingOnly: true), r => r.Response.Count == 0);
        var critical = await WaitAsync(() => Client.Health.StateAsync(HealthStates.Critical), r => r.Response.Any(c => c.CheckId == "web-ttl"));
        Assert.Equal("down", critical.Response.Single(c => c.CheckId == "web-ttl").Output);
        Assert.Contains((await Client.Health.ChecksAsync("web")).Response, c => c.CheckId == "web-ttl");
        Assert.Contains((await Client.Health.NodeAsync("cli-test")).Response, c => c.CheckId == "serfHealth");

        var node = await WaitAsync(() => Client.Catalog.NodeAsync("cli-test"), r => r.Response?.Services?.ContainsKey("web-1") == true);
        Assert.Equal("cli-test", node.Response!.Node!.Node);

        await Client.Agent.ServiceDeregisterAsync("web-1");
        Assert.Null(await Client.Agent.ServiceAsync("web-1"));
    }

    [Fact]
    public async Task Unknown_node_reads_as_null()
    {
        Assert.Null((await Client.Catalog.NodeAsync("ghost")).Response);
    }

    [Fact]
    public async Task Check_register_and_deregister()
    {
        await Client.Agent.CheckRegisterAsync(new AgentServiceCheck { Name = "mem", Ttl = "10s" });
        Assert.Contains("mem", (await Client.Agent.ChecksAsync()).Keys);
        await Client.Agent.PassTtlAsync("mem");
        Assert.Equal("passing", (await Client.Agent.ChecksAsync())["mem"].Status);
        await Client.Agent.CheckDeregisterAsync("mem");
        Assert.DoesNotContain("mem", (await Client.Agent.ChecksAsync()).Keys);
    }

    [Fact]
    public async Task Invalid_registration_raises_the_agents_400()
    {
        var error = await Assert.ThrowsAsync<ApiStatusException>(() => Client.Agent.ServiceRegisterAsync(new AgentServiceRegistration { Port = 80 }));
        Assert.Equal(400, error.StatusCode);
    }

    [Fact]
    public async Task Node_metadata_filters_nodes()
    {
        Assert.Single((await Client.Catalog.NodesAsync()).Response);
        Assert.Empty((await Client.Catalog.NodesAsync(new Dictionary<string, string> { ["rack"] = "none" })).Response);
        Assert.Equal(["dc1"], await Client.Catalog.DatacentersAsync());
    }

    private static async Task<T> WaitAsync<T>(Func<Task<T>> read, Func<T, bool> done)
    {
        for (var i = 0; ; i++)
        {
            var value = await read();
            if (done(value) || i == 100)
            {
                Assert.True(done(value), "condition not reached");
                return value;
            }

            await Task.Delay(50);
        }
    }
}
