using Praetor.Agent;
using Praetor.Api;

namespace Praetor.Cli.Tests.Commands;

/// <summary><c>praetor keyring</c> against a dev agent whose real LAN pool is encrypted (a pool of one).</summary>
public sealed class KeyringCommandTests : IAsyncLifetime
{
    private static readonly string Key1 = Convert.ToBase64String(Enumerable.Repeat((byte)3, 32).ToArray());
    private static readonly string Key2 = Convert.ToBase64String(Enumerable.Repeat((byte)4, 32).ToArray());
    private readonly Dictionary<string, string> _environment = new(StringComparer.Ordinal);
    private AgentHost? _host;

    public async Task InitializeAsync()
    {
        _host = await AgentHost.StartAsync(new AgentConfig
        {
            DevMode = true, Server = true, HttpPort = 0, DnsPort = AgentConfig.PortDisabled, SerfLanPort = 0, SerfWanPort = AgentConfig.PortDisabled, BindAddr = "127.0.0.1",
            NodeName = "keyring-test", Encrypt = Key1,
        });
        _environment["CONSUL_HTTP_ADDR"] = _host.HttpAddress.Authority;
    }

    public async Task DisposeAsync()
    {
        if (_host is not null) await _host.DisposeAsync();
    }

    private Task<CliRun> RunAsync(params string[] args) => CliRun.RunAsync(_environment, string.Empty, ["keyring", .. args]);

    [Fact]
    public async Task List_prints_consuls_lines_per_pool_and_key()
    {
        var run = await RunAsync("-list");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal($"==> Gathering installed encryption keys...\n\ndc1 (LAN):\n  {Key1} [1/1]\n", run.Stdout);
    }

    [Fact]
    public async Task Install_use_and_remove_rotate_the_key_and_list_primary_shows_it()
    {
        var install = await RunAsync("-install", Key2);
        Assert.True(install.ExitCode == 0, install.ToString());
        Assert.Equal("==> Installing new gossip encryption key...\n", install.Stdout);

        var use = await RunAsync("-use", Key2);
        Assert.True(use.ExitCode == 0, use.ToString());
        Assert.Equal("==> Changing primary gossip encryption key...\n", use.Stdout);

        var primary = await RunAsync("-list-primary");
        Assert.Equal($"==> Gathering installed primary encryption keys...\n\ndc1 (LAN):\n  {Key2} [1/1]\n", primary.Stdout);

        var remove = await RunAsync("-remove", Key1);
        Assert.True(remove.ExitCode == 0, remove.ToString());
        Assert.Equal("==> Removing gossip encryption key...\n", remove.Stdout);
        Assert.Equal($"==> Gathering installed encryption keys...\n\ndc1 (LAN):\n  {Key2} [1/1]\n", (await RunAsync("-list")).Stdout);
    }

    [Fact]
    public async Task A_node_that_refuses_is_an_error_with_its_message_and_exit_1()
    {
        var run = await RunAsync("-remove", Key1);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("error: Unexpected response code: 500", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("dc1 (LAN) error: 1/1 nodes reported failure", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("keyring-test: Removing the primary key is not allowed", run.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "-list", "-install", "AAAAAAAAAAAAAAAAAAAAAA==" }, "Only a single action is allowed")]
    [InlineData(new[] { "-list", "-list-primary" }, "Only a single action is allowed")]
    [InlineData(new string[0], "Usage: praetor keyring [options]")]
    [InlineData(new[] { "-list", "-relay-factor=9" }, "Relay factor must be in range: [0, 5]")]
    [InlineData(new[] { "-install", "AAAAAAAAAAAAAAAAAAAAAA==", "-local-only" }, "local-only can only be set for list requests")]
    [InlineData(new[] { "-install", "not-base64" }, "Invalid key: not base64")]
    public async Task Anything_but_one_valid_action_is_an_error(string[] args, string message)
    {
        var run = await RunAsync(args);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains(message, run.Stderr, StringComparison.Ordinal);
    }
}
