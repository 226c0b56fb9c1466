using System.Runtime.InteropServices;
using Praetor.Agent;
using Praetor.Api;
using Praetor.Cli.Flags;

namespace Praetor.Cli;

/// <summary>
/// `praetor agent`: reads Consul's agent flags, starts the agent with its HTTP API, prints
/// Consul's start-up banner, and runs until SIGINT or SIGTERM, then shuts down cleanly.
/// </summary>
public static class AgentCommand
{
    public const string Synopsis = "Runs a Praetor agent";

    public static async Task<int> RunAsync(string[] args)
    {
        using var shutdown = new CancellationTokenSource();
        string? signal = null;
        void OnSignal(PosixSignalContext context)
        {
            context.Cancel = true;
            signal ??= context.Signal == PosixSignal.SIGINT ? "interrupt" : "terminated";
            shutdown.Cancel();
        }
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        return await RunAsync(args, Console.Out, Console.Error, () => signal ?? "shutdown", shutdown.Token);
    }

    /// <summary>Runs the agent until <paramref name="shutdown"/> fires; <paramref name="reason"/> names what fired it in the log.</summary>
    public static async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr, Func<string> reason, CancellationToken shutdown)
    {
        var flags = new GoFlagSet("agent");
        var dev = flags.Bool("dev", false, "Starts the agent in development mode: an in-memory server, everything on loopback.");
        var server = flags.Bool("server", false, "Switches the agent to server mode.");
        var bootstrap = flags.Bool("bootstrap", false, "Sets the server into bootstrap mode.");
        var node = flags.String("node", "", "Name of this node. Must be unique in the cluster (default: the host name).");
        var nodeId = flags.String("node-id", "", "A unique ID for this node (a UUID); generated when empty.");
        var datacenter = flags.String("datacenter", "dc1", "Datacenter of the agent.");
        var dc = flags.String("dc", "", "Alias of -datacenter.");
        var dataDir = flags.String("data-dir", "", "Path to a data directory to store agent state.");
        var client = flags.String("client", "127.0.0.1", "Sets the address to bind for client access: the HTTP API and DNS.");
        var bind = flags.String("bind", "", "Sets the bind address for cluster communication.");
        var advertise = flags.String("advertise", "", "Sets the advertise address to use.");
        var httpPort = flags.Int("http-port", 8500, "Sets the HTTP API port to listen on (0 picks a free port, -1 disables).");
        var dnsPort = flags.Int("dns-port", 8600, "DNS port to use (-1 disables).");
        var serfLanPort = flags.Int("serf-lan-port", 8301, "Sets the Serf LAN port to listen on.");
        var serfWanPort = flags.Int("serf-wan-port", 8302, "Sets the Serf WAN port to listen on (-1 disables).");
        var serverPort = flags.Int("server-port", 8300, "Sets the server port to listen on.");
        var logLevel = flags.String("log-level", "info", "Log level of the agent: trace, debug, info, warn, error.");
        if (!flags.TryParse(args, out var error))
        {
            if (flags.HelpRequested)
            {
                await stdout.WriteAsync($"Usage: praetor agent [options]\n\n  {Synopsis}.\n\n");
                flags.WriteDefaults(stdout);
                return 0;
            }
            await stderr.WriteLineAsync(error);
            return 1;
        }
        if (flags.Args.Count > 0)
        {
            await stderr.WriteLineAsync($"==> Unexpected extra arguments: {string.Join(' ', flags.Args)}");
            return 1;
        }
        if (logLevel.Value is not ("trace" or "debug" or "info" or "warn" or "error"))
        {
            await stderr.WriteLineAsync($"==> Invalid log level: \"{logLevel.Value}\" (use trace, debug, info, warn or error)");
            return 1;
        }
        var config = new AgentConfig
        {
            DevMode = dev.Value,
            Server = server.Value || dev.Value,
            Bootstrap = bootstrap.Value || dev.Value,
            NodeName = node.Value.Length > 0 ? node.Value : Environment.MachineName,
            NodeId = nodeId.Value,
            Datacenter = (dc.IsSet ? dc.Value : datacenter.Value).ToLowerInvariant(),
            DataDir = dataDir.Value.Length > 0 ? dataDir.Value : null,
            ClientAddr = client.Value,
            // A dev agent keeps everything on loopback, as Consul's does.
            BindAddr = bind.Value.Length > 0 ? bind.Value : dev.Value ? "127.0.0.1" : "0.0.0.0",
            AdvertiseAddr = advertise.Value.Length > 0 ? advertise.Value : null,
            HttpPort = httpPort.Value,
            DnsPort = dnsPort.Value,
            SerfLanPort = serfLanPort.Value,
            SerfWanPort = serfWanPort.Value,
            ServerPort = serverPort.Value,
            LogLevel = logLevel.Value,
        };
        var problems = config.Validate();
        if (problems.Count > 0)
        {
            await stderr.WriteLineAsync("==> Invalid configuration:");
            foreach (var problem in problems)
            {
                await stderr.WriteLineAsync($"    {problem}");
            }
            return 1;
        }

        await stdout.WriteLineAsync("==> Starting Praetor agent...");
        AgentHost host;
        try
        {
            host = await AgentHost.StartAsync(config, shutdown);
        }
        catch (IOException ex)
        {
            await stderr.WriteLineAsync($"==> Error starting agent: failed to start the HTTP API on {config.ClientAddr}:{config.HttpPort}: {ex.Message}");
            return 1;
        }
        catch (OperationCanceledException)
        {
            return 1;
        }
        await using (host)
        {
            await WriteBannerAsync(stdout, host);
            var log = new AgentLog(stdout);
            await log.InfoAsync("agent", $"started state machine on the in-memory single-node log: leader={host.Agent.ServerAddress}");
            if (config.HttpPort != AgentConfig.PortDisabled)
            {
                await log.InfoAsync("agent", $"Started HTTP server: address={host.HttpAddress.Authority} network=tcp");
            }
            await log.InfoAsync("agent", "Praetor agent running!");
            try
            {
                await Task.Delay(Timeout.Infinite, shutdown);
            }
            catch (OperationCanceledException)
            {
                await log.InfoAsync("agent", $"Caught signal: {reason()}");
                await log.InfoAsync("agent", "Graceful shutdown: stopping the HTTP API and the log");
            }
        }
        await new AgentLog(stdout).InfoAsync("agent", "shutdown complete");
        return 0;
    }

    private static async Task WriteBannerAsync(TextWriter stdout, AgentHost host)
    {
        var agent = host.Agent;
        var config = agent.Config;
        var httpPort = config.HttpPort == AgentConfig.PortDisabled ? -1 : host.HttpAddress.Port;
        var mode = config.DevMode ? " (dev mode: in-memory, data is lost on exit)" : "";
        await stdout.WriteAsync(
            $"""
                           Version: '{BuildInfo.ConsulVersion}' (Praetor {BuildInfo.PraetorVersion})
                           Node ID: '{agent.NodeId}'
                         Node name: '{config.NodeName}'
                        Datacenter: '{config.Datacenter}' (Segment: '<all>')
                            Server: {Lower(config.Server)} (Bootstrap: {Lower(config.Bootstrap)}){mode}
                       Client Addr: [{config.ClientAddr}] (HTTP: {httpPort}, HTTPS: -1, gRPC: -1, DNS: {config.DnsPort})
                      Cluster Addr: {config.AdvertiseAddress} (LAN: {config.SerfLanPort}, WAN: {config.SerfWanPort})
                 Gossip Encryption: false
                       ACL Enabled: false
                ACL Default Policy: allow
                         HTTPS TLS: Verify Incoming: false, Verify Outgoing: false, Min Version: TLSv1_2
                  Internal RPC TLS: Verify Incoming: false, Verify Outgoing: false (Verify Hostname: false), Min Version: TLSv1_2

            ==> Log data will now stream in as it occurs:


            """);
    }

    private static string Lower(bool value) => value ? "true" : "false";
}
