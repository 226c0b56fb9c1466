using System.Runtime.InteropServices;
using System.Threading.Channels;
using Praetor.Agent;
using Praetor.Agent.Config;
using Praetor.Agent.Endpoints;
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
        IgnoredSignals.Unignore(PosixSignal.SIGINT, PosixSignal.SIGHUP);
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        // SIGHUP reloads the configuration, as in Consul.
        var reloads = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
        using var sighup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
        {
            context.Cancel = true;
            reloads.Writer.TryWrite(true);
        });
        return await RunAsync(args, Console.Out, Console.Error, () => signal ?? "shutdown", reloads.Reader, shutdown.Token);
    }

    /// <summary>Runs the agent until <paramref name="shutdown"/> fires; <paramref name="reason"/> names what fired it in the log.</summary>
    public static Task<int> RunAsync(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr, Func<string> reason, CancellationToken shutdown) =>
        RunAsync(args, stdout, stderr, reason, null, shutdown);

    /// <summary>As above; each item read from <paramref name="reloads"/> reloads the configuration (SIGHUP).</summary>
    public static async Task<int> RunAsync(
        IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr, Func<string> reason, ChannelReader<bool>? reloads, CancellationToken shutdown)
    {
        var flags = new GoFlagSet("agent");
        var agentFlags = new AgentFlags(flags);
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
        if (flags.IsSet("log-level") && agentFlags.LogLevel.Value is not ("trace" or "debug" or "info" or "warn" or "error"))
        {
            await stderr.WriteLineAsync($"==> Invalid log level: \"{agentFlags.LogLevel.Value}\" (use trace, debug, info, warn or error)");
            return 1;
        }

        // Consul's order: defaults (-dev's own), then the config files in the order named, then the flags given.
        var config = BuildConfig(agentFlags, out var problems);
        if (problems.Count > 0)
        {
            await WriteProblemsAsync(stderr, problems);
            return 1;
        }

        await stdout.WriteLineAsync("==> Starting Praetor agent...");
        using var logs = new AgentLogProvider(stdout, AgentLogProvider.Level(config.LogLevel));
        AgentHost host;
        try
        {
            host = await AgentHost.StartAsync(config, new AgentStartOptions { Logs = logs }, shutdown);
        }
        catch (Praetor.Agent.Gossip.GossipPoolStartException ex)
        {
            await stderr.WriteLineAsync($"==> Error starting agent: {ex.Message}");
            return 1;
        }
        catch (IOException ex)
        {
            await stderr.WriteLineAsync($"==> Error starting agent: failed to start the HTTP API on {config.ClientAddr}:{config.HttpPort}: {ex.Message}");
            return 1;
        }
        catch (System.Net.Sockets.SocketException ex)
        {
            await stderr.WriteLineAsync($"==> Error starting agent: failed to start the DNS server on {config.DnsAddr ?? config.ClientAddr}:{config.DnsPort}: {ex.Message}");
            return 1;
        }
        catch (OperationCanceledException)
        {
            return 1;
        }
        catch (Exception ex) when (ex is EndpointException or ArgumentException or InvalidOperationException or Praetor.Raft.Storage.RaftStorageException or InvalidDataException)
        {
            // A service or check from the config files the agent refuses (a script check without
            // enable_local_script_checks, as Consul refuses it), or a failed self-registration.
            await stderr.WriteLineAsync($"==> Error starting agent: {ex.Message}");
            return 1;
        }
        var exitCode = 0;
        await using (host)
        {
            // `praetor reload` re-reads the same files and flags; a bad file changes nothing.
            host.Agent.ConfigSource = () =>
            {
                var next = BuildConfig(agentFlags, out var reloadProblems);
                return reloadProblems.Count == 0
                    ? next
                    : throw new EndpointException(EndpointErrorKind.Failed, "Failed reloading: invalid configuration:\n" + string.Join('\n', reloadProblems));
            };
            await WriteBannerAsync(stdout, host);
            var log = new AgentLog(stdout);
            await log.InfoAsync("agent", config.DevMode
                ? $"started state machine on the in-memory single-node log: leader={host.Agent.ServerAddress}"
                : $"started state machine on the Raft log in {Path.Combine(config.DataDir!, Praetor.Raft.RaftLog.DataDirectoryName)}: server={host.Agent.ServerAddress}");
            if (config.HttpPort != AgentConfig.PortDisabled)
            {
                await log.InfoAsync("agent", $"Started HTTP server: address={host.HttpAddress.Authority} network=tcp");
            }
            if (host.DnsEndpoint is { } dns)
            {
                await log.InfoAsync("agent", $"Started DNS server: address={dns} network=udp");
                await log.InfoAsync("agent", $"Started DNS server: address={dns} network=tcp");
            }
            if (host.Agent.Lan is { } lan)
            {
                await log.InfoAsync("agent", $"Started Serf LAN pool: address={lan.Pool.AdvertiseEndpoint} members={lan.Members().Count}");
            }
            if (host.Agent.Wan is { } wan)
            {
                await log.InfoAsync("agent", $"Started Serf WAN pool: address={wan.Pool.AdvertiseEndpoint} members={wan.Members().Count}");
            }
            await log.InfoAsync("agent", "Praetor agent running!");
            // A graceful leave through the API (or retry join giving up) stops the agent too, as in Consul.
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(shutdown);
            _ = host.Agent.ShutdownRequested.ContinueWith(_ => stop.Cancel(), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
            try
            {
                while (true)
                {
                    if (reloads is null)
                    {
                        await Task.Delay(Timeout.Infinite, stop.Token);
                    }
                    await reloads!.ReadAsync(stop.Token);
                    await log.InfoAsync("agent", "Caught signal: hangup; reloading configuration");
                    try
                    {
                        host.Agent.Reload();
                        await log.InfoAsync("agent", "Reloaded configuration");
                    }
                    catch (EndpointException ex)
                    {
                        await log.ErrorAsync("agent", $"Failed to reload configs: {ex.Message}");
                    }
                }
            }
            catch (OperationCanceledException)
            {
                if (host.Agent.ShutdownRequested.IsFaulted)
                {
                    await log.ErrorAsync("agent", $"Retry join failed: error=\"{host.Agent.ShutdownRequested.Exception!.InnerException!.Message}\"");
                    exitCode = 1;
                }
                else if (host.Agent.ShutdownRequested.IsCompletedSuccessfully)
                {
                    await log.InfoAsync("agent", "Requesting shutdown: the agent left the cluster");
                }
                else
                {
                    var why = reason();
                    await log.InfoAsync("agent", $"Caught signal: {why}");
                    // Consul's defaults: clients leave on both signals, servers on neither.
                    var leave = why == "interrupt" ? !config.EffectiveSkipLeaveOnInterrupt : config.EffectiveLeaveOnTerminate;
                    if (leave && (host.Agent.Lan is not null || host.Agent.Wan is not null))
                    {
                        await log.InfoAsync("agent", "Gracefully shutting down agent...");
                        using var leaveTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
                        try
                        {
                            await host.Agent.LeaveAsync(leaveTimeout.Token);
                            await log.InfoAsync("agent", "Graceful leave complete");
                        }
                        catch (Exception ex) when (ex is OperationCanceledException or Praetor.Gossip.GossipException)
                        {
                            await log.ErrorAsync("agent", $"Error on leave: {ex.Message}");
                        }
                    }
                }
                await log.InfoAsync("agent", "Graceful shutdown: stopping the HTTP API and the log");
            }
        }
        await new AgentLog(stdout).InfoAsync("agent", "shutdown complete");
        return exitCode;
    }

    /// <summary>
    /// Consul's order of config sources: the defaults (-dev's own with -dev), the config files and
    /// directories in the order named, then the flags given. <paramref name="problems"/> lists every
    /// problem: in the files (each naming file and key), else in the flags and the merged settings.
    /// </summary>
    private static AgentConfig BuildConfig(AgentFlags flags, out List<string> problems)
    {
        var config = flags.Defaults();
        if (flags.ConfigPaths.Count > 0)
        {
            var loaded = ConfigLoader.Load(flags.ConfigPaths, config);
            if (!loaded.IsValid)
            {
                problems = [.. loaded.Problems.Select(static p => p.ToString())];
                return config;
            }
            config = loaded.Config;
        }
        config = flags.ApplyTo(config, out problems);
        problems.AddRange(config.ValidateSettings());
        return config;
    }

    private static async Task WriteProblemsAsync(TextWriter stderr, IEnumerable<string> problems)
    {
        await stderr.WriteLineAsync("==> Invalid configuration:");
        foreach (var problem in problems)
        {
            await stderr.WriteLineAsync($"    {problem}");
        }
    }

    private static async Task WriteBannerAsync(TextWriter stdout, AgentHost host)
    {
        var agent = host.Agent;
        var config = agent.Config;
        var httpPort = config.HttpPort == AgentConfig.PortDisabled ? -1 : host.HttpAddress.Port;
        var lanPort = config.SerfLanPort == 0 && agent.Lan is { } lan ? lan.Pool.AdvertiseEndpoint.Port : config.SerfLanPort;
        var wanPort = config.SerfWanPort == 0 && agent.Wan is { } wan ? wan.Pool.AdvertiseEndpoint.Port : config.SerfWanPort;
        var dnsPort = host.DnsEndpoint?.Port ?? -1;
        var mode = config.DevMode ? " (dev mode: in-memory, data is lost on exit)" : "";
        await stdout.WriteAsync(
            $"""
                           Version: '{BuildInfo.ConsulVersion}' (Praetor {BuildInfo.PraetorVersion})
                           Node ID: '{agent.NodeId}'
                         Node name: '{config.NodeName}'
                        Datacenter: '{config.Datacenter}' (Segment: '<all>')
                            Server: {Lower(config.Server)} (Bootstrap: {Lower(config.Bootstrap)}){mode}
                       Client Addr: [{config.ClientAddr}] (HTTP: {httpPort}, HTTPS: -1, gRPC: -1, DNS: {dnsPort})
                      Cluster Addr: {config.AdvertiseAddress} (LAN: {lanPort}, WAN: {wanPort})
                 Gossip Encryption: {Lower(config.Encrypt is not null)}
                       ACL Enabled: false
                ACL Default Policy: allow
                         HTTPS TLS: Verify Incoming: false, Verify Outgoing: false, Min Version: TLSv1_2
                  Internal RPC TLS: Verify Incoming: false, Verify Outgoing: false (Verify Hostname: false), Min Version: TLSv1_2

            ==> Log data will now stream in as it occurs:


            """);
    }

    private static string Lower(bool value) => value ? "true" : "false";

    /// <summary>
    /// The agent's flags. Each overrides the config files only when given (Go's <c>flag.Visit</c>),
    /// as Consul's flags are the last config source; repeatable ones (<c>-recursor</c>, <c>-retry-join</c>,
    /// <c>-node-meta</c>) add to what the files gave.
    /// </summary>
    private sealed class AgentFlags
    {
        private readonly GoFlagSet _set;
        private readonly List<string> _configPaths = [];

        public AgentFlags(GoFlagSet set)
        {
            _set = set;
            Dev = set.Bool("dev", false, "Starts the agent in development mode: an in-memory server, everything on loopback.");
            Server = set.Bool("server", false, "Switches the agent to server mode.");
            Bootstrap = set.Bool("bootstrap", false, "Sets the server into bootstrap mode.");
            BootstrapExpect = set.Int("bootstrap-expect", 0, "Sets server to expect bootstrap mode with this many servers.");
            Node = set.String("node", "", "Name of this node. Must be unique in the cluster (default: the host name).");
            NodeId = set.String("node-id", "", "A unique ID for this node (a UUID); generated when empty.");
            NodeMeta = set.StringList("node-meta", "An arbitrary metadata key/value pair for this node, of the format `key:value`. Can be specified multiple times.");
            Datacenter = set.String("datacenter", "dc1", "Datacenter of the agent.");
            Dc = set.String("dc", "", "Alias of -datacenter.");
            DataDir = set.String("data-dir", "", "Path to a data directory to store agent state.");
            Client = set.String("client", "127.0.0.1", "Sets the address to bind for client access: the HTTP API and DNS.");
            Bind = set.String("bind", "", "Sets the bind address for cluster communication.");
            Advertise = set.String("advertise", "", "Sets the advertise address to use.");
            HttpPort = set.Int("http-port", 8500, "Sets the HTTP API port to listen on (0 picks a free port, -1 disables).");
            HttpsPort = set.Int("https-port", -1, "Sets the HTTPS API port to listen on (-1 disables).");
            GrpcPort = set.Int("grpc-port", -1, "Sets the gRPC API port to listen on (-1 disables).");
            DnsPort = set.Int("dns-port", 8600, "DNS port to use (-1 disables).");
            SerfLanPort = set.Int("serf-lan-port", 8301, "Sets the Serf LAN port to listen on (0 picks a free port, -1 disables).");
            SerfWanPort = set.Int("serf-wan-port", 8302, "Sets the Serf WAN port to listen on (0 picks a free port, -1 disables).");
            SerfWanBind = set.String("serf-wan-bind", "", "Address to bind Serf WAN listeners to (default: the bind address).");
            AdvertiseWan = set.String("advertise-wan", "", "Sets address to advertise on WAN instead of -advertise address.");
            ServerPort = set.Int("server-port", 8300, "Sets the server port to listen on.");
            LogLevel = set.String("log-level", "info", "Log level of the agent: trace, debug, info, warn, error.");
            Ui = set.Bool("ui", false, "Enables the built-in static web UI server.");
            Encrypt = set.String("encrypt", "", "Provides the gossip encryption key.");
            Recursor = set.StringList("recursor", "Address of an upstream DNS server. Can be specified multiple times.");
            RetryJoin = set.StringList("retry-join", "Address of an agent to join at start time with retries enabled. Can be specified multiple times.");
            RetryInterval = set.Duration("retry-interval", TimeSpan.FromSeconds(30), "Time to wait between join attempts.");
            RetryMax = set.Int("retry-max", 0, "Maximum number of join attempts. Defaults to 0, which will retry indefinitely.");
            Join = set.StringList("join", "Address of an agent to join at start time. Can be specified multiple times.");
            RetryJoinWan = set.StringList("retry-join-wan", "Address of a server in another datacenter to join over the WAN at start time with retries enabled. Can be specified multiple times.");
            RetryIntervalWan = set.Duration("retry-interval-wan", TimeSpan.FromSeconds(30), "Time to wait between join -wan attempts.");
            RetryMaxWan = set.Int("retry-max-wan", 0, "Maximum number of join -wan attempts. Defaults to 0, which will retry indefinitely.");
            JoinWan = set.StringList("join-wan", "Address of a server in another datacenter to join over the WAN at start time. Can be specified multiple times.");
            Rejoin = set.Bool("rejoin", false, "Ignores a previous leave and attempts to rejoin the cluster.");
            Domain = set.String("domain", "consul.", "Domain to use for DNS interface.");
            AltDomain = set.String("alt-domain", "", "Alternate domain to use for DNS interface.");
            EnableScriptChecks = set.Bool("enable-script-checks", false, "Enables health check scripts.");
            EnableLocalScriptChecks = set.Bool("enable-local-script-checks", false, "Enables health check scripts from configuration file.");
            DefaultQueryTime = set.Duration("default-query-time", TimeSpan.FromMinutes(5), "The amount of time a blocking query will wait before Praetor will force a response.");
            MaxQueryTime = set.Duration("max-query-time", TimeSpan.FromMinutes(10), "The maximum amount of time a blocking query can wait before Praetor will force a response.");
            // One list for both, so files and directories apply in the order given, as in Consul.
            set.Add(new GoFlag<IReadOnlyList<string>>("config-file", [], "Path to a JSON file to read configuration from. Can be specified multiple times.", "value", AddConfigPath, JoinPaths));
            set.Add(new GoFlag<IReadOnlyList<string>>("config-dir", [], "Path to a directory to read configuration files from: every .json file in it, in lexical order. Can be specified multiple times.", "value", AddConfigPath, JoinPaths));
        }

        public IReadOnlyList<string> ConfigPaths => _configPaths;

        public GoFlag<bool> Dev { get; }
        public GoFlag<bool> Server { get; }
        public GoFlag<bool> Bootstrap { get; }
        public GoFlag<int> BootstrapExpect { get; }
        public GoFlag<string> Node { get; }
        public GoFlag<string> NodeId { get; }
        public GoFlag<IReadOnlyList<string>> NodeMeta { get; }
        public GoFlag<string> Datacenter { get; }
        public GoFlag<string> Dc { get; }
        public GoFlag<string> DataDir { get; }
        public GoFlag<string> Client { get; }
        public GoFlag<string> Bind { get; }
        public GoFlag<string> Advertise { get; }
        public GoFlag<int> HttpPort { get; }
        public GoFlag<int> HttpsPort { get; }
        public GoFlag<int> GrpcPort { get; }
        public GoFlag<int> DnsPort { get; }
        public GoFlag<int> SerfLanPort { get; }
        public GoFlag<int> SerfWanPort { get; }
        public GoFlag<string> SerfWanBind { get; }
        public GoFlag<string> AdvertiseWan { get; }
        public GoFlag<int> ServerPort { get; }
        public GoFlag<string> LogLevel { get; }
        public GoFlag<bool> Ui { get; }
        public GoFlag<string> Encrypt { get; }
        public GoFlag<IReadOnlyList<string>> Recursor { get; }
        public GoFlag<IReadOnlyList<string>> RetryJoin { get; }
        public GoFlag<IReadOnlyList<string>> Join { get; }
        public GoFlag<IReadOnlyList<string>> RetryJoinWan { get; }
        public GoFlag<IReadOnlyList<string>> JoinWan { get; }
        public GoFlag<TimeSpan> RetryIntervalWan { get; }
        public GoFlag<int> RetryMaxWan { get; }
        public GoFlag<TimeSpan> RetryInterval { get; }
        public GoFlag<int> RetryMax { get; }
        public GoFlag<bool> Rejoin { get; }
        public GoFlag<string> Domain { get; }
        public GoFlag<string> AltDomain { get; }
        public GoFlag<bool> EnableScriptChecks { get; }
        public GoFlag<bool> EnableLocalScriptChecks { get; }
        public GoFlag<TimeSpan> DefaultQueryTime { get; }
        public GoFlag<TimeSpan> MaxQueryTime { get; }

        /// <summary>Consul's defaults, or -dev's: an in-memory bootstrapped server on loopback with the UI on.</summary>
        public AgentConfig Defaults() => Dev.Value
            ? new AgentConfig { DevMode = true, Server = true, Bootstrap = true, BindAddr = "127.0.0.1", UiEnabled = true }
            : new AgentConfig();

        /// <summary>The flags given, applied over <paramref name="config"/>; <paramref name="problems"/> names bad flag values.</summary>
        public AgentConfig ApplyTo(AgentConfig config, out List<string> problems)
        {
            problems = [];
            var c = config;
            if (Set(Server)) c = c with { Server = Server.Value || Dev.Value };
            if (Set(Bootstrap)) c = c with { Bootstrap = Bootstrap.Value || Dev.Value };
            if (Set(BootstrapExpect)) c = c with { BootstrapExpect = BootstrapExpect.Value };
            if (Set(Node) && Node.Value.Length > 0) c = c with { NodeName = Node.Value };
            if (Set(NodeId)) c = c with { NodeId = NodeId.Value };
            if (Set(Dc)) c = c with { Datacenter = Dc.Value.ToLowerInvariant() };
            else if (Set(Datacenter)) c = c with { Datacenter = Datacenter.Value.ToLowerInvariant() };
            if (Set(DataDir)) c = c with { DataDir = DataDir.Value.Length > 0 ? DataDir.Value : null };
            if (Set(Client)) c = c with { ClientAddr = Client.Value };
            if (Set(Bind)) c = c with { BindAddr = Bind.Value };
            if (Set(Advertise)) c = c with { AdvertiseAddr = Advertise.Value.Length > 0 ? Advertise.Value : null };
            if (Set(HttpPort)) c = c with { HttpPort = HttpPort.Value };
            if (Set(HttpsPort)) c = c with { HttpsPort = HttpsPort.Value };
            if (Set(GrpcPort)) c = c with { GrpcPort = GrpcPort.Value };
            if (Set(DnsPort)) c = c with { DnsPort = DnsPort.Value };
            if (Set(SerfLanPort)) c = c with { SerfLanPort = SerfLanPort.Value };
            if (Set(SerfWanPort)) c = c with { SerfWanPort = SerfWanPort.Value };
            if (Set(SerfWanBind)) c = c with { SerfWanBindAddr = SerfWanBind.Value.Length > 0 ? SerfWanBind.Value : null };
            if (Set(AdvertiseWan)) c = c with { AdvertiseAddrWan = AdvertiseWan.Value.Length > 0 ? AdvertiseWan.Value : null };
            if (Set(ServerPort)) c = c with { ServerPort = ServerPort.Value };
            if (Set(LogLevel)) c = c with { LogLevel = LogLevel.Value };
            if (Set(Ui)) c = c with { UiEnabled = Ui.Value };
            if (Set(Encrypt)) c = c with { Encrypt = Encrypt.Value.Length > 0 ? Encrypt.Value : null };
            if (Set(Recursor)) c = c with { Recursors = [.. c.Recursors, .. Recursor.Value] };
            if (Set(RetryJoin)) c = c with { RetryJoin = [.. c.RetryJoin, .. RetryJoin.Value] };
            if (Set(RetryInterval)) c = c with { RetryInterval = RetryInterval.Value };
            if (Set(RetryMax)) c = c with { RetryMax = RetryMax.Value };
            if (Set(Join)) c = c with { StartJoin = [.. c.StartJoin, .. Join.Value] };
            if (Set(RetryJoinWan)) c = c with { RetryJoinWan = [.. c.RetryJoinWan, .. RetryJoinWan.Value] };
            if (Set(RetryIntervalWan)) c = c with { RetryIntervalWan = RetryIntervalWan.Value };
            if (Set(RetryMaxWan)) c = c with { RetryMaxWan = RetryMaxWan.Value };
            if (Set(JoinWan)) c = c with { StartJoinWan = [.. c.StartJoinWan, .. JoinWan.Value] };
            if (Set(Rejoin)) c = c with { RejoinAfterLeave = Rejoin.Value };
            if (Set(Domain)) c = c with { Domain = Domain.Value.EndsWith('.') ? Domain.Value : Domain.Value + "." };
            if (Set(AltDomain)) c = c with { AltDomain = AltDomain.Value.Length == 0 || AltDomain.Value.EndsWith('.') ? AltDomain.Value : AltDomain.Value + "." };
            if (Set(EnableScriptChecks)) c = c with { EnableScriptChecks = EnableScriptChecks.Value };
            if (Set(EnableLocalScriptChecks)) c = c with { EnableLocalScriptChecks = EnableLocalScriptChecks.Value };
            if (Set(DefaultQueryTime)) c = c with { DefaultQueryTime = DefaultQueryTime.Value };
            if (Set(MaxQueryTime)) c = c with { MaxQueryTime = MaxQueryTime.Value };
            if (Set(NodeMeta))
            {
                var meta = new Dictionary<string, string>(c.NodeMeta, StringComparer.Ordinal);
                foreach (var pair in NodeMeta.Value)
                {
                    // Consul's parseMetaPair: key:value, the value possibly empty.
                    var colon = pair.IndexOf(':', StringComparison.Ordinal);
                    var key = colon < 0 ? pair : pair[..colon];
                    if (key.Length == 0)
                    {
                        problems.Add($"-node-meta: \"{pair}\" is not key:value");
                        continue;
                    }
                    meta[key] = colon < 0 ? "" : pair[(colon + 1)..];
                }
                c = c with { NodeMeta = meta };
            }
            return c;
        }

        private bool Set(GoFlag flag) => _set.IsSet(flag.Name);

        private bool AddConfigPath(string text, IReadOnlyList<string> current, out IReadOnlyList<string> value, out string? error)
        {
            _configPaths.Add(text);
            value = [.. current, text];
            error = null;
            return true;
        }

        private static string JoinPaths(IReadOnlyList<string> paths) => string.Join(',', paths);
    }
}
