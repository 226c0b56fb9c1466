using Praetor.Agent;
using Praetor.Agent.Config;
using Praetor.Agent.Gossip;

namespace Praetor.Cli.Tests.Config;

/// <summary>Consul's <c>gossip_lan</c> / <c>gossip_wan</c> keys: set over the pool's defaults (and -dev's), checked with file and key.</summary>
public sealed class GossipConfigTests
{
    [Fact]
    public void Gossip_keys_set_the_pools_memberlist_parameters_over_the_defaults()
    {
        var result = ConfigLoader.LoadJson("g.json", """
            {
              "gossip_lan": { "gossip_nodes": 4, "gossip_interval": "150ms", "probe_interval": "2s", "probe_timeout": "300ms", "retransmit_mult": 5, "suspicion_mult": 6 },
              "gossip_wan": { "probe_interval": "7s" }
            }
            """, new AgentConfig());
        Assert.True(result.IsValid, string.Join("\n", result.Problems));

        var lan = GossipPool.Options(GossipArea.Lan, result.Config);
        var wan = GossipPool.Options(GossipArea.Wan, result.Config);

        Assert.Equal((4, TimeSpan.FromMilliseconds(150), TimeSpan.FromSeconds(2), TimeSpan.FromMilliseconds(300), 5, 6),
            (lan.GossipNodes, lan.GossipInterval, lan.ProbeInterval, lan.ProbeTimeout, lan.RetransmitMult, lan.SuspicionMult));
        // Keys not given keep Consul's gossip_wan defaults.
        Assert.Equal((4, TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(7), TimeSpan.FromSeconds(3), 4, 6),
            (wan.GossipNodes, wan.GossipInterval, wan.ProbeInterval, wan.ProbeTimeout, wan.RetransmitMult, wan.SuspicionMult));
    }

    [Fact]
    public void In_dev_mode_the_keys_override_the_fast_dev_timings()
    {
        var config = new AgentConfig { DevMode = true, GossipLan = new GossipSettings { ProbeInterval = TimeSpan.FromSeconds(1), ProbeTimeout = TimeSpan.FromMilliseconds(200) } };

        var lan = GossipPool.Options(GossipArea.Lan, config);

        Assert.Equal((TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(200), 3),
            (lan.GossipInterval, lan.ProbeInterval, lan.ProbeTimeout, lan.SuspicionMult));
    }

    [Theory]
    [InlineData("""{ "gossip_lan": { "probe_interval": "soon" } }""", "bad.json: gossip_lan.probe_interval: ")]
    [InlineData("""{ "gossip_lan": { "retransmit_mult": 0 } }""", "bad.json: gossip_lan.retransmit_mult: ")]
    [InlineData("""{ "gossip_wan": { "gossip_nodes": -1 } }""", "bad.json: gossip_wan.gossip_nodes: ")]
    [InlineData("""{ "gossip_wan": { "probe_intervall": "1s" } }""", "bad.json: gossip_wan.probe_intervall: ")]
    [InlineData("""{ "gossip_lan": 3 }""", "bad.json: gossip_lan: ")]
    public void Bad_gossip_values_are_named_with_file_and_key(string json, string expected)
    {
        var result = ConfigLoader.LoadJson("bad.json", json);
        Assert.False(result.IsValid);
        Assert.StartsWith(expected, Assert.Single(result.Problems).ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_probe_timeout_not_shorter_than_the_probe_interval_is_a_problem_of_the_pool_it_belongs_to()
    {
        var problems = new AgentConfig { DevMode = true, GossipWan = new GossipSettings { ProbeTimeout = TimeSpan.FromSeconds(9) } }.ValidateSettings();

        var problem = Assert.Single(problems);
        Assert.StartsWith("gossip_wan: ProbeTimeout", problem, StringComparison.Ordinal);
        Assert.Contains("must be shorter than ProbeInterval", problem, StringComparison.Ordinal);
    }
}
