namespace Praetor.Integration;

/// <summary>
/// `dns_config.service_ttl` (an exact name beats `*`) and `dns_config.node_ttl` set the TTL of the
/// answers: here `{"*": "5s", "web": "30s"}` and `"10s"`. (TTL 0 without them is asserted by the
/// lookup tests.)
/// </summary>
[Trait("Category", "Integration")]
public sealed class DnsTtlTests(DnsTtlTests.Agent fixture) : IClassFixture<DnsTtlTests.Agent>
{
    private readonly DnsAgent _agent = fixture.Dns;

    [DigFact]
    public async Task Service_ttl_of_the_exact_name_on_A()
    {
        var dig = await _agent.DigAsync("web.service.consul", "A");

        Assert.True(dig.Status == "NOERROR", dig.Describe());
        Assert.Equal(["10.1.0.1"], dig.AnswerData("A"));
        Assert.All(dig.Answer, static r => Assert.Equal(30, r.Ttl));
    }

    [DigFact]
    public async Task Service_ttl_of_the_exact_name_on_SRV()
    {
        var dig = await _agent.DigAsync("web.service.consul", "SRV");

        Assert.True(dig.Status == "NOERROR", dig.Describe());
        Assert.Equal(["1 1 80 t1.node.dc1.consul."], dig.AnswerData("SRV"));
        Assert.All(dig.Answer, static r => Assert.Equal(30, r.Ttl));
    }

    [DigFact]
    public async Task Service_ttl_wildcard_for_other_services()
    {
        var dig = await _agent.DigAsync("db.service.consul", "A");

        Assert.True(dig.Status == "NOERROR", dig.Describe());
        Assert.Equal(["10.1.0.2"], dig.AnswerData("A"));
        Assert.All(dig.Answer, static r => Assert.Equal(5, r.Ttl));
    }

    [DigFact]
    public async Task Node_ttl_on_node_A()
    {
        var dig = await _agent.DigAsync("t1.node.consul", "A");

        Assert.True(dig.Status == "NOERROR", dig.Describe());
        var record = Assert.Single(dig.Answer);
        Assert.Equal(new DigRecord("t1.node.consul.", 10, "IN", "A", "10.1.0.1"), record);
    }

    /// <summary>An agent with the TTL settings in a config file; `web` on node t1 (10.1.0.1, port 80) and `db` on t2 (10.1.0.2).</summary>
    public sealed class Agent : IAsyncLifetime
    {
        private DnsAgent? _dns;

        public DnsAgent Dns => _dns ?? throw new InvalidOperationException("not started");

        public async Task InitializeAsync()
        {
            // The agents read their config files at start; the files need not outlive that.
            using var temp = new TempDirectory();
            var config = temp.Combine("dns.json");
            File.WriteAllText(config, """{ "dns_config": { "service_ttl": { "*": "5s", "web": "30s" }, "node_ttl": "10s" } }""");
            _dns = await DnsAgent.StartAsync("ttlnode", "-config-file", config);
            await _dns.RegisterServiceAsync("t1", "10.1.0.1", "web", "web1", 80);
            await _dns.RegisterServiceAsync("t2", "10.1.0.2", "db", "db1", 5432);
        }

        public async Task DisposeAsync()
        {
            if (_dns is not null)
            {
                await _dns.DisposeAsync();
            }
        }
    }
}
