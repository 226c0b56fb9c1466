using System.Net;
using Praetor.Dns.Wire;

namespace Praetor.Dns.Tests;

/// <summary>Names read as Consul reads them (domain <c>consul</c>, datacenter <c>dc1</c>, no alt domain unless said).</summary>
public sealed class DnsLookupTests
{
    private static DnsLookup Parse(string name, DnsRecordType type = DnsRecordType.A, string domain = "consul", string alt = "")
        => DnsLookup.Parse(name, type, domain, alt, "dc1");

    private static void AssertService(DnsLookup lookup, string name, string tag, string domain = "consul")
    {
        Assert.Equal(DnsLookupKind.Service, lookup.Kind);
        Assert.Equal(name, lookup.Name);
        Assert.Equal(tag, lookup.Tag);
        Assert.Equal(domain, lookup.Domain);
    }

    [Theory]
    [InlineData("web.service.consul")]
    [InlineData("web.service.dc1.consul")]
    [InlineData("web.service.dc1.dc.consul")]
    [InlineData("WEB.Service.DC1.Consul")]
    public void A_service_name_in_this_datacenter_names_the_service_without_a_tag(string name)
        => AssertService(Parse(name), "web", "");

    [Fact]
    public void A_label_before_the_service_is_a_tag()
    {
        AssertService(Parse("primary.web.service.consul"), "web", "primary");
        AssertService(Parse("primary.web.service.dc1.dc.consul"), "web", "primary");
    }

    [Fact]
    public void A_tag_may_hold_dots()
        => AssertService(Parse("v1.2.web.service.consul"), "web", "v1.2");

    [Theory]
    [InlineData("web.service.dc2.consul")]
    [InlineData("web.service.dc2.dc.consul")]
    [InlineData("web.service.dc1.dc.extra.consul")]
    [InlineData("web.service.dc1.notdc.consul")]
    [InlineData("n1.node.dc2.consul")]
    [InlineData("0a000001.addr.dc2.consul")]
    public void Another_datacenter_or_a_bad_locality_is_invalid(string name)
        => Assert.Equal(DnsLookupKind.Invalid, Parse(name).Kind);

    [Theory]
    [InlineData(DnsRecordType.SRV)]
    [InlineData(DnsRecordType.A)]
    public void Rfc2782_tcp_means_any_tag(DnsRecordType type)
        => AssertService(Parse("_web._tcp.service.consul", type), "web", "");

    [Fact]
    public void Rfc2782_other_protocol_label_is_the_tag()
    {
        AssertService(Parse("_web._primary.service.consul", DnsRecordType.SRV), "web", "primary");
        AssertService(Parse("_web._primary.service.dc1.consul", DnsRecordType.SRV), "web", "primary");
    }

    [Fact]
    public void The_srv_shortcut_without_service_is_read_only_for_srv_questions()
    {
        AssertService(Parse("_web._tcp.consul", DnsRecordType.SRV), "web", "");
        AssertService(Parse("_web._primary.dc1.consul", DnsRecordType.SRV), "web", "primary");
        Assert.Equal(DnsLookupKind.Invalid, Parse("_web._tcp.consul", DnsRecordType.A).Kind);
        Assert.Equal(DnsLookupKind.Invalid, Parse("_web._tcp.consul", DnsRecordType.ANY).Kind);
        Assert.Equal(DnsLookupKind.Invalid, Parse("_web._tcp.dc2.consul", DnsRecordType.SRV).Kind);
    }

    [Theory]
    [InlineData("n1.node.consul", "n1")]
    [InlineData("n1.node.dc1.consul", "n1")]
    [InlineData("n1.node.dc1.dc.consul", "n1")]
    [InlineData("N1.NODE.CONSUL", "n1")]
    [InlineData("host.example.node.consul", "host.example")]
    [InlineData("web.service.node.consul", "web.service")]
    public void Node_names(string name, string node)
    {
        var lookup = Parse(name);
        Assert.Equal(DnsLookupKind.Node, lookup.Kind);
        Assert.Equal(node, lookup.Name);
        Assert.Equal("consul", lookup.Domain);
    }

    [Theory]
    [InlineData("0a000001.addr.dc1.consul", "10.0.0.1")]
    [InlineData("0A000001.addr.consul", "10.0.0.1")]
    [InlineData("c0a80a01.addr.dc1.dc.consul", "192.168.10.1")]
    [InlineData("20010db8000000000000000000000001.addr.dc1.consul", "2001:db8::1")]
    [InlineData("fe800000000000000000000000000abc.addr.consul", "fe80::abc")]
    public void Hex_addr_names_decode_to_the_address(string name, string address)
    {
        var lookup = Parse(name);
        Assert.Equal(DnsLookupKind.Addr, lookup.Kind);
        Assert.Equal(IPAddress.Parse(address), lookup.Address);
    }

    [Theory]
    [InlineData("0a00000g.addr.consul")]
    [InlineData("0a0001.addr.consul")]
    [InlineData("0a00000001.addr.consul")]
    [InlineData("0x000001.addr.consul")]
    [InlineData("+a000001.addr.consul")]
    [InlineData("0a.000001.addr.consul")]
    [InlineData("20010db800000000000000000000000z.addr.consul")]
    [InlineData("addr.consul")]
    public void Bad_hex_addresses_are_invalid(string name)
        => Assert.Equal(DnsLookupKind.Invalid, Parse(name).Kind);

    [Fact]
    public void Reverse_ipv4_names_read_backwards()
    {
        var lookup = Parse("1.0.0.10.in-addr.arpa", DnsRecordType.PTR);
        Assert.Equal(DnsLookupKind.Reverse, lookup.Kind);
        Assert.Equal(IPAddress.Parse("10.0.0.1"), lookup.Address);
        Assert.Equal(IPAddress.Parse("192.168.2.1"), Parse("1.2.168.192.IN-ADDR.ARPA", DnsRecordType.PTR).Address);
    }

    [Fact]
    public void Reverse_ipv6_names_read_nibbles_backwards()
    {
        var address = IPAddress.Parse("2001:db8::abc:1");
        var hex = Convert.ToHexStringLower(address.GetAddressBytes());
        var name = string.Join('.', hex.Reverse()) + ".ip6.arpa";
        var lookup = Parse(name, DnsRecordType.PTR);
        Assert.Equal(DnsLookupKind.Reverse, lookup.Kind);
        Assert.Equal(address, lookup.Address);
    }

    [Theory]
    [InlineData("0.10.in-addr.arpa")]
    [InlineData("1.0.0.0.10.in-addr.arpa")]
    [InlineData("256.0.0.10.in-addr.arpa")]
    [InlineData("x.0.0.10.in-addr.arpa")]
    [InlineData("+1.0.0.10.in-addr.arpa")]
    [InlineData("1..0.10.in-addr.arpa")]
    [InlineData("0001.0.0.10.in-addr.arpa")]
    [InlineData("1.0.ip6.arpa")]
    [InlineData("in-addr.arpa")]
    public void Malformed_reverse_names_are_outside(string name)
        => Assert.Equal(DnsLookupKind.Outside, Parse(name, DnsRecordType.PTR).Kind);

    [Fact]
    public void Malformed_ipv6_reverse_names_are_outside()
    {
        var nibbles = Convert.ToHexStringLower(IPAddress.Parse("2001:db8::1").GetAddressBytes()).Select(c => c.ToString()).Reverse().ToList();
        Assert.Equal(DnsLookupKind.Reverse, Parse(string.Join('.', nibbles) + ".ip6.arpa", DnsRecordType.PTR).Kind);
        string[] bad =
        [
            string.Join('.', nibbles.Skip(1)) + ".ip6.arpa",
            string.Join('.', nibbles.Append("0")) + ".ip6.arpa",
            string.Join('.', nibbles.Skip(1).Prepend("g")) + ".ip6.arpa",
            string.Join('.', nibbles.Skip(1).Prepend("10")) + ".ip6.arpa",
            string.Join('.', nibbles.Skip(1).Prepend("")) + ".ip6.arpa",
            "ip6.arpa",
        ];
        foreach (var name in bad)
        {
            Assert.True(Parse(name, DnsRecordType.PTR).Kind == DnsLookupKind.Outside, name);
        }
    }

    [Theory]
    [InlineData("consul")]
    [InlineData("CONSUL")]
    public void The_domain_itself_is_the_apex(string name)
    {
        var lookup = Parse(name, DnsRecordType.SOA);
        Assert.Equal(DnsLookupKind.Apex, lookup.Kind);
        Assert.Equal("consul", lookup.Domain);
    }

    [Fact]
    public void Alt_domain_names_are_read_and_answered_in_the_alt_domain()
    {
        AssertService(Parse("web.service.example.com", alt: "example.com"), "web", "", "example.com");
        AssertService(Parse("web.service.consul", alt: "example.com"), "web", "", "consul");
        Assert.Equal(DnsLookupKind.Apex, Parse("Example.Com", alt: "example.com").Kind);
        Assert.Equal("example.com", Parse("n1.node.dc1.example.com", alt: "example.com").Domain);
        Assert.Equal(DnsLookupKind.Outside, Parse("web.service.example.com").Kind);
    }

    [Fact]
    public void The_longer_domain_wins_when_one_is_under_the_other()
    {
        // alt_domain under the primary: without the longer-first rule "alt" would read as a datacenter.
        AssertService(Parse("web.service.alt.consul", alt: "alt.consul"), "web", "", "alt.consul");
        AssertService(Parse("web.service.consul", alt: "alt.consul"), "web", "", "consul");
        // The primary under the alt domain.
        AssertService(Parse("web.service.dc1.corp.example", domain: "corp.example", alt: "example"), "web", "", "corp.example");
        AssertService(Parse("web.service.dc1.example", domain: "corp.example", alt: "example"), "web", "", "example");
    }

    [Theory]
    [InlineData("example.com")]
    [InlineData("xconsul")]
    [InlineData("web.service.xconsul")]
    [InlineData("web.service.consul.example.com")]
    [InlineData("")]
    public void Names_outside_the_domains_are_outside(string name)
        => Assert.Equal(DnsLookupKind.Outside, Parse(name).Kind);

    [Theory]
    [InlineData("x.query.consul")]
    [InlineData("_x._tcp.query.consul")]
    [InlineData("web.connect.consul")]
    [InlineData("web.ingress.consul")]
    [InlineData("web.virtual.consul")]
    [InlineData("foo.consul")]
    [InlineData("foo.bar.consul")]
    public void Names_in_the_domain_that_praetor_does_not_serve_are_invalid(string name)
        => Assert.Equal(DnsLookupKind.Invalid, Parse(name).Kind);

    [Theory]
    [InlineData("web..service.consul")]
    [InlineData(".web.service.consul")]
    [InlineData(".service.consul")]
    [InlineData("service.consul")]
    [InlineData("web.service..consul")]
    [InlineData("node.consul")]
    [InlineData("a..b.node.consul")]
    public void Empty_labels_or_missing_names_are_invalid(string name)
        => Assert.Equal(DnsLookupKind.Invalid, Parse(name).Kind);
}
