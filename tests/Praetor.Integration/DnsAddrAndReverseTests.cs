namespace Praetor.Integration;

/// <summary>
/// `HEX.addr[.DC].consul` decoded to A (8 hex digits) or AAAA (32), and reverse lookups
/// (`dig -x`) answering the node's name, `NODE.node.dc1.consul.`.
/// </summary>
[Trait("Category", "Integration")]
[Collection(DnsCatalogGroup.Name)]
public sealed class DnsAddrAndReverseTests(DnsCatalogFixture fixture)
{
    private readonly DnsAgent _agent = fixture.Agent;

    [DigFact]
    public async Task Addr_name_of_8_hex_digits_is_the_IPv4_address()
    {
        var dig = await _agent.DigAsync("0a010009.addr.dc1.consul", "A");

        Assert.True(dig.Status == "NOERROR", dig.Describe());
        var record = Assert.Single(dig.Answer);
        Assert.Equal(new DigRecord("0a010009.addr.dc1.consul.", 0, "IN", "A", "10.1.0.9"), record);
    }

    [DigFact]
    public async Task Addr_name_without_the_datacenter()
    {
        var dig = await _agent.DigAsync("7f000001.addr.consul", "A");

        Assert.True(dig.Status == "NOERROR", dig.Describe());
        Assert.Equal(["127.0.0.1"], dig.AnswerData("A"));
    }

    [DigFact]
    public async Task Addr_name_of_32_hex_digits_is_the_IPv6_address()
    {
        var dig = await _agent.DigAsync("20010db8000000000000000000000006.addr.dc1.consul", "AAAA");

        Assert.True(dig.Status == "NOERROR", dig.Describe());
        var record = Assert.Single(dig.Answer);
        Assert.Equal(new DigRecord("20010db8000000000000000000000006.addr.dc1.consul.", 0, "IN", "AAAA", "2001:db8::6"), record);
    }

    [DigFact]
    public async Task Reverse_lookup_of_a_node_address_is_its_node_name()
    {
        var dig = await _agent.DigAsync("-x", "10.1.0.1");

        Assert.True(dig.Status == "NOERROR", dig.Describe());
        var record = Assert.Single(dig.Answer);
        Assert.Equal(new DigRecord("1.0.1.10.in-addr.arpa.", 0, "IN", "PTR", "n1.node.dc1.consul."), record);
    }

    [DigFact]
    public async Task Reverse_lookup_of_an_IPv6_node_address_is_its_node_name()
    {
        var dig = await _agent.DigAsync("-x", "2001:db8::6");

        Assert.True(dig.Status == "NOERROR", dig.Describe());
        Assert.Equal(["n6.node.dc1.consul."], dig.AnswerData("PTR"));
    }
}
