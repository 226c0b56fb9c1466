namespace Praetor.Integration;

/// <summary>
/// A service with 30 instances. Over UDP without EDNS the answer is cut to `udp_answer_limit` (3);
/// with `dns_config.enable_truncate` the TC flag says so and dig, unless told `+ignore`, asks again
/// over TCP and gets all 30; without it Consul cuts silently. With EDNS the client's advertised
/// size is the limit, and over TCP every instance answers.
/// </summary>
[Trait("Category", "Integration")]
public sealed class DnsTruncationTests(DnsTruncationTests.Agents agents) : IClassFixture<DnsTruncationTests.Agents>
{
    public const int Instances = 30;

    private const int UdpAnswerLimit = 3;

    [DigFact]
    public async Task Udp_without_EDNS_sets_TC_and_answers_at_most_the_udp_answer_limit()
    {
        var dig = await agents.Truncating.DigAsync("big.service.consul", "A", "+noedns", "+ignore");

        Assert.True(dig.Status == "NOERROR", dig.Describe());
        Assert.True(dig.Transport == "UDP", dig.Describe());
        Assert.True(dig.HasFlag("tc"), $"expected the tc flag\n{dig.Describe()}");
        Assert.InRange(dig.AnswerData("A").Count, 1, UdpAnswerLimit);
    }

    [DigFact]
    public async Task Truncated_udp_answer_makes_dig_retry_over_TCP_and_get_every_instance()
    {
        var dig = await agents.Truncating.DigAsync("big.service.consul", "A", "+noedns");

        Assert.True(dig.Status == "NOERROR", dig.Describe());
        Assert.True(dig.RetriedOverTcp && dig.Transport == "TCP", $"expected dig to retry over TCP\n{dig.Describe()}");
        Assert.Equal(Agents.Addresses, dig.AnswerData("A"));
    }

    [DigFact]
    public async Task Udp_with_EDNS_answers_every_instance_that_fits_the_advertised_size()
    {
        // dig advertises 1232 bytes; 30 A records fit, so neither the answer limit nor TC applies.
        var dig = await agents.Truncating.DigAsync("big.service.consul", "A", "+ignore");

        Assert.True(dig.Status == "NOERROR", dig.Describe());
        Assert.True(dig.Transport == "UDP", dig.Describe());
        Assert.False(dig.HasFlag("tc"), dig.Describe());
        Assert.Equal(Agents.Addresses, dig.AnswerData("A"));
    }

    [DigFact]
    public async Task Tcp_answers_every_instance()
    {
        foreach (var agent in new[] { agents.Truncating, agents.Default })
        {
            var dig = await agent.DigAsync("big.service.consul", "A", "+tcp");

            Assert.True(dig.Status == "NOERROR", dig.Describe());
            Assert.True(dig.Transport == "TCP", dig.Describe());
            Assert.False(dig.HasFlag("tc"), dig.Describe());
            Assert.Equal(Agents.Addresses, dig.AnswerData("A"));
        }
    }

    [DigFact]
    public async Task Without_enable_truncate_the_udp_answer_is_cut_silently()
    {
        var dig = await agents.Default.DigAsync("big.service.consul", "A", "+noedns", "+ignore");

        Assert.True(dig.Status == "NOERROR", dig.Describe());
        Assert.False(dig.HasFlag("tc"), $"Consul sets tc only with enable_truncate\n{dig.Describe()}");
        Assert.InRange(dig.AnswerData("A").Count, 1, UdpAnswerLimit);
    }

    /// <summary>`Truncating` with `dns_config { "enable_truncate": true }` and `Default` without; both with `big` on nodes big-01..big-30 (10.2.0.1..30).</summary>
    public sealed class Agents : IAsyncLifetime
    {
        public static readonly IReadOnlyList<string> Addresses =
            [.. Enumerable.Range(1, Instances).Select(static i => $"10.2.0.{i}").Order(StringComparer.Ordinal)];

        private DnsAgent? _truncating;
        private DnsAgent? _default;

        public DnsAgent Truncating => _truncating ?? throw new InvalidOperationException("not started");

        public DnsAgent Default => _default ?? throw new InvalidOperationException("not started");

        public async Task InitializeAsync()
        {
            // The agents read their config files at start; the files need not outlive that.
            using var temp = new TempDirectory();
            var config = temp.Combine("truncate.json");
            File.WriteAllText(config, """{ "dns_config": { "enable_truncate": true } }""");
            var started = await DnsAgent.StartAllAsync(DnsAgent.StartAsync("trunc", "-config-file", config), DnsAgent.StartAsync("notrunc"));
            (_truncating, _default) = (started[0], started[1]);
            foreach (var agent in started)
            {
                for (var i = 1; i <= Instances; i++)
                {
                    await agent.RegisterServiceAsync($"big-{i:D2}", $"10.2.0.{i}", "big", $"big{i}", 80);
                }
            }
        }

        public async Task DisposeAsync()
        {
            if (_truncating is not null)
            {
                await _truncating.DisposeAsync();
            }
            if (_default is not null)
            {
                await _default.DisposeAsync();
            }
        }
    }
}
