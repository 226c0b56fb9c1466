namespace Praetor.Integration;

/// <summary>
/// `-alt-domain praetor.`: every name form answers under the alternate domain as under `consul.`,
/// and the answers are named in the domain of the question.
/// </summary>
[Trait("Category", "Integration")]
public sealed class DnsAltDomainTests(DnsAltDomainTests.Agent fixture) : IClassFixture<DnsAltDomainTests.Agent>
{
    private readonly DnsAgent _agent = fixture.Dns;

    [DigFact]
    public async Task Service_A_under_the_alt_domain()
    {
        var dig = await _agent.DigAsync("web.service.praetor", "A");

        Assert.True(dig.Status == "NOERROR", dig.Describe());
        var record = Assert.Single(dig.Answer);
        Assert.Equal(new DigRecord("web.service.praetor.", 0, "IN", "A", "10.1.0.9"), record);
    }

    [DigFact]
    public async Task Node_A_under_the_alt_domain()
    {
        var dig = await _agent.DigAsync("a1.node.praetor", "A");

        Assert.True(dig.Status == "NOERROR", dig.Describe());
        Assert.Equal(["10.1.0.1"], dig.AnswerData("A"));
    }

    [DigFact]
    public async Task The_primary_domain_still_answers()
    {
        var dig = await _agent.DigAsync("web.service.consul", "A");

        Assert.True(dig.Status == "NOERROR", dig.Describe());
        Assert.Equal(["10.1.0.9"], dig.AnswerData("A"));
    }

    [DigFact]
    public async Task SRV_target_is_in_the_domain_of_the_question()
    {
        var dig = await _agent.DigAsync("web.service.praetor", "SRV");

        Assert.True(dig.Status == "NOERROR", dig.Describe());
        Assert.Equal(["1 1 8080 0a010009.addr.dc1.praetor."], dig.AnswerData("SRV"));
    }

    [DigFact]
    public async Task Unknown_name_under_the_alt_domain_is_NXDOMAIN()
    {
        var dig = await _agent.DigAsync("nosuch.service.praetor", "A");

        Assert.True(dig.Status == "NXDOMAIN", dig.Describe());
    }

    /// <summary>An agent started with `-alt-domain praetor.`; `web` (port 8080, address 10.1.0.9) on node a1 (10.1.0.1).</summary>
    public sealed class Agent : IAsyncLifetime
    {
        private DnsAgent? _dns;

        public DnsAgent Dns => _dns ?? throw new InvalidOperationException("not started");

        public async Task InitializeAsync()
        {
            _dns = await DnsAgent.StartAsync("altnode", "-alt-domain", "praetor.");
            await _dns.RegisterServiceAsync("a1", "10.1.0.1", "web", "web1", 8080, serviceAddress: "10.1.0.9");
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
