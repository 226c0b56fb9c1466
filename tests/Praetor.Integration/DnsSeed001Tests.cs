namespace Praetor.Integration;

/// <summary>
/// Seed 001 (GREE Advent Calendar 2014, "オーケストレーション入門"): the blog's DNS config file
/// `{ "ports": { "dns": 53 }, "recursor": "8.8.8.8" }` (with a free port for 53 and the test's stub
/// for 8.8.8.8), its cluster's `lb` and `db` services, and its two lookups:
/// `dig @127.0.0.1 -p 53 lb.service.consul. ANY` and `dig @127.0.0.1 -p 53 slave.db.service.consul. ANY`,
/// a failing slave dropping out of the answer, and the recursor answering a name outside Consul.
/// </summary>
[Trait("Category", "Integration")]
public sealed class DnsSeed001Tests(DnsSeed001Tests.Cluster cluster) : IClassFixture<DnsSeed001Tests.Cluster>
{
    private readonly DnsAgent _agent = cluster.Dns;

    [DigFact]
    public async Task Lb_service_answers_both_load_balancers()
    {
        var dig = await _agent.DigAsync("lb.service.consul.", "ANY");

        Assert.True(dig.Status == "NOERROR", dig.Describe());
        Assert.Equal(["192.168.33.11", "192.168.33.12"], dig.AnswerData("A"));
        Assert.All(dig.Answer, static r => Assert.Equal("lb.service.consul.", r.Name));
    }

    [DigFact]
    public async Task Lb_service_plain_dig_answers_A()
    {
        var dig = await _agent.DigAsync("lb.service.consul");

        Assert.True(dig.Status == "NOERROR", dig.Describe());
        Assert.Equal(["192.168.33.11", "192.168.33.12"], dig.AnswerData("A"));
    }

    [DigFact]
    public async Task Slave_db_answers_the_slaves_not_the_master()
    {
        var dig = await _agent.DigAsync("slave.db.service.consul.", "ANY");

        Assert.True(dig.Status == "NOERROR", dig.Describe());
        Assert.Equal(["192.168.33.32", "192.168.33.33"], dig.AnswerData("A"));
        Assert.All(dig.Answer, static r => Assert.Equal("slave.db.service.consul.", r.Name));
    }

    [DigFact]
    public async Task A_failing_slave_drops_out_of_the_answer_and_comes_back()
    {
        // "Slaveに障害が起きた場合はDNSによる名前解決の対象から自動で外れ"
        await _agent.SetServiceCheckAsync("db-3", "192.168.33.33", "db3", "critical");
        await _agent.WaitForDigAsync(static d => d.Status == "NOERROR" && d.AnswerData("A").SequenceEqual(["192.168.33.32"]),
            "the failing slave left out", "slave.db.service.consul", "A");

        await _agent.SetServiceCheckAsync("db-3", "192.168.33.33", "db3", "passing");
        await _agent.WaitForDigAsync(static d => d.Status == "NOERROR" && d.AnswerData("A").SequenceEqual(["192.168.33.32", "192.168.33.33"]),
            "the slave answered again once it passes", "slave.db.service.consul", "A");
    }

    [DigFact]
    public async Task The_config_files_recursor_answers_names_outside_consul()
    {
        var dig = await _agent.DigAsync(DnsStubRecursor.ExampleOrg, "A");

        Assert.True(dig.Status == "NOERROR", dig.Describe());
        Assert.Equal([DnsStubRecursor.ExampleOrgAddress.ToString()], dig.AnswerData("A"));
    }

    /// <summary>
    /// The seed's agent (its DNS port and recursor from the blog's config file in `-config-dir`) and
    /// its cluster in the catalog: lb-1/lb-2 (192.168.33.11/12) running `lb`; db-1 (.31) `db` tagged
    /// master, db-2 (.32) and db-3 (.33) `db` tagged slave.
    /// </summary>
    public sealed class Cluster : IAsyncLifetime
    {
        private DnsAgent? _dns;

        public DnsStubRecursor Recursor { get; } = DnsStubRecursor.StartAnswering();

        public DnsAgent Dns => _dns ?? throw new InvalidOperationException("not started");

        public async Task InitializeAsync()
        {
            // The agents read their config files at start; the files need not outlive that.
            using var temp = new TempDirectory();
            var configDir = temp.CreateSubdirectory("consul.d");
            _dns = await DnsAgent.StartAsync("seed001", port =>
            {
                TempDirectory.WriteAtomically(Path.Combine(configDir, "dns.json"),
                    $$"""{ "ports": { "dns": {{port}} }, "recursor": "{{Recursor.Address}}" }""");
                return [$"-config-dir={configDir}"];
            });
            await _dns.RegisterServiceAsync("lb-1", "192.168.33.11", "lb", "lb1", 80);
            await _dns.RegisterServiceAsync("lb-2", "192.168.33.12", "lb", "lb2", 80);
            await _dns.RegisterServiceAsync("db-1", "192.168.33.31", "db", "db1", 3306, tags: ["master"]);
            await _dns.RegisterServiceAsync("db-2", "192.168.33.32", "db", "db2", 3306, tags: ["slave"]);
            await _dns.RegisterServiceAsync("db-3", "192.168.33.33", "db", "db3", 3306, tags: ["slave"]);
        }

        public async Task DisposeAsync()
        {
            if (_dns is not null)
            {
                await _dns.DisposeAsync();
            }
            await Recursor.DisposeAsync();
        }
    }
}
