using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Logging;
using Praetor.Agent;
using Praetor.Client.Watch;
using Praetor.Dns;

namespace Praetor.Api;

/// <summary>
/// A running agent with its client interfaces, the HTTP API on Kestrel and the DNS server: what
/// `praetor agent` runs, and what tests start in-process (port 0 picks a free port;
/// <see cref="HttpAddress"/> and <see cref="DnsEndpoint"/> say which).
/// </summary>
public sealed class AgentHost : IAsyncDisposable
{
    private readonly WebApplication? _http;
    private readonly DnsServer? _dns;
    private readonly Uri? _httpAddress;
    private readonly AgentWatches? _watches;

    private AgentHost(Agent.Agent agent, WebApplication? http, Uri? httpAddress, DnsServer? dns, ILoggerFactory? logs)
    {
        Agent = agent;
        _http = http;
        _httpAddress = httpAddress;
        _dns = dns;
        var log = logs?.CreateLogger("agent.watch");
        if (httpAddress is null)
        {
            if (agent.Config.Watches.Count > 0)
            {
                if (log is not null)
                {
                    WatchLog.NoHttpApi(log);
                }
            }
            return;
        }
        _watches = new AgentWatches(httpAddress, log, WatchRetryPolicy.Default);
        _watches.Apply(agent.Config.Watches);
        agent.Reloaded += OnReloaded;
    }

    /// <summary>Number of config watches running (<c>watches</c>), for tests.</summary>
    public int WatchCount => _watches?.Count ?? 0;

    private void OnReloaded(object? sender, EventArgs e) => _watches?.Apply(Agent.Config.Watches);

    public Agent.Agent Agent { get; }

    /// <summary>The HTTP API's base address; throws when HTTP is disabled (port -1).</summary>
    public Uri HttpAddress => _httpAddress ?? throw new InvalidOperationException("the HTTP API is disabled (ports.http = -1)");

    /// <summary>Where the DNS server listens (UDP and TCP); null when DNS is disabled (port -1).</summary>
    public IPEndPoint? DnsEndpoint => _dns?.Endpoint;

    /// <summary>
    /// Starts the agent and its HTTP API once the agent is in the catalog. Configuration problems
    /// raise <see cref="ArgumentException"/>, a refused service or check definition
    /// <see cref="Praetor.Agent.Endpoints.EndpointException"/>, a taken HTTP port <see cref="IOException"/>,
    /// a taken DNS port <see cref="System.Net.Sockets.SocketException"/>.
    /// </summary>
    public static Task<AgentHost> StartAsync(AgentConfig config, CancellationToken cancellationToken = default) =>
        StartAsync(config, new AgentStartOptions(), cancellationToken);

    /// <inheritdoc cref="StartAsync(AgentConfig, CancellationToken)"/>
    public static Task<AgentHost> StartAsync(AgentConfig config, ILoggerFactory? logs, CancellationToken cancellationToken) =>
        StartAsync(config, new AgentStartOptions { Logs = logs }, cancellationToken);

    /// <summary>
    /// As <see cref="StartAsync(AgentConfig, CancellationToken)"/>, with the agent's clock, gossip
    /// pools and logs given (tests pass fake pools); a LAN or WAN pool that cannot bind raises
    /// <see cref="Praetor.Agent.Gossip.GossipPoolStartException"/>.
    /// </summary>
    public static async Task<AgentHost> StartAsync(AgentConfig config, AgentStartOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var logs = options.Logs;
        var agent = Praetor.Agent.Agent.Start(config, options);
        DnsServer? dns = null;
        try
        {
            await agent.Ready.WaitAsync(cancellationToken);
            if (config.DnsPort != AgentConfig.PortDisabled)
            {
                var address = IPAddress.Parse(config.DnsAddr ?? config.ClientAddr);
                dns = DnsServer.Start(agent, new IPEndPoint(address, config.DnsPort), logs?.CreateLogger("dns"));
            }
            if (config.HttpPort == AgentConfig.PortDisabled)
            {
                return new AgentHost(agent, null, null, dns, logs);
            }
            var http = BuildHttp(agent, logs);
            await http.StartAsync(cancellationToken);
            var bound = http.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
            return new AgentHost(agent, http, new Uri(bound.First()), dns, logs);
        }
        catch
        {
            if (dns is not null)
            {
                await dns.DisposeAsync();
            }
            await agent.DisposeAsync();
            throw;
        }
    }

    private static WebApplication BuildHttp(Agent.Agent agent, ILoggerFactory? logs)
    {
        // The empty builder: no appsettings.json or environment configuration, and no content root.
        // The slim builder watched the working directory for changes, costing CPU on every write there.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore();
        builder.Services.AddRoutingCore();
        builder.Services.AddLogging(logging =>
        {
            if (logs is not null)
            {
                logging.AddProvider(new ForwardingLoggerProvider(logs));
            }
            // ASP.NET logs every request at Information ("Request finished ..."), which Consul's
            // agent never does at INFO; at the agent's default level that was a few lines per
            // request and cost most of the server's CPU under load. The framework's warnings and
            // errors stay.
            logging.AddFilter("Microsoft", LogLevel.Warning);
        });
        var address = IPAddress.Parse(agent.Config.ClientAddr);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(address, agent.Config.HttpPort);
        });
        var app = builder.Build();
        app.Use(MetricsRoutes.MeasureRequests(agent));
        app.Use(Routes.HandleErrorsAsync);
        app.MapGet("/", context => Results.Text("Consul Agent").ExecuteAsync(context));
        KvRoutes.Map(app, agent);
        TxnRoutes.Map(app, agent);
        StatusRoutes.Map(app, agent);
        AgentRoutes.Map(app, agent);
        CatalogRoutes.Map(app, agent);
        HealthRoutes.Map(app, agent);
        CoordinateRoutes.Map(app, agent);
        EventRoutes.Map(app, agent.Events);
        MetricsRoutes.Map(app, agent);
        OperatorRoutes.Map(app, agent);
        SnapshotRoutes.Map(app, agent);
        SessionRoutes.Map(app, agent);
        return app;
    }

    public async ValueTask DisposeAsync()
    {
        Agent.Reloaded -= OnReloaded;
        if (_watches is not null)
        {
            await _watches.DisposeAsync();
        }
        if (_http is not null)
        {
            await _http.StopAsync();
            await _http.DisposeAsync();
        }
        if (_dns is not null)
        {
            await _dns.DisposeAsync();
        }
        await Agent.DisposeAsync();
    }

    /// <summary>Hands ASP.NET's loggers out of the agent's log (filters apply before it).</summary>
    private sealed class ForwardingLoggerProvider(ILoggerFactory logs) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => logs.CreateLogger(categoryName);

        // The agent owns its log.
        public void Dispose()
        {
        }
    }
}
