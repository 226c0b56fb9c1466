using Praetor.Agent.Config;
using Praetor.Agent.Definitions;

namespace Praetor.Agent;

/// <summary>
/// The agent's settings, with Consul's defaults. Built by the CLI from config files
/// (<see cref="ConfigLoader"/>, Consul's snake_case keys named in each property's comment) and then
/// the flags given; validated once by <see cref="Validate"/>, which reports every problem, not only
/// the first.
/// </summary>
public sealed record AgentConfig
{
    public const int PortDisabled = -1;

    public string NodeName { get; init; } = Environment.MachineName;

    /// <summary>The node's ID (a UUID); generated at start when empty.</summary>
    public string NodeId { get; init; } = "";

    public string Datacenter { get; init; } = "dc1";

    public bool Server { get; init; }

    public bool DevMode { get; init; }

    public bool Bootstrap { get; init; }

    public string? DataDir { get; init; }

    /// <summary>Address the client interfaces (HTTP, DNS) listen on.</summary>
    public string ClientAddr { get; init; } = "127.0.0.1";

    /// <summary>Address the cluster interfaces (gossip, server RPC) bind to.</summary>
    public string BindAddr { get; init; } = "0.0.0.0";

    /// <summary>Address advertised to other nodes; the bind address when empty and specific.</summary>
    public string? AdvertiseAddr { get; init; }

    /// <summary>Address the WAN pool binds to (<c>serf_wan</c>, <c>-serf-wan-bind</c>); <see cref="BindAddr"/> when null.</summary>
    public string? SerfWanBindAddr { get; init; }

    /// <summary>Address advertised to the WAN pool (<c>advertise_addr_wan</c>, <c>-advertise-wan</c>); <see cref="AdvertiseAddress"/> when null.</summary>
    public string? AdvertiseAddrWan { get; init; }

    /// <summary>HTTP API port (8500); 0 picks a free port, -1 disables.</summary>
    public int HttpPort { get; init; } = 8500;

    public int DnsPort { get; init; } = 8600;

    public int SerfLanPort { get; init; } = 8301;

    public int SerfWanPort { get; init; } = 8302;

    public int ServerPort { get; init; } = 8300;

    /// <summary>HTTPS API port (<c>ports.https</c>); -1 (off) by default, as Consul's.</summary>
    public int HttpsPort { get; init; } = PortDisabled;

    /// <summary>gRPC port (<c>ports.grpc</c>); -1 (off) by default.</summary>
    public int GrpcPort { get; init; } = PortDisabled;

    /// <summary>Address the HTTP API listens on (<c>addresses.http</c>); <see cref="ClientAddr"/> when null.</summary>
    public string? HttpAddr { get; init; }

    /// <summary>Address DNS listens on (<c>addresses.dns</c>); <see cref="ClientAddr"/> when null.</summary>
    public string? DnsAddr { get; init; }

    /// <summary>Free-form node metadata (<c>node_meta</c>, <c>-node-meta key:value</c>).</summary>
    public IReadOnlyDictionary<string, string> NodeMeta { get; init; } = new Dictionary<string, string>();

    /// <summary>Servers to wait for before bootstrapping the cluster (<c>bootstrap_expect</c>); 0 = not set.</summary>
    public int BootstrapExpect { get; init; }

    /// <summary>Upstream DNS servers for names outside the domain (<c>recursors</c>, and seed 001's old <c>recursor</c>).</summary>
    public IReadOnlyList<string> Recursors { get; init; } = [];

    /// <summary>The DNS domain served (<c>domain</c>), always ending in a dot.</summary>
    public string Domain { get; init; } = "consul.";

    /// <summary>A second DNS domain answered too (<c>alt_domain</c>); empty when none.</summary>
    public string AltDomain { get; init; } = "";

    /// <summary>DNS answer settings (<c>dns_config</c>).</summary>
    public DnsSettings Dns { get; init; } = new();

    /// <summary>memberlist parameters of the LAN pool over its defaults (<c>gossip_lan</c>).</summary>
    public GossipSettings GossipLan { get; init; } = new();

    /// <summary>memberlist parameters of the WAN pool over its defaults (<c>gossip_wan</c>).</summary>
    public GossipSettings GossipWan { get; init; } = new();

    /// <summary>Lets services and checks registered over the API run scripts (<c>enable_script_checks</c>).</summary>
    public bool EnableScriptChecks { get; init; }

    /// <summary>Lets script checks from config files and the local agent run (<c>enable_local_script_checks</c>).</summary>
    public bool EnableLocalScriptChecks { get; init; }

    /// <summary>Refuses <c>exec</c> jobs (<c>disable_remote_exec</c>); true by default since Consul 0.8.</summary>
    public bool DisableRemoteExec { get; init; } = true;

    /// <summary>Serves the web UI at <c>/ui/</c> (<c>ui</c>, <c>ui_config.enabled</c>, <c>-ui</c>; on in <c>-dev</c>).</summary>
    public bool UiEnabled { get; init; }

    /// <summary>Services defined in config files (<c>service</c> and <c>services</c>, in file order).</summary>
    public IReadOnlyList<ServiceDefinition> Services { get; init; } = [];

    /// <summary>Node-level checks defined in config files (<c>check</c> and <c>checks</c>, in file order).</summary>
    public IReadOnlyList<CheckDefinition> Checks { get; init; } = [];

    /// <summary>Watches from config files (<c>watches</c>), in file order; the agent's host runs them and <see cref="Agent.Reload"/> replaces them.</summary>
    public IReadOnlyList<Config.WatchDefinition> Watches { get; init; } = [];

    /// <summary>Serf-style event handler scripts (<c>event_handlers</c>): <c>[filter=]script</c>, e.g. <c>member-join=/path</c>, <c>user:deploy=/path</c>.</summary>
    public IReadOnlyList<string> EventHandlers { get; init; } = [];

    /// <summary>Gossip encryption key, base64 (<c>encrypt</c>, <c>-encrypt</c>); null when off.</summary>
    public string? Encrypt { get; init; }

    /// <summary>Agents to join, retried until one answers (<c>retry_join</c>, <c>-retry-join</c>).</summary>
    public IReadOnlyList<string> RetryJoin { get; init; } = [];

    /// <summary>Wait between retry-join attempts (<c>retry_interval</c>, <c>-retry-interval</c>); 30 s as Consul.</summary>
    public TimeSpan RetryInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Retry-join attempts before the agent gives up and exits (<c>retry_max</c>, <c>-retry-max</c>); 0 retries forever.</summary>
    public int RetryMax { get; init; }

    /// <summary>Agents to join at start (<c>start_join</c>, <c>-join</c>; Consul 1.15 treats it as retry_join).</summary>
    public IReadOnlyList<string> StartJoin { get; init; } = [];

    /// <summary>Servers of other datacenters to join on the WAN, retried until one answers (<c>retry_join_wan</c>, <c>-retry-join-wan</c>).</summary>
    public IReadOnlyList<string> RetryJoinWan { get; init; } = [];

    /// <summary>Servers to join on the WAN at start (<c>start_join_wan</c>, <c>-join-wan</c>; retried as <see cref="RetryJoinWan"/>, as Consul 1.15+).</summary>
    public IReadOnlyList<string> StartJoinWan { get; init; } = [];

    /// <summary>Wait between WAN retry-join attempts (<c>retry_interval_wan</c>, <c>-retry-interval-wan</c>); 30 s as Consul.</summary>
    public TimeSpan RetryIntervalWan { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>WAN retry-join attempts before the agent gives up and exits (<c>retry_max_wan</c>, <c>-retry-max-wan</c>); 0 retries forever.</summary>
    public int RetryMaxWan { get; init; }

    /// <summary>Rejoins the cluster from the member snapshot even after a graceful leave (<c>rejoin_after_leave</c>, <c>-rejoin</c>).</summary>
    public bool RejoinAfterLeave { get; init; }

    /// <summary><c>leave_on_terminate</c>; null = Consul's default (true for clients, false for servers), see <see cref="EffectiveLeaveOnTerminate"/>.</summary>
    public bool? LeaveOnTerminate { get; init; }

    /// <summary><c>skip_leave_on_interrupt</c>; null = Consul's default (true for servers, false for clients), see <see cref="EffectiveSkipLeaveOnInterrupt"/>.</summary>
    public bool? SkipLeaveOnInterrupt { get; init; }

    public bool EffectiveLeaveOnTerminate => LeaveOnTerminate ?? !Server;

    public bool EffectiveSkipLeaveOnInterrupt => SkipLeaveOnInterrupt ?? Server;

    /// <summary><c>disable_update_check</c>; Praetor never phones home, so this is accepted and kept only.</summary>
    public bool DisableUpdateCheck { get; init; }

    /// <summary>Scales Raft and gossip timings for slow machines (<c>performance.raft_multiplier</c>, 1-10).</summary>
    public int RaftMultiplier { get; init; } = 5;

    /// <summary>
    /// How long a non-voting server must stay caught up and alive before the leader promotes it to
    /// voter (<c>autopilot.server_stabilization_time</c>, Consul's default 10 s; 0 promotes as soon as it is caught up).
    /// </summary>
    public TimeSpan ServerStabilizationTime { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>ACL settings (<c>acl</c>).</summary>
    public AclSettings Acl { get; init; } = new();

    /// <summary>The config files read, in the order applied (for <c>reload</c>).</summary>
    public IReadOnlyList<string> ConfigFiles { get; init; } = [];

    public string LogLevel { get; init; } = "info";

    /// <summary>Largest KV value accepted (Consul's <c>limits.kv_max_value_size</c>), 512 KiB.</summary>
    public int KvMaxValueSizeBytes { get; init; } = 512 * 1024;

    /// <summary>Largest <c>/v1/txn</c> body (Consul's <c>limits.txn_max_req_len</c>), 512 KiB.</summary>
    public int TxnMaxRequestBytes { get; init; } = 512 * 1024;

    /// <summary>Blocking-query wait when the client gives none (Consul's <c>default_query_time</c>).</summary>
    public TimeSpan DefaultQueryTime { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Longest blocking-query wait honoured (Consul's <c>max_query_time</c>).</summary>
    public TimeSpan MaxQueryTime { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>The shortest session TTL accepted (Consul's <c>session_ttl_min</c>, 10s); the longest is 24h.</summary>
    public TimeSpan SessionTtlMin { get; init; } = State.Sessions.SessionDefaults.TtlMin;

    /// <summary>How long a deleted KV key's tombstone keeps prefix indexes from sliding back (Consul: 15m).</summary>
    public TimeSpan TombstoneTtl { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>The address other nodes reach this one at.</summary>
    public string AdvertiseAddress =>
        !string.IsNullOrEmpty(AdvertiseAddr) ? AdvertiseAddr
        : BindAddr is "0.0.0.0" or "::" or "" ? "127.0.0.1" : BindAddr;

    /// <summary>The address servers of other datacenters reach this one at on the WAN.</summary>
    public string AdvertiseAddressWan => !string.IsNullOrEmpty(AdvertiseAddrWan) ? AdvertiseAddrWan : AdvertiseAddress;

    /// <summary>A server (or <c>-dev</c> agent) with <c>ports.serf_wan</c> not -1: it runs a WAN pool.</summary>
    public bool RunsWanPool => (Server || DevMode) && SerfWanPort != PortDisabled;

    /// <summary>
    /// Every problem with these settings as Consul judges them (what <c>praetor validate</c> reports),
    /// each naming the setting; empty when valid.
    /// </summary>
    public IReadOnlyList<string> ValidateSettings()
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(NodeName))
        {
            problems.Add("node_name: must not be empty");
        }
        if (string.IsNullOrWhiteSpace(Datacenter) || !IsDnsLabel(Datacenter))
        {
            problems.Add($"datacenter: \"{Datacenter}\" must be letters, digits, '-' and '_' only");
        }
        CheckPort(problems, "http", HttpPort);
        CheckPort(problems, "dns", DnsPort);
        CheckPort(problems, "serf_lan", SerfLanPort);
        CheckPort(problems, "serf_wan", SerfWanPort);
        CheckPort(problems, "server", ServerPort);
        foreach (var area in (Gossip.GossipArea[])[Gossip.GossipArea.Lan, Gossip.GossipArea.Wan])
        {
            var key = area == Gossip.GossipArea.Lan ? "gossip_lan" : "gossip_wan";
            problems.AddRange(Gossip.GossipPool.Options(area, this).Validate().Select(problem => $"{key}: {problem}"));
        }
        if (!System.Net.IPAddress.TryParse(ClientAddr, out _))
        {
            problems.Add($"client_addr: \"{ClientAddr}\" is not an IP address");
        }
        if (!System.Net.IPAddress.TryParse(BindAddr, out _))
        {
            problems.Add($"bind_addr: \"{BindAddr}\" is not an IP address");
        }
        if (!string.IsNullOrEmpty(AdvertiseAddr) && !System.Net.IPAddress.TryParse(AdvertiseAddr, out _))
        {
            problems.Add($"advertise_addr: \"{AdvertiseAddr}\" is not an IP address");
        }
        if (!string.IsNullOrEmpty(AdvertiseAddrWan) && !System.Net.IPAddress.TryParse(AdvertiseAddrWan, out _))
        {
            problems.Add($"advertise_addr_wan: \"{AdvertiseAddrWan}\" is not an IP address");
        }
        if (!string.IsNullOrEmpty(SerfWanBindAddr) && !System.Net.IPAddress.TryParse(SerfWanBindAddr, out _))
        {
            problems.Add($"serf_wan: \"{SerfWanBindAddr}\" is not an IP address");
        }
        foreach (var recursor in Recursors)
        {
            if (!RecursorAddress.TryParse(recursor, out _))
            {
                problems.Add($"recursors: \"{recursor}\" is not an IP address with an optional port (such as 8.8.8.8 or 127.0.0.1:5353)");
            }
        }
        if (!IsDomain(Domain))
        {
            problems.Add($"domain: \"{Domain}\" is not a DNS domain name");
        }
        if (AltDomain.Length > 0 && !IsDomain(AltDomain))
        {
            problems.Add($"alt_domain: \"{AltDomain}\" is not a DNS domain name");
        }
        if (Dns.UdpAnswerLimit < 1)
        {
            problems.Add("dns_config.udp_answer_limit: must be at least 1");
        }
        if (DnsAddr is not null && !System.Net.IPAddress.TryParse(DnsAddr, out _))
        {
            problems.Add($"addresses.dns: \"{DnsAddr}\" is not an IP address");
        }
        Events.EventScript.ParseAll(EventHandlers, out var handlerProblems);
        foreach (var problem in handlerProblems)
        {
            problems.Add($"event_handlers: {problem}");
        }
        if (KvMaxValueSizeBytes <= 0)
        {
            problems.Add("limits.kv_max_value_size: must be positive");
        }
        if (DefaultQueryTime <= TimeSpan.Zero || MaxQueryTime <= TimeSpan.Zero)
        {
            problems.Add("default_query_time / max_query_time: must be positive");
        }
        CheckPort(problems, "https", HttpsPort);
        CheckPort(problems, "grpc", GrpcPort);
        if (TxnMaxRequestBytes <= 0)
        {
            problems.Add("limits.txn_max_req_len: must be positive");
        }
        if (LogLevel is not ("trace" or "debug" or "info" or "warn" or "error"))
        {
            problems.Add($"log_level: \"{LogLevel}\" is not one of trace, debug, info, warn, error");
        }
        if (!DevMode && string.IsNullOrEmpty(DataDir))
        {
            problems.Add("data_dir: must be set (unless -dev)");
        }
        if (BootstrapExpect < 0)
        {
            problems.Add("bootstrap_expect: must not be negative");
        }
        else if (BootstrapExpect > 0)
        {
            // Consul's builder rules, word for word in spirit.
            if (!Server)
            {
                problems.Add("bootstrap_expect: requires server mode (server = true)");
            }
            if (Bootstrap && !DevMode)
            {
                problems.Add("bootstrap_expect: bootstrap = true and bootstrap_expect > 0 are mutually exclusive");
            }
            if (DevMode)
            {
                problems.Add("bootstrap_expect: not allowed in -dev mode");
            }
        }
        if (RetryInterval <= TimeSpan.Zero)
        {
            problems.Add("retry_interval: must be positive");
        }
        if (RetryMax < 0)
        {
            problems.Add("retry_max: must not be negative");
        }
        if (RetryIntervalWan <= TimeSpan.Zero)
        {
            problems.Add("retry_interval_wan: must be positive");
        }
        if (RetryMaxWan < 0)
        {
            problems.Add("retry_max_wan: must not be negative");
        }
        if (ServerStabilizationTime < TimeSpan.Zero)
        {
            problems.Add($"autopilot.server_stabilization_time: {ServerStabilizationTime} must not be negative");
        }
        if (RaftMultiplier is < 1 or > 10)
        {
            problems.Add($"performance.raft_multiplier: {RaftMultiplier} is not between 1 and 10");
        }
        if (Encrypt is not null && ConfigFileReader.EncryptKeyProblem(Encrypt) is { } keyProblem)
        {
            problems.Add($"encrypt: {keyProblem}");
        }
        if (Acl.DefaultPolicy is not ("allow" or "deny"))
        {
            problems.Add($"acl.default_policy: \"{Acl.DefaultPolicy}\" is not allow or deny");
        }
        return problems;
    }

    private static void CheckPort(List<string> problems, string name, int port)
    {
        if (port is < -1 or > 65535)
        {
            problems.Add($"ports.{name}: {port} is not a port (0-65535, or -1 to disable)");
        }
    }

    /// <summary>A domain as <c>domain</c> takes it: dot-separated labels of letters, digits, '-' and '_', 1-63 long, ending in a dot.</summary>
    private static bool IsDomain(string domain)
    {
        if (!domain.EndsWith('.') || domain.Length > 254)
        {
            return false;
        }
        foreach (var label in domain[..^1].Split('.'))
        {
            if (label.Length is 0 or > 63 || !IsDnsLabel(label))
            {
                return false;
            }
        }
        return true;
    }

    private static bool IsDnsLabel(string text)
    {
        foreach (var c in text)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not '-' and not '_')
            {
                return false;
            }
        }
        return true;
    }
}
