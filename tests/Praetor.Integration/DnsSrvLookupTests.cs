namespace Praetor.Integration;

/// <summary>
/// `dig ... SRV`: `1 1 PORT NODE.node.dc1.consul.` for an instance on its node's address,
/// `1 1 PORT HEX.addr.dc1.consul.` for one with its own IP, the A records of the targets in the
/// additional section; RFC 2782 names `_SERVICE._tcp.service.consul` (every instance) and
/// `_SERVICE._TAG.service.consul` (by tag).
/// </summary>
[Trait("Category", "Integration")]
[Collection(DnsCatalogGroup.Name)]
public sealed class DnsSrvLookupTests(DnsCatalogFixture fixture)
{
    private const string Web1Srv = "1 1 8080 0a010009.addr.dc1.consul.";
    private const string Web2Srv = "1 1 8081 n2.node.dc1.consul.";

    private readonly DnsAgent _agent = fixture.Agent;

    [DigFact]
    public async Task SRV_targets_the_node_name_or_the_hex_addr_name()
    {
        var dig = await _agent.DigAsync("web.service.consul", "SRV");

        Assert.True(dig.Status == "NOERROR", dig.Describe());
        Assert.Equal([Web1Srv, Web2Srv], dig.AnswerData("SRV"));
        Assert.All(dig.Answer, static r => Assert.Equal("web.service.consul.", r.Name));
    }

    [DigFact]
    public async Task SRV_additional_section_holds_the_targets_A_records()
    {
        var dig = await _agent.DigAsync("web.service.consul", "SRV");

        Assert.True(dig.Status == "NOERROR", dig.Describe());
        var additional = dig.Additional.Where(static r => r.Type == "A").Select(static r => $"{r.Name} {r.Data}").Order(StringComparer.Ordinal);
        Assert.Equal(["0a010009.addr.dc1.consul. 10.1.0.9", "n2.node.dc1.consul. 10.1.0.2"], additional);
    }

    [DigFact]
    public async Task Tag_label_filters_SRV()
    {
        var dig = await _agent.DigAsync("primary.web.service.consul", "SRV");

        Assert.True(dig.Status == "NOERROR", dig.Describe());
        Assert.Equal([Web1Srv], dig.AnswerData("SRV"));
    }

    [DigFact]
    public async Task RFC_2782_tcp_name_lists_every_instance()
    {
        var dig = await _agent.DigAsync("_web._tcp.service.consul", "SRV");

        Assert.True(dig.Status == "NOERROR", dig.Describe());
        Assert.Equal([Web1Srv, Web2Srv], dig.AnswerData("SRV"));
    }

    [DigFact]
    public async Task RFC_2782_tag_name_filters_by_tag()
    {
        var primary = await _agent.DigAsync("_web._primary.service.consul", "SRV");
        var secondary = await _agent.DigAsync("_web._secondary.service.consul", "SRV");

        Assert.True(primary.Status == "NOERROR", primary.Describe());
        Assert.Equal([Web1Srv], primary.AnswerData("SRV"));
        Assert.True(secondary.Status == "NOERROR", secondary.Describe());
        Assert.Equal([Web2Srv], secondary.AnswerData("SRV"));
    }

    [DigFact]
    public async Task SRV_with_the_datacenter_label()
    {
        var dig = await _agent.DigAsync("web.service.dc1.consul", "SRV");

        Assert.True(dig.Status == "NOERROR", dig.Describe());
        Assert.Equal([Web1Srv, Web2Srv], dig.AnswerData("SRV"));
    }
}
