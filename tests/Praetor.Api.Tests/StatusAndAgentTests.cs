using System.Text.Json;

namespace Praetor.Api.Tests;

public sealed class StatusAndAgentTests : AgentFixture
{
    [Fact]
    public async Task Leader_and_peers_name_this_server()
    {
        var leader = JsonSerializer.Deserialize<string>(await Http.GetStringAsync("/v1/status/leader"));
        Assert.Equal("127.0.0.1:8300", leader);
        Assert.Equal("[\"127.0.0.1:8300\"]", await Http.GetStringAsync("/v1/status/peers"));
    }

    [Fact]
    public async Task Agent_self_has_what_clients_read_first()
    {
        using var doc = JsonDocument.Parse(await Http.GetStringAsync("/v1/agent/self"));
        var config = doc.RootElement.GetProperty("Config");
        Assert.Equal("dc1", config.GetProperty("Datacenter").GetString());
        Assert.Equal("test-node", config.GetProperty("NodeName").GetString());
        Assert.True(Guid.TryParse(config.GetProperty("NodeID").GetString(), out _));
        Assert.True(config.GetProperty("Server").GetBoolean());
        Assert.Matches(@"^\d+\.\d+\.\d+$", config.GetProperty("Version").GetString());
        Assert.Equal(Praetor.Agent.BuildInfo.ConsulVersion, config.GetProperty("Version").GetString());
        Assert.Equal(Praetor.Agent.BuildInfo.PraetorVersion, config.GetProperty("PraetorVersion").GetString());
        // Consul's default since 0.8: remote exec disabled; `praetor exec` reads it to explain a run nobody acknowledged.
        Assert.True(doc.RootElement.GetProperty("DebugConfig").GetProperty("DisableRemoteExec").GetBoolean());
        var member = doc.RootElement.GetProperty("Member");
        Assert.Equal("test-node", member.GetProperty("Name").GetString());
        Assert.Equal("127.0.0.1", member.GetProperty("Addr").GetString());
        Assert.Equal("consul", member.GetProperty("Tags").GetProperty("role").GetString());
        Assert.Equal(1, member.GetProperty("Status").GetInt32());
    }

    [Fact]
    public async Task Pretty_output_is_indented_by_four_and_ends_with_a_newline()
    {
        var body = await Http.GetStringAsync("/v1/status/peers?pretty");
        Assert.Equal("[\n    \"127.0.0.1:8300\"\n]\n", body);
    }

    [Fact]
    public async Task Root_answers_like_a_consul_agent()
    {
        Assert.Equal("Consul Agent", await Http.GetStringAsync("/"));
    }
}

public sealed class AgentSelfMetaTests : AgentFixture
{
    protected override Praetor.Agent.AgentConfig Config => base.Config with { NodeMeta = new Dictionary<string, string> { ["rack"] = "rack-1" } };

    [Fact]
    public async Task Agent_self_meta_is_the_node_meta()
    {
        using var doc = JsonDocument.Parse(await Http.GetStringAsync("/v1/agent/self"));
        Assert.Equal("rack-1", doc.RootElement.GetProperty("Meta").GetProperty("rack").GetString());
    }
}
