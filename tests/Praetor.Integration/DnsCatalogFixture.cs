namespace Praetor.Integration;

/// <summary>
/// One agent (node `alpha`, 127.0.0.1) shared by the DNS lookup test classes, which only read; its
/// catalog, registered over HTTP before any of them runs:
/// <list type="bullet">
/// <item>`n1` 10.1.0.1, meta rack=r1 zone=z1: `web` instance `web1`, tag primary, port 8080, its own address 10.1.0.9</item>
/// <item>`n2` 10.1.0.2: `web` instance `web2`, tag secondary, port 8081, on the node's address</item>
/// <item>`n6` 2001:db8::6: `v6web` instance `v6web1`, port 9000, on the node's address</item>
/// </list>
/// All checks pass.
/// </summary>
public sealed class DnsCatalogFixture : IAsyncLifetime
{
    public const string AgentNode = "alpha";

    private DnsAgent? _agent;

    public DnsAgent Agent => _agent ?? throw new InvalidOperationException("the fixture has not started its agent");

    public async Task InitializeAsync()
    {
        _agent = await DnsAgent.StartAsync(AgentNode);
        await _agent.RegisterServiceAsync("n1", "10.1.0.1", "web", "web1", 8080, tags: ["primary"], serviceAddress: "10.1.0.9",
            nodeMeta: new Dictionary<string, string> { ["rack"] = "r1", ["zone"] = "z1" });
        await _agent.RegisterServiceAsync("n2", "10.1.0.2", "web", "web2", 8081, tags: ["secondary"]);
        await _agent.RegisterServiceAsync("n6", "2001:db8::6", "v6web", "v6web1", 9000);
    }

    public async Task DisposeAsync()
    {
        if (_agent is not null)
        {
            await _agent.DisposeAsync();
        }
    }
}

/// <summary>The test classes that share <see cref="DnsCatalogFixture"/>'s agent.</summary>
[CollectionDefinition(Name)]
public sealed class DnsCatalogGroup : ICollectionFixture<DnsCatalogFixture>
{
    public const string Name = "DNS lookups against one shared catalog";
}
