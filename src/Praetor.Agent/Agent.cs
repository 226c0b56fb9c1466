using Praetor.Agent.Endpoints;
using Praetor.Agent.Local;
using Praetor.Raft;
using Praetor.State;
using Praetor.State.Catalog;

namespace Praetor.Agent;

/// <summary>
/// One agent: its configuration, the state store with its state machine and log, the endpoint
/// layer that the HTTP API (and later DNS) call, and its local services and checks kept in the
/// catalog by anti-entropy. In `-dev` mode the log is the single-node in-memory one.
/// </summary>
public sealed class Agent : IAsyncDisposable
{
    /// <summary>The check that says a member is alive (gossip's verdict, registered by the leader).</summary>
    public const string SerfHealthCheckId = "serfHealth";

    /// <summary>The service every server is registered as.</summary>
    public const string ConsulServiceId = "consul";

    private readonly TombstoneReaper _reaper;
    private readonly AntiEntropy _antiEntropy;
    private readonly Lock _reloadLock = new();

    private Agent(AgentConfig config, TimeProvider time)
    {
        Config = config;
        NodeId = string.IsNullOrEmpty(config.NodeId) ? Guid.NewGuid().ToString() : config.NodeId;
        Store = new StateStore();
        Log = new SingleNodeLog(new StateMachine(Store), ServerAddress);
        var blocking = new BlockingQuery(Store, Log, config, time);
        Txn = new TxnEndpoint(Store, Log, blocking);
        Kv = new KvEndpoint(Store, Txn, blocking);
        Status = new StatusEndpoint(Log);
        Catalog = new CatalogEndpoint(Store, Log, blocking, config);
        Health = new HealthEndpoint(Store, blocking);
        LocalState = new LocalState(config.NodeName);
        AgentLocal = new AgentEndpoint(config, LocalState, Health, time);
        _reaper = new TombstoneReaper(Store, Log, config.TombstoneTtl, time);
        _antiEntropy = new AntiEntropy(LocalState, Catalog, Health, SelfNode, time);
        Ready = RegisterSelfAsync();
    }

    /// <summary>Starts an agent; throws <see cref="ArgumentException"/> listing every configuration problem.</summary>
    public static Agent Start(AgentConfig config, TimeProvider? time = null)
    {
        var problems = config.Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentException("invalid configuration:\n  " + string.Join("\n  ", problems), nameof(config));
        }
        return new Agent(config, time ?? TimeProvider.System);
    }

    /// <summary>The configuration in force; <see cref="Reload"/> replaces its services and checks.</summary>
    public AgentConfig Config { get; private set; }

    /// <summary>
    /// Where a reload reads the configuration again (the CLI's files and flags); null when the
    /// agent was started from a config object alone, so a reload has nothing to re-read.
    /// </summary>
    public Func<AgentConfig>? ConfigSource { get; set; }

    public string NodeId { get; }

    public StateStore Store { get; }

    public IReplicatedLog Log { get; }

    public KvEndpoint Kv { get; }

    public TxnEndpoint Txn { get; }

    public StatusEndpoint Status { get; }

    public CatalogEndpoint Catalog { get; }

    public HealthEndpoint Health { get; }

    /// <summary>This agent's services and checks, and the operations on them.</summary>
    public AgentEndpoint AgentLocal { get; }

    public LocalState LocalState { get; }

    /// <summary>Completes once this node is in the catalog with its configured services and checks.</summary>
    public Task Ready { get; }

    /// <summary>This node as the catalog records it.</summary>
    public CatalogNode SelfNode() => new()
    {
        Node = Config.NodeName,
        Id = NodeId,
        Address = Config.AdvertiseAddress,
        Datacenter = Config.Datacenter,
        TaggedAddresses = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["lan"] = Config.AdvertiseAddress,
            ["lan_ipv4"] = Config.AdvertiseAddress,
            ["wan"] = Config.AdvertiseAddress,
            ["wan_ipv4"] = Config.AdvertiseAddress,
        },
        Meta = Config.NodeMeta,
    };

    /// <summary>
    /// Registers this node with a passing serfHealth check and the "consul" service — the
    /// leader's reconciliation of its only member until gossip exists — then the services and checks of the config files, and
    /// waits for the first anti-entropy sync.
    /// </summary>
    private async Task RegisterSelfAsync()
    {
        var serfHealth = new HealthCheck
        {
            Node = Config.NodeName,
            CheckId = SerfHealthCheckId,
            Name = "Serf Health Status",
            Status = HealthStatus.Passing,
            Output = "Agent alive and reachable",
            Type = "serf",
        };
        // Servers also carry the "consul" service, which clients and DNS use to find them.
        var consul = new ServiceInstance
        {
            Node = Config.NodeName,
            Id = ConsulServiceId,
            Service = ConsulServiceId,
            Port = Config.ServerPort > 0 ? Config.ServerPort : 8300,
        };
        var error = await Catalog.RegisterAsync(new CatalogRegistration(SelfNode(), consul, [serfHealth]), CancellationToken.None).ConfigureAwait(false);
        if (error is not null)
        {
            throw new InvalidOperationException(error);
        }
        foreach (var service in Config.Services)
        {
            AgentLocal.RegisterService(service, RegistrationSource.Local);
        }
        foreach (var check in Config.Checks)
        {
            AgentLocal.RegisterCheck(check, RegistrationSource.Local);
        }
        _antiEntropy.Start();
        await _antiEntropy.FirstSync.ConfigureAwait(false);
    }

    /// <summary>
    /// Runs an anti-entropy full sync now, as the periodic one does: reads the catalog's view of
    /// this node back and repairs any drift from the local state (for tests and `reload`).
    /// </summary>
    public Task SyncNowAsync(CancellationToken cancellationToken = default) => _antiEntropy.FullSyncAsync(cancellationToken);

    /// <summary>This server's RPC address as peers know it.</summary>
    public string ServerAddress => $"{Config.AdvertiseAddress}:{(Config.ServerPort > 0 ? Config.ServerPort : 8300)}";

    /// <summary>This agent as a gossip member, with Consul's member tags.</summary>
    public AgentMember Member()
    {
        var tags = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["acls"] = "0",
            ["build"] = $"{BuildInfo.ConsulVersion}:{BuildInfo.Revision}",
            ["dc"] = Config.Datacenter,
            ["id"] = NodeId,
            ["role"] = Config.Server || Config.DevMode ? "consul" : "node",
            ["segment"] = "",
            ["vsn"] = BuildInfo.ProtocolVersion.ToString(),
            ["vsn_max"] = BuildInfo.ProtocolVersionMax.ToString(),
            ["vsn_min"] = BuildInfo.ProtocolVersionMin.ToString(),
        };
        if (Config.Server || Config.DevMode)
        {
            tags["port"] = (Config.ServerPort > 0 ? Config.ServerPort : 8300).ToString();
            tags["raft_vsn"] = "3";
            tags["expect"] = "0";
            tags["bootstrap"] = "1";
        }
        var port = Config.SerfLanPort > 0 ? Config.SerfLanPort : 8301;
        return new AgentMember(Config.NodeName, Config.AdvertiseAddress, port, tags, Status: 1,
            ProtocolMin: 1, ProtocolMax: 5, ProtocolCur: BuildInfo.ProtocolVersion, DelegateMin: 2, DelegateMax: 5, DelegateCur: 4);
    }

    /// <summary>
    /// Re-reads the configuration (<see cref="ConfigSource"/>) and applies its services and
    /// checks: those no longer defined are deregistered, the rest registered anew. Everything is
    /// checked before anything changes, so a bad file changes nothing. Other settings need a
    /// restart, as in Consul.
    /// </summary>
    public void Reload()
    {
        var source = ConfigSource ?? throw new EndpointException(EndpointErrorKind.Failed, "this agent has no configuration files to reload");
        lock (_reloadLock)
        {
            var next = source();
            foreach (var service in next.Services)
            {
                AgentLocal.CheckRegistration(service, RegistrationSource.Local);
            }
            foreach (var check in next.Checks)
            {
                AgentLocal.CheckRegistration(check, RegistrationSource.Local);
            }
            var keptServices = next.Services.Select(s => s.EffectiveId).ToHashSet(StringComparer.Ordinal);
            foreach (var gone in Config.Services.Where(s => !keptServices.Contains(s.EffectiveId)))
            {
                AgentLocal.DeregisterService(gone.EffectiveId);
            }
            var keptChecks = next.Checks.Select(Definitions.DefinitionConversion.EffectiveId).ToHashSet(StringComparer.Ordinal);
            foreach (var gone in Config.Checks.Where(c => !keptChecks.Contains(Definitions.DefinitionConversion.EffectiveId(c))))
            {
                AgentLocal.DeregisterCheck(Definitions.DefinitionConversion.EffectiveId(gone));
            }
            foreach (var service in next.Services)
            {
                AgentLocal.RegisterService(service, RegistrationSource.Local, replaceExistingChecks: true);
            }
            foreach (var check in next.Checks)
            {
                AgentLocal.RegisterCheck(check, RegistrationSource.Local);
            }
            Config = Config with { Services = next.Services, Checks = next.Checks };
        }
    }

    public async ValueTask DisposeAsync()
    {
        await AgentLocal.DisposeAsync().ConfigureAwait(false);
        await _antiEntropy.DisposeAsync().ConfigureAwait(false);
        await _reaper.DisposeAsync().ConfigureAwait(false);
        await Log.DisposeAsync().ConfigureAwait(false);
    }
}
