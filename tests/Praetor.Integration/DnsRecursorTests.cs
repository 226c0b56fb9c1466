using System.Diagnostics;

namespace Praetor.Integration;

/// <summary>
/// Names outside the domain: with `-recursor 127.0.0.1:PORT` the agent asks that server (a stub of
/// the test's own) and relays its answer, with the RA flag; a recursor that never answers yields
/// SERVFAIL within a few seconds (recursor_timeout 2s); with no recursor the query is REFUSED.
/// </summary>
[Trait("Category", "Integration")]
public sealed class DnsRecursorTests(DnsRecursorTests.Agents agents) : IClassFixture<DnsRecursorTests.Agents>
{
    /// <summary>recursor_timeout (2 s) plus room for a busy machine; dig itself waits longer (+time=10).</summary>
    private static readonly TimeSpan ServfailDeadline = TimeSpan.FromSeconds(8);

    [DigFact]
    public async Task Outside_name_is_answered_by_the_recursor_with_RA()
    {
        var before = agents.Recursor.Queries;

        var dig = await agents.Forwarding.DigAsync(DnsStubRecursor.ExampleOrg, "A");

        Assert.True(dig.Status == "NOERROR", dig.Describe());
        Assert.True(dig.HasFlag("ra"), $"expected the ra flag\n{dig.Describe()}");
        var record = Assert.Single(dig.Answer);
        Assert.Equal(new DigRecord(DnsStubRecursor.ExampleOrg, DnsStubRecursor.ExampleOrgTtlSeconds, "IN", "A", DnsStubRecursor.ExampleOrgAddress.ToString()), record);
        Assert.True(agents.Recursor.Queries > before, "the stub recursor was never asked");
    }

    [DigFact]
    public async Task Recursors_NXDOMAIN_is_relayed()
    {
        var dig = await agents.Forwarding.DigAsync("nosuch.example.org", "A");

        Assert.True(dig.Status == "NXDOMAIN", dig.Describe());
        Assert.Empty(dig.Answer);
    }

    [DigFact]
    public async Task Names_in_the_domain_are_still_answered_locally_with_RA()
    {
        var before = agents.Recursor.Queries;

        var dig = await agents.Forwarding.DigAsync("fwd.node.consul", "A");

        Assert.True(dig.Status == "NOERROR", dig.Describe());
        Assert.True(dig.HasFlag("ra"), $"RA is set whenever recursors are configured\n{dig.Describe()}");
        Assert.Equal(["127.0.0.1"], dig.AnswerData("A"));
        Assert.Equal(before, agents.Recursor.Queries);
    }

    [DigFact]
    public async Task Silent_recursor_gives_SERVFAIL_within_a_few_seconds()
    {
        var started = Stopwatch.StartNew();

        var dig = await agents.TimingOut.DigAsync(DnsStubRecursor.ExampleOrg, "A", "+time=10");

        Assert.True(dig.Status == "SERVFAIL", dig.Describe());
        Assert.True(started.Elapsed < ServfailDeadline, $"SERVFAIL took {started.Elapsed}\n{dig.Describe()}");
        Assert.True(agents.Silent.Queries > 0, "the silent recursor was never asked");
    }

    [DigFact]
    public async Task Without_recursors_an_outside_name_is_REFUSED_without_RA()
    {
        var dig = await agents.NoRecursor.DigAsync(DnsStubRecursor.ExampleOrg, "A");

        Assert.True(dig.Status == "REFUSED", dig.Describe());
        Assert.Empty(dig.Answer);
        Assert.False(dig.HasFlag("ra"), $"RA without recursors\n{dig.Describe()}");
    }

    /// <summary>
    /// The answering stub <see cref="Recursor"/> and the <see cref="Silent"/> one, and three agents:
    /// `Forwarding` (-recursor to the stub), `TimingOut` (-recursor to the silent one), `NoRecursor`.
    /// </summary>
    public sealed class Agents : IAsyncLifetime
    {
        private DnsAgent[] _agents = [];

        public DnsStubRecursor Recursor { get; } = DnsStubRecursor.StartAnswering();

        public DnsStubRecursor Silent { get; } = DnsStubRecursor.StartSilent();

        public DnsAgent Forwarding => _agents[0];

        public DnsAgent TimingOut => _agents[1];

        public DnsAgent NoRecursor => _agents[2];

        public async Task InitializeAsync() =>
            _agents = await DnsAgent.StartAllAsync(
                DnsAgent.StartAsync("fwd", "-recursor", Recursor.Address),
                DnsAgent.StartAsync("blackhole", "-recursor", Silent.Address),
                DnsAgent.StartAsync("norecursor"));

        public async Task DisposeAsync()
        {
            foreach (var agent in _agents)
            {
                await agent.DisposeAsync();
            }
            await Recursor.DisposeAsync();
            await Silent.DisposeAsync();
        }
    }
}
