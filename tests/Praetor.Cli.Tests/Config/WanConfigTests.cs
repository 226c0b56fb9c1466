using Praetor.Agent;
using Praetor.Agent.Config;

namespace Praetor.Cli.Tests.Config;

/// <summary>The WAN pool's config keys (<c>serf_wan</c>, <c>advertise_addr_wan</c>, <c>retry_join_wan</c>, ...) and their checks.</summary>
public sealed class WanConfigTests
{
    [Fact]
    public void Wan_keys_parse_into_their_settings_and_lists_append_across_files()
    {
        var first = ConfigLoader.LoadJson("a.json", """
            {
              "serf_wan": "10.0.0.7",
              "advertise_addr_wan": "203.0.113.7",
              "retry_join_wan": ["198.51.100.1"],
              "start_join_wan": ["198.51.100.2:8302"],
              "retry_interval_wan": "5s",
              "retry_max_wan": 3,
              "ports": { "serf_wan": 9302 }
            }
            """, new AgentConfig { DevMode = true });
        Assert.True(first.IsValid, string.Join("\n", first.Problems));
        var second = ConfigLoader.LoadJson("b.json", """{ "retry_join_wan": ["198.51.100.3"] }""", first.Config);
        Assert.True(second.IsValid, string.Join("\n", second.Problems));
        var config = second.Config;

        Assert.Equal("10.0.0.7", config.SerfWanBindAddr);
        Assert.Equal("203.0.113.7", config.AdvertiseAddrWan);
        Assert.Equal("203.0.113.7", config.AdvertiseAddressWan);
        Assert.Equal(["198.51.100.1", "198.51.100.3"], config.RetryJoinWan);
        Assert.Equal(["198.51.100.2:8302"], config.StartJoinWan);
        Assert.Equal(TimeSpan.FromSeconds(5), config.RetryIntervalWan);
        Assert.Equal(3, config.RetryMaxWan);
        Assert.Equal(9302, config.SerfWanPort);
        Assert.Empty(config.ValidateSettings());
    }

    [Fact]
    public void Wan_defaults_are_consuls()
    {
        var config = new AgentConfig { AdvertiseAddr = "192.0.2.1" };
        Assert.Null(config.SerfWanBindAddr);
        Assert.Equal("192.0.2.1", config.AdvertiseAddressWan);
        Assert.Empty(config.RetryJoinWan);
        Assert.Empty(config.StartJoinWan);
        Assert.Equal(TimeSpan.FromSeconds(30), config.RetryIntervalWan);
        Assert.Equal(0, config.RetryMaxWan);
        Assert.False(config.RunsWanPool);
        Assert.True((config with { DevMode = true }).RunsWanPool);
        Assert.True((config with { Server = true }).RunsWanPool);
        Assert.False((config with { Server = true, SerfWanPort = AgentConfig.PortDisabled }).RunsWanPool);
    }

    [Theory]
    [InlineData("""{ "serf_wan": "eth0" }""", "bad.json: serf_wan: \"eth0\" is not an IP address")]
    [InlineData("""{ "advertise_addr_wan": "wan.example" }""", "bad.json: advertise_addr_wan: \"wan.example\" is not an IP address")]
    [InlineData("""{ "retry_max_wan": -1 }""", "bad.json: retry_max_wan: ")]
    [InlineData("""{ "retry_interval_wan": "soon" }""", "bad.json: retry_interval_wan: ")]
    [InlineData("""{ "retry_join_wan": "198.51.100.1" }""", "bad.json: retry_join_wan: ")]
    [InlineData("""{ "start_join_wan": [7] }""", "bad.json: start_join_wan[0]: ")]
    public void Bad_wan_values_are_named_with_file_and_key(string json, string expected)
    {
        var result = ConfigLoader.LoadJson("bad.json", json);
        Assert.False(result.IsValid);
        Assert.StartsWith(expected, Assert.Single(result.Problems).ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Settings_made_in_code_are_checked_too()
    {
        var problems = new AgentConfig { DevMode = true, SerfWanBindAddr = "x", AdvertiseAddrWan = "y", RetryIntervalWan = TimeSpan.Zero, RetryMaxWan = -2 }.ValidateSettings();
        Assert.Equal(
            [
                "advertise_addr_wan: \"y\" is not an IP address",
                "serf_wan: \"x\" is not an IP address",
                "retry_interval_wan: must be positive",
                "retry_max_wan: must not be negative",
            ],
            problems);
    }
}
