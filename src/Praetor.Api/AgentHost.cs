using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Logging;
using Praetor.Agent;

namespace Praetor.Api;

/// <summary>
/// A running agent with its HTTP API on Kestrel: what `praetor agent` runs, and what tests
/// start in-process (port 0 picks a free port; <see cref="HttpAddress"/> says which).
/// </summary>
public sealed class AgentHost : IAsyncDisposable
{
    private readonly WebApplication? _http;

    private AgentHost(Agent.Agent agent, WebApplication? http, Uri? httpAddress)
    {
        Agent = agent;
        _http = http;
        _httpAddress = httpAddress;
    }

    private readonly Uri? _httpAddress;

    public Agent.Agent Agent { get; }

    /// <summary>The HTTP API's base address; throws when HTTP is disabled (port -1).</summary>
    public Uri HttpAddress => _httpAddress ?? throw new InvalidOperationException("the HTTP API is disabled (ports.http = -1)");

    /// <summary>
    /// Starts the agent and its HTTP API once the agent is in the catalog. Configuration problems
    /// raise <see cref="ArgumentException"/>, a refused service or check definition
    /// <see cref="Praetor.Agent.Endpoints.EndpointException"/>, a taken port <see cref="IOException"/>.
    /// </summary>
    public static Task<AgentHost> StartAsync(AgentConfig config, CancellationToken cancellationToken = default) =>
        StartAsync(config, null, cancellationToken);

    /// <inheritdoc cref="StartAsync(AgentConfig, CancellationToken)"/>
    public static async Task<AgentHost> StartAsync(AgentConfig config, ILoggerFactory? logs, CancellationToken cancellationToken)
    {
        var agent = Praetor.Agent.Agent.Start(config);
        try
        {
            await agent.Ready.WaitAsync(cancellationToken);
            if (config.HttpPort == AgentConfig.PortDisabled)
            {
                return new AgentHost(agent, null, null);
            }
            var http = BuildHttp(agent, logs);
            await http.StartAsync(cancellationToken);
            var bound = http.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
            return new AgentHost(agent, http, new Uri(bound.First()));
        }
        catch
        {
            await agent.DisposeAsync();
            throw;
        }
    }

    private static WebApplication BuildHttp(Agent.Agent agent, ILoggerFactory? logs)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        if (logs is not null)
        {
            builder.Services.AddSingleton(logs);
        }
        var address = IPAddress.Parse(agent.Config.ClientAddr);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(address, agent.Config.HttpPort);
        });
        var app = builder.Build();
        app.Use(Routes.HandleErrorsAsync);
        app.MapGet("/", () => Results.Text("Consul Agent"));
        KvRoutes.Map(app, agent);
        TxnRoutes.Map(app, agent);
        StatusRoutes.Map(app, agent);
        AgentRoutes.Map(app, agent);
        CatalogRoutes.Map(app, agent);
        HealthRoutes.Map(app, agent);
        return app;
    }

    public async ValueTask DisposeAsync()
    {
        if (_http is not null)
        {
            await _http.StopAsync();
            await _http.DisposeAsync();
        }
        await Agent.DisposeAsync();
    }
}
