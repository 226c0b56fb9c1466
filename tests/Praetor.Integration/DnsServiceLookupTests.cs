namespace Praetor.Integration;

/// <summary>
/// `dig` for `[TAG.]SERVICE.service[.DC].consul` A/AAAA/ANY: one address per healthy instance (the
/// service's own address when set, else the node's), filtered by tag, in the named datacenter only,
/// NXDOMAIN for a wrong datacenter, an unknown service or tag; case-insensitive; TTL 0 by default.
/// </summary>
[Trait("Category", "Integration")]
[Collection(DnsCatalogGroup.Name)]
public sealed class DnsServiceLookupTests(DnsCatalogFixture fixture)
{
    private readonly DnsAgent _agent = fixture.Agent;

    [DigFact]
    public async Task Service_A_is_one_record_per_instance_service_address_else_node_address()
    {
        var dig = await _agent.DigAsync("web.service.consul", "A");

        Assert.True(dig.Status == "NOERROR", dig.Describe());
        Assert.True(dig.HasFlag("aa"), $"expected an authoritative answer\n{dig.Describe()}");
        Assert.Equal(["10.1.0.2", "10.1.0.9"], dig.AnswerData("A"));
        Assert.All(dig.Answer, static r => Assert.Equal("web.service.consul.", r.Name));
        Assert.All(dig.Answer, static r => Assert.Equal(0, r.Ttl));
    }

    [DigFact]
    public async Task Tag_label_filters_instances()
    {
        var primary = await _agent.DigAsync("primary.web.service.consul", "A");
        var secondary = await _agent.DigAsync("secondary.web.service.consul", "A");

        Assert.True(primary.Status == "NOERROR", primary.Describe());
        Assert.Equal(["10.1.0.9"], primary.AnswerData("A"));
        Assert.True(secondary.Status == "NOERROR", secondary.Describe());
        Assert.Equal(["10.1.0.2"], secondary.AnswerData("A"));
    }

    [DigFact]
    public async Task Datacenter_label_dc1_answers()
    {
        var dig = await _agent.DigAsync("web.service.dc1.consul", "A");

        Assert.True(dig.Status == "NOERROR", dig.Describe());
        Assert.Equal(["10.1.0.2", "10.1.0.9"], dig.AnswerData("A"));
        Assert.All(dig.Answer, static r => Assert.Equal("web.service.dc1.consul.", r.Name));
    }

    [DigFact]
    public async Task Unknown_datacenter_is_NXDOMAIN()
    {
        var dig = await _agent.DigAsync("web.service.dc9.consul", "A");

        Assert.True(dig.Status == "NXDOMAIN", dig.Describe());
        Assert.Empty(dig.Answer);
    }

    [DigFact]
    public async Task Unknown_service_and_unknown_tag_are_NXDOMAIN_with_the_SOA()
    {
        var service = await _agent.DigAsync("nosuch.service.consul", "A");
        var tag = await _agent.DigAsync("nosuchtag.web.service.consul", "A");

        foreach (var dig in new[] { service, tag })
        {
            Assert.True(dig.Status == "NXDOMAIN", dig.Describe());
            Assert.Empty(dig.Answer);
            Assert.True(dig.Authority.Any(static r => r.Type == "SOA" && r.Name == "consul."), $"expected the SOA of consul. in authority\n{dig.Describe()}");
        }
    }

    [DigFact]
    public async Task Service_names_match_case_insensitively()
    {
        var dig = await _agent.DigAsync("WEB.Service.CONSUL", "A");
        var tagged = await _agent.DigAsync("PRIMARY.Web.service.consul", "A");

        Assert.True(dig.Status == "NOERROR", dig.Describe());
        Assert.Equal(["10.1.0.2", "10.1.0.9"], dig.AnswerData("A"));
        Assert.True(tagged.Status == "NOERROR", tagged.Describe());
        Assert.Equal(["10.1.0.9"], tagged.AnswerData("A"));
    }

    [DigFact]
    public async Task ANY_on_a_service_answers_its_addresses()
    {
        var dig = await _agent.DigAsync("web.service.consul", "ANY");

        Assert.True(dig.Status == "NOERROR", dig.Describe());
        Assert.Equal(["10.1.0.2", "10.1.0.9"], dig.AnswerData("A"));
    }

    [DigFact]
    public async Task AAAA_of_a_service_on_an_IPv6_node()
    {
        var dig = await _agent.DigAsync("v6web.service.consul", "AAAA");

        Assert.True(dig.Status == "NOERROR", dig.Describe());
        var record = Assert.Single(dig.Answer);
        Assert.Equal(new DigRecord("v6web.service.consul.", 0, "IN", "AAAA", "2001:db8::6"), record);
    }

    [DigFact]
    public async Task The_consul_service_is_the_agent_itself()
    {
        var dig = await _agent.DigAsync("consul.service.consul", "A");

        Assert.True(dig.Status == "NOERROR", dig.Describe());
        Assert.Equal(["127.0.0.1"], dig.AnswerData("A"));
    }
}
