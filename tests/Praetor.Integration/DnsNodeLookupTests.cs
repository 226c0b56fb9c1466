namespace Praetor.Integration;

/// <summary>
/// `dig` for `NODE.node[.DC].consul`: A of the node address, AAAA of an IPv6 one, TXT of node meta,
/// ANY (seed 000's `dig @IP -p 8600 consul1.node.consul any`), NXDOMAIN with the SOA for an unknown
/// node, names matched case-insensitively.
/// </summary>
[Trait("Category", "Integration")]
[Collection(DnsCatalogGroup.Name)]
public sealed class DnsNodeLookupTests(DnsCatalogFixture fixture)
{
    private readonly DnsAgent _agent = fixture.Agent;

    [DigFact]
    public async Task Node_A_is_the_node_address_authoritative_with_TTL_0()
    {
        var dig = await _agent.DigAsync("n1.node.consul", "A");

        Assert.True(dig.Status == "NOERROR", dig.Describe());
        Assert.True(dig.HasFlag("qr") && dig.HasFlag("aa"), $"expected flags qr aa\n{dig.Describe()}");
        var record = Assert.Single(dig.Answer);
        Assert.Equal(new DigRecord("n1.node.consul.", 0, "IN", "A", "10.1.0.1"), record);
    }

    [DigFact]
    public async Task Node_A_with_the_datacenter_label()
    {
        var dig = await _agent.DigAsync("n1.node.dc1.consul", "A");

        Assert.True(dig.Status == "NOERROR", dig.Describe());
        var record = Assert.Single(dig.Answer);
        Assert.Equal(new DigRecord("n1.node.dc1.consul.", 0, "IN", "A", "10.1.0.1"), record);
    }

    [DigFact]
    public async Task The_agents_own_node_answers_its_address()
    {
        var dig = await _agent.DigAsync($"{DnsCatalogFixture.AgentNode}.node.consul", "A");

        Assert.True(dig.Status == "NOERROR", dig.Describe());
        Assert.Equal(["127.0.0.1"], dig.AnswerData("A"));
    }

    [DigFact]
    public async Task Node_AAAA_is_an_IPv6_node_address()
    {
        var dig = await _agent.DigAsync("n6.node.consul", "AAAA");

        Assert.True(dig.Status == "NOERROR", dig.Describe());
        var record = Assert.Single(dig.Answer);
        Assert.Equal(new DigRecord("n6.node.consul.", 0, "IN", "AAAA", "2001:db8::6"), record);
    }

    [DigFact]
    public async Task Node_A_of_an_IPv6_only_node_is_NODATA_with_the_SOA()
    {
        var dig = await _agent.DigAsync("n6.node.consul", "A");

        Assert.True(dig.Status == "NOERROR", $"the name exists, so NOERROR with no answer (NODATA)\n{dig.Describe()}");
        Assert.Empty(dig.Answer);
        Assert.Contains(dig.Authority, static r => r.Type == "SOA");
    }

    [DigFact]
    public async Task Node_TXT_is_its_meta_as_key_equals_value()
    {
        var dig = await _agent.DigAsync("n1.node.consul", "TXT");

        Assert.True(dig.Status == "NOERROR", dig.Describe());
        Assert.Equal(["\"rack=r1\"", "\"zone=z1\""], dig.AnswerData("TXT"));
        Assert.All(dig.Answer, static r => Assert.Equal("n1.node.consul.", r.Name));
    }

    [DigFact]
    public async Task Seed_000_node_ANY_answers_the_address()
    {
        // Seed 000: dig @${Consul サーバーの IP} -p 8600 consul1.node.consul any
        var dig = await _agent.DigAsync($"{DnsCatalogFixture.AgentNode}.node.consul", "any");

        Assert.True(dig.Status == "NOERROR", dig.Describe());
        Assert.Equal(["127.0.0.1"], dig.AnswerData("A"));
    }

    [DigFact]
    public async Task Unknown_node_is_NXDOMAIN_with_the_SOA_in_authority()
    {
        var dig = await _agent.DigAsync("nosuch.node.consul", "A");

        Assert.True(dig.Status == "NXDOMAIN", dig.Describe());
        Assert.Empty(dig.Answer);
        var soa = Assert.Single(dig.Authority);
        Assert.Equal("SOA", soa.Type);
        Assert.Equal("consul.", soa.Name);
        Assert.True(dig.HasFlag("aa"), $"expected an authoritative NXDOMAIN\n{dig.Describe()}");
    }

    [DigFact]
    public async Task Node_names_match_case_insensitively()
    {
        var dig = await _agent.DigAsync("N1.NODE.Consul", "A");

        Assert.True(dig.Status == "NOERROR", dig.Describe());
        Assert.Equal(["10.1.0.1"], dig.AnswerData("A"));
    }
}
