using Praetor.Agent;
using Praetor.Api;
using Praetor.Client;

namespace Praetor.Cli.Tests;

/// <summary>A dev agent on a free loopback port, and the CLI pointed at it through CONSUL_HTTP_ADDR; one per test.</summary>
public abstract class CliAgentFixture : IAsyncLifetime
{
    private AgentHost? _host;

    protected AgentHost Host => _host ?? throw new InvalidOperationException("not started");

    /// <summary>host:port, without a scheme, as users usually set CONSUL_HTTP_ADDR.</summary>
    protected string Address => Host.HttpAddress.Authority;

    protected PraetorClient Client { get; private set; } = null!;

    protected Dictionary<string, string> Environment { get; } = new(StringComparer.Ordinal);

    /// <summary>The agent's settings: a dev server named cli-test without gossip pools (only itself).</summary>
    protected virtual AgentConfig Config => new() { DevMode = true, Server = true, HttpPort = 0, DnsPort = AgentConfig.PortDisabled, SerfLanPort = AgentConfig.PortDisabled, SerfWanPort = AgentConfig.PortDisabled, NodeName = "cli-test" };

    public async Task InitializeAsync()
    {
        _host = await AgentHost.StartAsync(Config);
        Environment["CONSUL_HTTP_ADDR"] = Address;
        Client = new PraetorClient(new PraetorClientConfig { Address = Address });
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
    }

    protected Task<CliRun> RunAsync(params string[] args) => CliRun.RunAsync(Environment, string.Empty, args);

    protected Task<CliRun> RunWithStdinAsync(string stdin, params string[] args) => CliRun.RunAsync(Environment, stdin, args);

    protected async Task PutAsync(string key, string value, ulong flags = 0) =>
        Assert.True(await Client.Kv.PutAsync(key, System.Text.Encoding.UTF8.GetBytes(value), flags));

    protected async Task<string?> ValueAsync(string key)
    {
        var entry = (await Client.Kv.GetAsync(key)).Response;
        return entry is null ? null : System.Text.Encoding.UTF8.GetString(entry.Value ?? []);
    }

    /// <summary>A loopback port nothing listens on.</summary>
    protected static int ClosedPort()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
