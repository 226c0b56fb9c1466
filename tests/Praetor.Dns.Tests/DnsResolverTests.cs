using System.Net;
using Praetor.Agent.Config;
using Praetor.Dns.Wire;
using Praetor.State.Catalog;

namespace Praetor.Dns.Tests;

/// <summary>Answers from the catalog of an in-process agent (node <c>me</c> at 127.0.0.1, datacenter dc1, domain consul).</summary>
public sealed class DnsResolverTests
{
    private static readonly Dictionary<string, string> Meta = new() { ["rack"] = "r1", ["rfc1035-spf"] = "v=spf1 -all" };

    private static IPAddress Ip(string text) => IPAddress.Parse(text);

    private static List<IPAddress> Addresses(IEnumerable<DnsRecord> records) =>
        records.OfType<DnsAddressRecord>().Select(r => r.Address).OrderBy(a => a.ToString(), StringComparer.Ordinal).ToList();

    private static void AssertNoData(DnsResponse response)
    {
        Assert.Equal(DnsResponseCode.NoError, response.Code);
        Assert.Empty(response.Answers);
        Assert.IsType<DnsSoaRecord>(Assert.Single(response.Authority));
        Assert.True(response.Authoritative);
    }

    private static void AssertNxDomain(DnsResponse response)
    {
        Assert.Equal(DnsResponseCode.NameError, response.Code);
        Assert.Empty(response.Answers);
        var soa = Assert.IsType<DnsSoaRecord>(Assert.Single(response.Authority));
        Assert.Equal("consul", soa.Name);
    }

    [Fact]
    public async Task Node_A_AAAA_TXT_and_ANY()
    {
        await using var agent = await DnsTestAgent.StartAsync();
        await agent.RegisterAsync("n1", "10.0.0.1", meta: Meta);
        await agent.RegisterAsync("n6", "2001:db8::6");

        var a = await agent.AnswerAsync("N1.node.consul", DnsRecordType.A);
        Assert.Equal(DnsResponseCode.NoError, a.Code);
        Assert.True(a.Authoritative);
        Assert.False(a.RecursionAvailable);
        var record = Assert.IsType<DnsAddressRecord>(Assert.Single(a.Answers));
        Assert.Equal(("N1.node.consul", 0u, Ip("10.0.0.1")), (record.Name, record.Ttl, record.Address));

        AssertNoData(await agent.AnswerAsync("n1.node.consul", DnsRecordType.AAAA));
        var v6 = await agent.AnswerAsync("n6.node.dc1.consul", DnsRecordType.AAAA);
        Assert.Equal([Ip("2001:db8::6")], Addresses(v6.Answers));
        AssertNoData(await agent.AnswerAsync("n6.node.consul", DnsRecordType.A));

        var txt = await agent.AnswerAsync("n1.node.consul", DnsRecordType.TXT);
        Assert.All(txt.Answers, r => Assert.IsType<DnsTxtRecord>(r));
        Assert.Equal(["rack=r1", "v=spf1 -all"], txt.Answers.Cast<DnsTxtRecord>().SelectMany(t => t.Text).Order(StringComparer.Ordinal));

        var any = await agent.AnswerAsync("n1.node.consul", DnsRecordType.ANY);
        Assert.Equal([Ip("10.0.0.1")], Addresses(any.Answers));
        Assert.Equal(2, any.Answers.OfType<DnsTxtRecord>().Count());

        // Meta is not in A answers.
        Assert.Empty(a.Answers.OfType<DnsTxtRecord>());
    }

    [Fact]
    public async Task An_unknown_node_or_service_or_bad_name_is_NXDOMAIN_with_the_SOA()
    {
        await using var agent = await DnsTestAgent.StartAsync();
        AssertNxDomain(await agent.AnswerAsync("nope.node.consul", DnsRecordType.A));
        AssertNxDomain(await agent.AnswerAsync("nope.service.consul", DnsRecordType.A));
        AssertNxDomain(await agent.AnswerAsync("me.node.dc2.consul", DnsRecordType.A));
        AssertNxDomain(await agent.AnswerAsync("x.query.consul", DnsRecordType.A));
        AssertNxDomain(await agent.AnswerAsync("garbage.consul", DnsRecordType.A));
    }

    [Fact]
    public async Task Service_A_answers_are_deduplicated_and_filtered_by_tag()
    {
        await using var agent = await DnsTestAgent.StartAsync();
        await agent.RegisterAsync("n1", "10.0.0.1", "web", "web1", 80, tags: ["primary"]);
        await agent.RegisterAsync("n1", "10.0.0.1", "web", "web2", 81, tags: ["secondary"]);
        await agent.RegisterAsync("n2", "10.0.0.2", "web", "web3", 80, serviceAddress: "10.0.0.22", tags: ["primary"]);

        var all = await agent.AnswerAsync("web.service.consul", DnsRecordType.A);
        Assert.Equal([Ip("10.0.0.1"), Ip("10.0.0.22")], Addresses(all.Answers));
        Assert.All(all.Answers, r => Assert.Equal("web.service.consul", r.Name));

        var primary = await agent.AnswerAsync("primary.web.service.consul", DnsRecordType.A);
        Assert.Equal([Ip("10.0.0.1"), Ip("10.0.0.22")], Addresses(primary.Answers));
        var secondary = await agent.AnswerAsync("secondary.web.service.consul", DnsRecordType.A);
        Assert.Equal([Ip("10.0.0.1")], Addresses(secondary.Answers));
        var rfc = await agent.AnswerAsync("_web._secondary.service.consul", DnsRecordType.SRV);
        Assert.Equal(81, Assert.IsType<DnsSrvRecord>(Assert.Single(rfc.Answers)).Port);
        AssertNxDomain(await agent.AnswerAsync("nosuchtag.web.service.consul", DnsRecordType.A));
    }

    [Fact]
    public async Task Critical_instances_are_left_out_and_warnings_kept_unless_only_passing()
    {
        await using var agent = await DnsTestAgent.StartAsync();
        await agent.RegisterAsync("n1", "10.0.0.1", "web", "ok", 80);
        await agent.RegisterAsync("n2", "10.0.0.2", "web", "svc-critical", 80, status: HealthStatus.Critical);
        await agent.RegisterAsync("n3", "10.0.0.3", "web", "node-critical", 80,
            checks: DnsTestAgent.Check("n3", "serfHealth", HealthStatus.Critical));
        await agent.RegisterAsync("n4", "10.0.0.4", "web", "warn", 80, status: HealthStatus.Warning);
        await agent.RegisterAsync("n5", "10.0.0.5", "web", "svc-maint", 80,
            checks: DnsTestAgent.Check("n5", MaintenanceChecks.ServiceCheckId("svc-maint"), HealthStatus.Critical, "svc-maint", "web"));
        await agent.RegisterAsync("n6", "10.0.0.6", "web", "node-maint", 80,
            checks: DnsTestAgent.Check("n6", MaintenanceChecks.NodeCheckId, HealthStatus.Critical));

        var answer = await agent.AnswerAsync("web.service.consul", DnsRecordType.A);
        Assert.Equal([Ip("10.0.0.1"), Ip("10.0.0.4")], Addresses(answer.Answers));
        var srv = await agent.AnswerAsync("web.service.consul", DnsRecordType.SRV);
        Assert.Equal(2, srv.Answers.Count);

        // All critical: the name has no instances to give.
        await agent.RegisterAsync("n7", "10.0.0.7", "down", "down1", 80, status: HealthStatus.Critical);
        AssertNxDomain(await agent.AnswerAsync("down.service.consul", DnsRecordType.A));
    }

    [Fact]
    public async Task Only_passing_leaves_out_warnings()
    {
        await using var agent = await DnsTestAgent.StartAsync(c => c with { Dns = new DnsSettings { OnlyPassing = true } });
        await agent.RegisterAsync("n1", "10.0.0.1", "web", "ok", 80);
        await agent.RegisterAsync("n4", "10.0.0.4", "web", "warn", 80, status: HealthStatus.Warning);
        var answer = await agent.AnswerAsync("web.service.consul", DnsRecordType.A);
        Assert.Equal([Ip("10.0.0.1")], Addresses(answer.Answers));
    }

    [Fact]
    public async Task Srv_targets_additional_addresses_and_node_meta()
    {
        await using var agent = await DnsTestAgent.StartAsync();
        await agent.RegisterAsync("n1", "10.0.0.1", "web", "web1", 8080, meta: Meta);
        await agent.RegisterAsync("n2", "10.0.0.2", "web", "web2", 8081, serviceAddress: "10.0.0.22");
        await agent.RegisterAsync("n3", "10.0.0.3", "web", "web3", 8082, serviceAddress: "web3.example.com");
        await agent.RegisterAsync("n4", "10.0.0.4", "web", "web4", 8083, serviceAddress: "2001:db8::4");

        var response = await agent.AnswerAsync("web.service.consul", DnsRecordType.SRV);
        var srv = response.Answers.Cast<DnsSrvRecord>().ToDictionary(r => r.Port);
        Assert.Equal(4, srv.Count);
        Assert.All(srv.Values, r => Assert.Equal(("web.service.consul", (ushort)1, (ushort)1), (r.Name, r.Priority, r.Weight)));
        Assert.Equal("n1.node.dc1.consul", srv[8080].Target);
        Assert.Equal("0a000016.addr.dc1.consul", srv[8081].Target);
        Assert.Equal("web3.example.com", srv[8082].Target);
        Assert.Equal("20010db8000000000000000000000004.addr.dc1.consul", srv[8083].Target);

        var addresses = response.Additional.OfType<DnsAddressRecord>().ToDictionary(r => r.Name, r => r.Address);
        Assert.Equal(Ip("10.0.0.1"), addresses["n1.node.dc1.consul"]);
        Assert.Equal(Ip("10.0.0.22"), addresses["0a000016.addr.dc1.consul"]);
        Assert.Equal(Ip("2001:db8::4"), addresses["20010db8000000000000000000000004.addr.dc1.consul"]);
        Assert.Equal(3, addresses.Count);
        Assert.DoesNotContain(response.Additional, r => r.Name == "web3.example.com" && r is DnsAddressRecord);

        var txt = response.Additional.OfType<DnsTxtRecord>().ToList();
        Assert.All(txt, r => Assert.Equal("n1.node.dc1.consul", r.Name));
        Assert.Equal(["rack=r1", "v=spf1 -all"], txt.SelectMany(t => t.Text).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Srv_without_node_meta_txt_when_disabled()
    {
        await using var agent = await DnsTestAgent.StartAsync(c => c with { Dns = new DnsSettings { NodeMetaTxt = false } });
        await agent.RegisterAsync("n1", "10.0.0.1", "web", "web1", 8080, meta: Meta);
        var response = await agent.AnswerAsync("web.service.consul", DnsRecordType.SRV);
        Assert.Single(response.Answers);
        Assert.IsType<DnsAddressRecord>(Assert.Single(response.Additional));
    }

    [Fact]
    public async Task Srv_weight_is_the_warning_weight_when_a_check_warns()
    {
        await using var agent = await DnsTestAgent.StartAsync();
        await agent.RegisterAsync("n1", "10.0.0.1", "web", "web1", 8080, weightPassing: 10, weightWarning: 3);
        await agent.RegisterAsync("n2", "10.0.0.2", "web", "web2", 8081, status: HealthStatus.Warning, weightPassing: 10, weightWarning: 3);
        var response = await agent.AnswerAsync("web.service.consul", DnsRecordType.SRV);
        var weights = response.Answers.Cast<DnsSrvRecord>().ToDictionary(r => r.Port, r => r.Weight);
        Assert.Equal(10, weights[8080]);
        Assert.Equal(3, weights[8081]);
    }

    [Fact]
    public async Task A_host_name_address_is_answered_with_a_CNAME()
    {
        await using var agent = await DnsTestAgent.StartAsync();
        await agent.RegisterAsync("n3", "10.0.0.3", "ext", "ext1", 80, serviceAddress: "db.example.com.");
        var response = await agent.AnswerAsync("ext.service.consul", DnsRecordType.A);
        var cname = Assert.IsType<DnsCnameRecord>(Assert.Single(response.Answers));
        Assert.Equal(("ext.service.consul", "db.example.com"), (cname.Name, cname.Target));
    }

    [Fact]
    public async Task Service_ttl_exact_beats_longest_prefix_beats_star_and_node_ttl_applies_to_nodes()
    {
        var ttls = new Dictionary<string, TimeSpan>
        {
            ["*"] = TimeSpan.FromSeconds(30),
            ["web"] = TimeSpan.FromSeconds(10),
            ["we*"] = TimeSpan.FromSeconds(20),
            ["d*"] = TimeSpan.FromSeconds(7),
            ["db-*"] = TimeSpan.FromSeconds(5),
        };
        await using var agent = await DnsTestAgent.StartAsync(c => c with { Dns = new DnsSettings { ServiceTtl = ttls, NodeTtl = TimeSpan.FromSeconds(15) } });
        var expected = new Dictionary<string, uint> { ["web"] = 10, ["webby"] = 20, ["db-main"] = 5, ["dx"] = 7, ["api"] = 30 };
        var i = 0;
        foreach (var name in expected.Keys)
        {
            await agent.RegisterAsync("n1", "10.0.0.1", name, name, 8000 + i++);
        }
        foreach (var (name, ttl) in expected)
        {
            var a = await agent.AnswerAsync($"{name}.service.consul", DnsRecordType.A);
            Assert.True(Assert.Single(a.Answers).Ttl == ttl, $"{name}: expected {ttl}, got {a.Answers[0].Ttl}");
            var srv = await agent.AnswerAsync($"{name}.service.consul", DnsRecordType.SRV);
            Assert.Equal(ttl, Assert.Single(srv.Answers).Ttl);
        }
        var node = await agent.AnswerAsync("n1.node.consul", DnsRecordType.A);
        Assert.Equal(15u, Assert.Single(node.Answers).Ttl);
    }

    [Fact]
    public async Task Service_ttl_defaults_to_zero_without_a_star()
    {
        var ttls = new Dictionary<string, TimeSpan> { ["db*"] = TimeSpan.FromSeconds(5) };
        await using var agent = await DnsTestAgent.StartAsync(c => c with { Dns = new DnsSettings { ServiceTtl = ttls } });
        await agent.RegisterAsync("n1", "10.0.0.1", "web", "web", 80);
        Assert.Equal(0u, Assert.Single((await agent.AnswerAsync("web.service.consul", DnsRecordType.A)).Answers).Ttl);
    }

    [Fact]
    public async Task A_record_limit_caps_address_answers()
    {
        await using var agent = await DnsTestAgent.StartAsync(c => c with { Dns = new DnsSettings { ARecordLimit = 2 } });
        for (var i = 1; i <= 5; i++)
        {
            await agent.RegisterAsync($"n{i}", $"10.0.0.{i}", "web", $"web{i}", 80);
        }
        Assert.Equal(2, (await agent.AnswerAsync("web.service.consul", DnsRecordType.A)).Answers.Count);
        Assert.Equal(5, (await agent.AnswerAsync("web.service.consul", DnsRecordType.SRV)).Answers.Count);
    }

    [Fact]
    public async Task No_a_record_limit_by_default()
    {
        await using var agent = await DnsTestAgent.StartAsync();
        for (var i = 1; i <= 5; i++)
        {
            await agent.RegisterAsync($"n{i}", $"10.0.0.{i}", "web", $"web{i}", 80);
        }
        Assert.Equal(5, (await agent.AnswerAsync("web.service.consul", DnsRecordType.A)).Answers.Count);
    }

    [Fact]
    public async Task NODATA_for_a_type_the_name_does_not_have()
    {
        await using var agent = await DnsTestAgent.StartAsync();
        await agent.RegisterAsync("n1", "10.0.0.1", "web", "web1", 80);
        AssertNoData(await agent.AnswerAsync("web.service.consul", DnsRecordType.AAAA));
        AssertNoData(await agent.AnswerAsync("consul", DnsRecordType.A));
        AssertNoData(await agent.AnswerAsync("0a000001.addr.consul", DnsRecordType.AAAA));
    }

    [Fact]
    public async Task Addr_names_answer_their_address()
    {
        await using var agent = await DnsTestAgent.StartAsync();
        var a = await agent.AnswerAsync("0a000001.addr.dc1.consul", DnsRecordType.A);
        Assert.Equal([Ip("10.0.0.1")], Addresses(a.Answers));
        var aaaa = await agent.AnswerAsync("20010db8000000000000000000000001.addr.consul", DnsRecordType.AAAA);
        Assert.Equal([Ip("2001:db8::1")], Addresses(aaaa.Answers));
    }

    [Fact]
    public async Task Soa_and_ns_at_the_apex_with_soa_fields_from_dns_config()
    {
        var soaSettings = new DnsSoaSettings { Refresh = 11, Retry = 22, Expire = 33, MinTtl = 44 };
        await using var agent = await DnsTestAgent.StartAsync(c => c with { Dns = new DnsSettings { Soa = soaSettings } });
        var before = (uint)DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var response = await agent.AnswerAsync("consul", DnsRecordType.SOA);
        var soa = Assert.IsType<DnsSoaRecord>(Assert.Single(response.Answers));
        Assert.Equal(("consul", 44u, "ns.consul", "hostmaster.consul"), (soa.Name, soa.Ttl, soa.PrimaryServer, soa.Mailbox));
        Assert.Equal((11u, 22u, 33u, 44u), (soa.Refresh, soa.Retry, soa.Expire, soa.MinimumTtl));
        Assert.InRange(soa.Serial, before, before + 60);
        var ns = Assert.IsType<DnsNsRecord>(Assert.Single(response.Authority));
        Assert.Equal(("consul", "me.node.dc1.consul"), (ns.Name, ns.Target));
        var glue = Assert.IsType<DnsAddressRecord>(Assert.Single(response.Additional));
        Assert.Equal(("me.node.dc1.consul", Ip("127.0.0.1")), (glue.Name, glue.Address));

        var nsAnswer = await agent.AnswerAsync("consul", DnsRecordType.NS);
        Assert.Equal("me.node.dc1.consul", Assert.IsType<DnsNsRecord>(Assert.Single(nsAnswer.Answers)).Target);
        Assert.Equal(DnsResponseCode.NoError, nsAnswer.Code);

        // The negative answers carry the same SOA.
        var nx = await agent.AnswerAsync("nope.node.consul", DnsRecordType.A);
        var negative = Assert.IsType<DnsSoaRecord>(Assert.Single(nx.Authority));
        Assert.Equal((44u, 11u, 22u, 33u, 44u), (negative.Ttl, negative.Refresh, negative.Retry, negative.Expire, negative.MinimumTtl));
    }

    [Theory]
    [InlineData("web.service.consul")]
    [InlineData("me.node.consul")]
    [InlineData("nothing.service.consul")]
    public async Task Soa_questions_are_answered_with_the_domain_soa_anywhere_in_the_domain(string name)
    {
        await using var agent = await DnsTestAgent.StartAsync();
        await agent.RegisterAsync("n1", "10.0.0.1", "web", "web1", 80);
        var response = await agent.AnswerAsync(name, DnsRecordType.SOA);
        Assert.Equal(DnsResponseCode.NoError, response.Code);
        Assert.Equal("consul", Assert.IsType<DnsSoaRecord>(Assert.Single(response.Answers)).Name);
    }

    [Fact]
    public async Task Other_opcodes_and_zone_transfers_are_not_implemented()
    {
        await using var agent = await DnsTestAgent.StartAsync();
        Assert.Equal(DnsResponseCode.NotImplemented, (await agent.AskAsync("consul", DnsRecordType.A, opcode: 2))!.Code);
        Assert.Equal(DnsResponseCode.NotImplemented, (await agent.AskAsync("consul", (DnsRecordType)252))!.Code);
        Assert.Equal(DnsResponseCode.NotImplemented, (await agent.AskAsync("consul", (DnsRecordType)251))!.Code);
        Assert.Equal(DnsResponseCode.NotImplemented, (await agent.AskAsync("example.com", DnsRecordType.A, opcode: 1))!.Code);
    }

    [Fact]
    public async Task Chaos_class_is_refused_and_class_any_answered()
    {
        await using var agent = await DnsTestAgent.StartAsync();
        Assert.Equal(DnsResponseCode.Refused, (await agent.AskAsync("me.node.consul", DnsRecordType.A, @class: 3))!.Code);
        var any = await agent.AskAsync("me.node.consul", DnsRecordType.A, @class: 255);
        Assert.Equal(DnsResponseCode.NoError, any!.Code);
        Assert.Single(any.Answers);
    }

    [Fact]
    public async Task Outside_names_are_refused_without_recursors()
    {
        await using var agent = await DnsTestAgent.StartAsync();
        var response = await agent.AskAsync("example.com", DnsRecordType.A);
        Assert.NotNull(response);
        Assert.Equal(DnsResponseCode.Refused, response.Code);
        Assert.Empty(response.Answers);
        Assert.False(response.RecursionAvailable);
        // An address nobody has, without recursors: NXDOMAIN.
        Assert.Equal(DnsResponseCode.NameError, (await agent.AskAsync("9.9.9.9.in-addr.arpa", DnsRecordType.PTR))!.Code);
    }

    [Fact]
    public async Task Outside_names_and_unknown_reverse_names_go_to_the_recursors()
    {
        await using var agent = await DnsTestAgent.StartAsync(c => c with { Recursors = ["127.0.0.1:9"] });
        Assert.Null(await agent.AskAsync("example.com", DnsRecordType.A));
        Assert.Null(await agent.AskAsync("9.9.9.9.in-addr.arpa", DnsRecordType.PTR));
        var inside = await agent.AnswerAsync("me.node.consul", DnsRecordType.A);
        Assert.True(inside.RecursionAvailable);
        Assert.Single(inside.Answers);
    }

    [Fact]
    public async Task Alt_domain_questions_get_alt_domain_names_and_ptr_stays_in_the_primary_domain()
    {
        await using var agent = await DnsTestAgent.StartAsync(c => c with { AltDomain = "alt.example." });
        await agent.RegisterAsync("n1", "10.0.0.1", "web", "web1", 80);
        await agent.RegisterAsync("n2", "10.0.0.2", "web", "web2", 81, serviceAddress: "10.0.0.22");
        var response = await agent.AnswerAsync("web.service.alt.example", DnsRecordType.SRV);
        var targets = response.Answers.Cast<DnsSrvRecord>().Select(r => r.Target).Order(StringComparer.Ordinal);
        Assert.Equal(["0a000016.addr.dc1.alt.example", "n1.node.dc1.alt.example"], targets);
        Assert.All(response.Additional.OfType<DnsAddressRecord>(), r => Assert.EndsWith(".dc1.alt.example", r.Name, StringComparison.Ordinal));

        var nx = await agent.AnswerAsync("nope.service.alt.example", DnsRecordType.A);
        Assert.Equal("alt.example", Assert.IsType<DnsSoaRecord>(Assert.Single(nx.Authority)).Name);

        var ptr = await agent.AnswerAsync("1.0.0.10.in-addr.arpa", DnsRecordType.PTR);
        Assert.Equal("n1.node.dc1.consul", Assert.IsType<DnsPtrRecord>(Assert.Single(ptr.Answers)).Target);
    }

    [Fact]
    public async Task Reverse_lookups_name_the_node_else_the_service()
    {
        await using var agent = await DnsTestAgent.StartAsync();
        await agent.RegisterAsync("n1", "10.0.0.1", "web", "web1", 80);
        await agent.RegisterAsync("n2", "10.0.0.2", "api", "api1", 81, serviceAddress: "10.0.0.22");
        await agent.RegisterAsync("n6", "2001:db8::6");

        var node = await agent.AnswerAsync("1.0.0.10.in-addr.arpa", DnsRecordType.PTR);
        var ptr = Assert.IsType<DnsPtrRecord>(Assert.Single(node.Answers));
        Assert.Equal(("1.0.0.10.in-addr.arpa", "n1.node.dc1.consul"), (ptr.Name, ptr.Target));
        Assert.True(node.Authoritative);

        var service = await agent.AnswerAsync("22.0.0.10.in-addr.arpa", DnsRecordType.PTR);
        Assert.Equal("api.service.dc1.consul", Assert.IsType<DnsPtrRecord>(Assert.Single(service.Answers)).Target);

        var v6Name = string.Join('.', Convert.ToHexStringLower(Ip("2001:db8::6").GetAddressBytes()).Reverse()) + ".ip6.arpa";
        var v6 = await agent.AnswerAsync(v6Name, DnsRecordType.PTR);
        Assert.Equal("n6.node.dc1.consul", Assert.IsType<DnsPtrRecord>(Assert.Single(v6.Answers)).Target);

        Assert.Equal(DnsResponseCode.NameError, (await agent.AnswerAsync("99.0.0.10.in-addr.arpa", DnsRecordType.PTR)).Code);
    }

    [Fact]
    public async Task Instances_are_shuffled_per_question()
    {
        await using var agent = await DnsTestAgent.StartAsync();
        for (var i = 1; i <= 3; i++)
        {
            await agent.RegisterAsync($"n{i}", $"10.0.0.{i}", "web", $"web{i}", 80);
        }
        var aOrders = new HashSet<string>();
        var srvOrders = new HashSet<string>();
        for (var i = 0; i < 200 && (aOrders.Count < 6 || srvOrders.Count < 6); i++)
        {
            var a = await agent.AnswerAsync("web.service.consul", DnsRecordType.A);
            aOrders.Add(string.Join(',', a.Answers.Cast<DnsAddressRecord>().Select(r => r.Address)));
            var srv = await agent.AnswerAsync("web.service.consul", DnsRecordType.SRV);
            srvOrders.Add(string.Join(',', srv.Answers.Cast<DnsSrvRecord>().Select(r => r.Target)));
        }
        Assert.Equal(6, aOrders.Count);
        Assert.Equal(6, srvOrders.Count);
    }

    [Fact]
    public async Task Rfc1035_prefix_and_rfc1464_key_value_in_node_meta_txt()
    {
        await using var agent = await DnsTestAgent.StartAsync();
        await agent.RegisterAsync("n1", "10.0.0.1", meta: new Dictionary<string, string> { ["rfc1035-only"] = "raw value", ["k"] = "a=b" });
        var txt = await agent.AnswerAsync("n1.node.consul", DnsRecordType.TXT);
        Assert.Equal(["k=a=b", "raw value"], txt.Answers.Cast<DnsTxtRecord>().SelectMany(t => t.Text).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Node_meta_txt_follows_consul_rfc1464_encoding()
    {
        // Consul (agent/dns encodeKVasRFC1464, makeTXTRecord): the rfc1035- prefix is matched case-insensitively;
        // backquotes in values are doubled; '=' and backquotes in keys, and leading or trailing spaces, are backquoted.
        await using var agent = await DnsTestAgent.StartAsync();
        await agent.RegisterAsync("n1", "10.0.0.1", meta: new Dictionary<string, string>
        {
            ["RFC1035-Upper"] = "raw",
            ["tick"] = "a`b",
            ["a=b"] = "c",
            ["k`"] = "v",
            [" sp "] = "x",
        });
        var txt = await agent.AnswerAsync("n1.node.consul", DnsRecordType.TXT);
        Assert.Equal(["` sp` =x", "a`=b=c", "k``=v", "raw", "tick=a``b"],
            txt.Answers.Cast<DnsTxtRecord>().SelectMany(t => t.Text).Order(StringComparer.Ordinal));
    }
}
