using System.Net.Http.Headers;
using System.Text;
using Praetor.Agent;

namespace Praetor.Api.Tests;

/// <summary>A dev agent with its HTTP API on a free loopback port, and a client for it; one per test.</summary>
public abstract class AgentFixture : IAsyncLifetime
{
    private AgentHost? _host;

    protected AgentHost Host => _host ?? throw new InvalidOperationException("not started");

    protected HttpClient Http { get; private set; } = null!;

    protected virtual AgentConfig Config => new() { DevMode = true, Server = true, HttpPort = 0, DnsPort = AgentConfig.PortDisabled, SerfLanPort = AgentConfig.PortDisabled, SerfWanPort = AgentConfig.PortDisabled, NodeName = "test-node" };

    /// <summary>How the agent starts (its clock...); the defaults unless a test class says otherwise.</summary>
    protected virtual AgentStartOptions Options => new();

    public async Task InitializeAsync()
    {
        _host = await AgentHost.StartAsync(Config, Options, CancellationToken.None);
        Http = new HttpClient { BaseAddress = _host.HttpAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
    }

    protected async Task<HttpResponseMessage> PutAsync(string path, string body) =>
        await Http.PutAsync(path, new ByteArrayContent(Encoding.UTF8.GetBytes(body)));

    protected async Task<string> PutTextAsync(string path, string body)
    {
        using var response = await PutAsync(path, body);
        return await response.Content.ReadAsStringAsync();
    }

    protected async Task<HttpResponseMessage> TxnAsync(string json)
    {
        var content = new StringContent(json, Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return await Http.PutAsync("/v1/txn", content);
    }

    protected static ulong IndexOf(HttpResponseMessage response) =>
        ulong.Parse(response.Headers.GetValues("X-Consul-Index").Single(), System.Globalization.CultureInfo.InvariantCulture);

    protected static string B64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));
}
