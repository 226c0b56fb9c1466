namespace Praetor.Integration;

/// <summary>
/// Health filtering of service answers: an instance with a critical check, its own or its node's, is
/// left out, and comes back once the check passes again, whether the check is a TTL check the agent
/// runs (changed through `/v1/agent/check/pass|fail`) or a catalog check (changed by registering it
/// again). Warning instances answer, unless `dns_config.only_passing` is set. Every change is
/// waited for under a deadline.
/// </summary>
[Trait("Category", "Integration")]
public sealed class DnsHealthTests(DnsHealthTests.Agents agents) : IClassFixture<DnsHealthTests.Agents>
{
    [DigFact]
    public async Task Ttl_check_through_the_agent_API_adds_and_removes_the_instance()
    {
        var agent = agents.Default;
        // A TTL check starts critical, so the agent's api instance is not in the answer yet.
        await agent.WaitForDigAsync(static d => d.Status is not null && d.AnswerData("A").Count == 0, "api left out while its TTL check is critical", "api.service.consul", "A");

        await agent.PutAsync("v1/agent/check/pass/service:api");
        await agent.WaitForDigAsync(static d => Addresses(d, "127.0.0.1"), "api answered once its TTL check passes", "api.service.consul", "A");

        await agent.PutAsync("v1/agent/check/fail/service:api");
        await agent.WaitForDigAsync(static d => d.Status is not null && d.AnswerData("A").Count == 0, "api left out once its TTL check fails", "api.service.consul", "A");

        await agent.PutAsync("v1/agent/check/pass/service:api");
        await agent.WaitForDigAsync(static d => Addresses(d, "127.0.0.1"), "api answered again once its TTL check passes again", "api.service.consul", "A");
    }

    [DigFact]
    public async Task Catalog_service_check_critical_then_passing_again()
    {
        var agent = agents.Default;
        await agent.RegisterServiceAsync("c1", "10.3.0.1", "cat", "cat1", 80);
        await agent.RegisterServiceAsync("c2", "10.3.0.2", "cat", "cat2", 80);
        await agent.WaitForDigAsync(static d => Addresses(d, "10.3.0.1", "10.3.0.2"), "both cat instances answered while passing", "cat.service.consul", "A");

        await agent.SetServiceCheckAsync("c2", "10.3.0.2", "cat2", "critical");
        await agent.WaitForDigAsync(static d => Addresses(d, "10.3.0.1"), "cat2 left out once its check is critical", "cat.service.consul", "A");

        await agent.SetServiceCheckAsync("c2", "10.3.0.2", "cat2", "passing");
        await agent.WaitForDigAsync(static d => Addresses(d, "10.3.0.1", "10.3.0.2"), "cat2 answered again once its check passes", "cat.service.consul", "A");
    }

    [DigFact]
    public async Task Critical_node_check_leaves_out_the_nodes_instances()
    {
        var agent = agents.Default;
        await agent.RegisterServiceAsync("na", "10.5.0.1", "nodey", "nodey-a", 80);
        await agent.RegisterServiceAsync("nb", "10.5.0.2", "nodey", "nodey-b", 80);
        await agent.WaitForDigAsync(static d => Addresses(d, "10.5.0.1", "10.5.0.2"), "both nodey instances answered", "nodey.service.consul", "A");

        await agent.RegisterAsync(NodeCheck("critical"));
        await agent.WaitForDigAsync(static d => Addresses(d, "10.5.0.1"), "nb's instance left out once its node check is critical", "nodey.service.consul", "A");

        await agent.RegisterAsync(NodeCheck("passing"));
        await agent.WaitForDigAsync(static d => Addresses(d, "10.5.0.1", "10.5.0.2"), "nb's instance answered again once its node check passes", "nodey.service.consul", "A");

        static object NodeCheck(string status) =>
            new { Node = "nb", Address = "10.5.0.2", Check = new { CheckID = "nb-node-check", Name = "nb node check", Status = status } };
    }

    [DigFact]
    public async Task Warning_instances_answer_by_default_but_not_with_only_passing()
    {
        foreach (var agent in new[] { agents.Default, agents.OnlyPassing })
        {
            await agent.RegisterServiceAsync("w1", "10.4.0.1", "warm", "warm1", 80);
            await agent.RegisterServiceAsync("w2", "10.4.0.2", "warm", "warm2", 80, status: "warning");
        }

        await agents.Default.WaitForDigAsync(static d => Addresses(d, "10.4.0.1", "10.4.0.2"), "the warning instance answered by default", "warm.service.consul", "A");
        await agents.OnlyPassing.WaitForDigAsync(static d => Addresses(d, "10.4.0.1"), "the warning instance left out with only_passing", "warm.service.consul", "A");
    }

    private static bool Addresses(DigResult dig, params string[] addresses) =>
        dig.Status == "NOERROR" && dig.AnswerData("A").SequenceEqual(addresses, StringComparer.Ordinal);

    /// <summary>
    /// Two agents: `Default` with the service `api` (port 7000, a TTL check, from a config file), and
    /// `OnlyPassing` with `dns_config { "only_passing": true }`.
    /// </summary>
    public sealed class Agents : IAsyncLifetime
    {
        private DnsAgent? _default;
        private DnsAgent? _onlyPassing;

        public DnsAgent Default => _default ?? throw new InvalidOperationException("not started");

        public DnsAgent OnlyPassing => _onlyPassing ?? throw new InvalidOperationException("not started");

        public async Task InitializeAsync()
        {
            // The agents read their config files at start; the files need not outlive that.
            using var temp = new TempDirectory();
            var api = temp.Combine("api.json");
            File.WriteAllText(api, """{ "service": { "name": "api", "port": 7000, "check": { "ttl": "10m" } } }""");
            var onlyPassing = temp.Combine("only-passing.json");
            File.WriteAllText(onlyPassing, """{ "dns_config": { "only_passing": true } }""");
            var started = await DnsAgent.StartAllAsync(DnsAgent.StartAsync("hnode", "-config-file", api), DnsAgent.StartAsync("pnode", "-config-file", onlyPassing));
            (_default, _onlyPassing) = (started[0], started[1]);
        }

        public async Task DisposeAsync()
        {
            if (_default is not null)
            {
                await _default.DisposeAsync();
            }
            if (_onlyPassing is not null)
            {
                await _onlyPassing.DisposeAsync();
            }
        }
    }
}
