namespace Praetor.Integration;

/// <summary>`praetor kv put/get` as separate processes against a running agent, addressed by flag and by environment.</summary>
[Trait("Category", "Integration")]
public sealed class KvCliTests
{
    private static readonly TimeSpan CommandDeadline = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Kv_put_then_get_with_http_addr_flag(bool withScheme)
    {
        await using var agent = await AgentProcess.StartDevAsync();
        var addr = withScheme ? $"-http-addr=http://{agent.HttpAddr}" : $"-http-addr={agent.HttpAddr}";

        var put = await PraetorExecutable.RunAsync(["kv", "put", addr, "a", "b"], CommandDeadline);
        var get = await PraetorExecutable.RunAsync(["kv", "get", addr, "a"], CommandDeadline);

        AssertPutThenGet(agent, put, get);
    }

    [Fact]
    public async Task Kv_put_then_get_with_CONSUL_HTTP_ADDR()
    {
        await using var agent = await AgentProcess.StartDevAsync();
        var environment = new Dictionary<string, string> { ["CONSUL_HTTP_ADDR"] = agent.HttpAddr };

        var put = await PraetorExecutable.RunAsync(["kv", "put", "a", "b"], CommandDeadline, environment);
        var get = await PraetorExecutable.RunAsync(["kv", "get", "a"], CommandDeadline, environment);

        AssertPutThenGet(agent, put, get);
    }

    [Fact]
    public async Task Kv_get_of_a_missing_key_exits_1_naming_it()
    {
        await using var agent = await AgentProcess.StartDevAsync();

        var get = await PraetorExecutable.RunAsync(["kv", "get", $"-http-addr={agent.HttpAddr}", "missing"], CommandDeadline);

        Assert.True(get.ExitCode == 1, $"kv get of a missing key\n{get.Output}");
        Assert.Contains("Error! No key exists at: missing", get.StandardError, StringComparison.Ordinal);
    }

    private static void AssertPutThenGet(AgentProcess agent, ChildProcessResult put, ChildProcessResult get)
    {
        Assert.True(put.ExitCode == 0, $"kv put a b\n{put.Output}\n--- agent ---\n{agent.Process.Output}");
        Assert.Equal("Success! Data written to: a\n", put.StandardOutput);
        Assert.True(get.ExitCode == 0, $"kv get a\n{get.Output}\n--- agent ---\n{agent.Process.Output}");
        Assert.Equal("b\n", get.StandardOutput);
    }
}
