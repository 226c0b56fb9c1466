using Microsoft.Extensions.Logging;
using Praetor.Agent.Cluster;
using Praetor.Agent.Endpoints;
using Praetor.Agent.Endpoints.Remote;
using Praetor.Agent.Events;
using Praetor.Agent.Gossip;
using Praetor.Agent.Local;
using Praetor.Agent.Rpc;
using Praetor.Agent.Metrics;
using Praetor.Gossip;
using Praetor.Gossip.Serf;
using Praetor.Raft;
using Praetor.State;
using Praetor.State.Catalog;

namespace Praetor.Agent;

/// <summary>
/// One agent: its configuration, the state store with its state machine and log, the endpoint
/// layer that the HTTP API (and later DNS) call, and its local services and checks kept in the
/// catalog by anti-entropy, and its membership of the LAN gossip pool (<see cref="GossipPool"/>),
/// whose members the leader reconciles into the catalog, and for servers of the WAN pool of every
/// datacenter's servers. In `-dev` mode the log is the single-node in-memory one.
/// </summary>
public sealed class Agent : IAsyncDisposable
{
    /// <summary>The check that says a member is alive (gossip's verdict, registered by the leader).</summary>
    public const string SerfHealthCheckId = "serfHealth";

    /// <summary>The service every server is registered as.</summary>
    public const string ConsulServiceId = "consul";

    private readonly TombstoneReaper _reaper;
    private readonly SessionTtlReaper _sessionReaper;
    private readonly AntiEntropy _antiEntropy;
    private readonly Lock _reloadLock = new();
    private readonly AgentStartOptions _options;
    private readonly MemberReconciler _reconciler;
    private readonly CancellationTokenSource _lifetime = new();
    private readonly TaskCompletionSource _shutdownRequested = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly SemaphoreSlim _leaveLock = new(1, 1);
    private readonly EventHandlers _eventHandlers;
    private readonly EventReceiver _eventReceiver;
    private readonly ClusterServer? _server;
    private readonly RpcClient? _clientRpc;
    private readonly CoordinateEndpoint? _coordinates;
    private readonly CoordinateSender _coordinateSender;
    private GossipPool? _lan;
    private GossipPool? _wan;
    private bool _left;

    private Agent(AgentConfig config, AgentStartOptions options)
    {
        _options = options;
        var time = options.Time;
        Config = config;
        NodeId = NodeIdFile.Resolve(config.NodeId, config.DevMode ? null : config.DataDir);
        Meters = new AgentMeterFactory();
        MetricsSink = new InmemSink(Meters, options.MetricsInterval, InmemSink.DefaultRetain, time);
        var metrics = new AgentMetrics(Meters);
        if (config.Server || config.DevMode)
        {
            // Consul's usage metrics, which servers report: alive LAN members by role.
            metrics.Meter.CreateObservableGauge("consul.members.servers", () => AliveMembers(server: true), "{member}", "alive LAN members that are servers");
            metrics.Meter.CreateObservableGauge("consul.members.clients", () => AliveMembers(server: false), "{member}", "alive LAN members that are clients");
        }
        Store = new StateStore(time);
        var stateMachine = new StateMachine(Store);
        var serverRpc = options.ServerRpc;
        if (config.DevMode)
        {
            Raft = RaftLog.SingleNode(stateMachine, ServerAddress, Meters);
            Log = Raft;
        }
        else if (config.Server)
        {
            _server = ClusterServer.Start(config, NodeId, stateMachine, Meters, options.Logs, time);
            Raft = _server.Raft;
            Log = _server.Log;
        }
        else
        {
            // A client agent holds no state: reads go to a server, writes through one to the leader.
            _clientRpc = new RpcClient(options.Logs?.CreateLogger("agent.rpc"));
            var router = new ServerRouter(_clientRpc, () => _lan?.Members() ?? [], config.Datacenter);
            Log = new ForwardingLog(null, _clientRpc, router.PickServer, router.ServerFailed, time);
            serverRpc ??= router;
        }
        var blocking = new BlockingQuery(Store, Log, config, time);
        var txn = new TxnEndpoint(Store, Log, blocking, metrics);
        var kv = new KvEndpoint(Store, txn, blocking, metrics);
        var catalog = new CatalogEndpoint(Store, Log, blocking, config, WanDatacenters);
        var sessions = new SessionEndpoint(Store, Log, blocking, () => Config.SessionTtlMin);
        if (serverRpc is not null)
        {
            var rpc = new EndpointRpcClient(serverRpc, config);
            Sessions = new RemoteSessionEndpoint(rpc, sessions);
            (Txn, Kv, Catalog, Health, Status) = (new RemoteTxnEndpoint(rpc, txn), new RemoteKvEndpoint(rpc, kv), new RemoteCatalogEndpoint(rpc, catalog),
                new RemoteHealthEndpoint(rpc), new RemoteStatusEndpoint(rpc));
            (RaftOperator, Snapshot) = (new RemoteRaftOperator(rpc), new RemoteSnapshotEndpoint(rpc));
            Coordinate = new RemoteCoordinateEndpoint(rpc);
        }
        else
        {
            var raft = Raft ?? throw new InvalidOperationException("a server agent has a Raft log");
            (Txn, Kv, Catalog, Health, Status) = (txn, kv, catalog, new HealthEndpoint(Store, blocking), new StatusEndpoint(Log));
            Sessions = sessions;
            (RaftOperator, Snapshot) = (new RaftOperator(raft, Log, ServerNode, _server?.Leader), new SnapshotEndpoint(Store, Log, () => raft.Term, blocking, time));
            var period = config.DevMode ? CoordinateEndpoint.DevUpdatePeriod : CoordinateEndpoint.UpdatePeriod;
            Coordinate = _coordinates = new CoordinateEndpoint(Store, Log, blocking, WanCoordinates, period, time, options.Logs?.CreateLogger("agent.coordinate"));
        }
        _coordinateSender = new CoordinateSender(config.NodeName, () => _lan?.Pool.LocalCoordinate, () => _lan?.Members().Count ?? 1, Coordinate, time,
            options.Logs?.CreateLogger("agent.coordinate"));
        _server?.RegisterEndpoints(Kv, Txn, Catalog, Health, Status, Sessions, Coordinate, RaftOperator, Snapshot);
        LocalState = new LocalState(config.NodeName);
        AgentLocal = new AgentEndpoint(config, LocalState, Health, metrics, time);
        _reaper = new TombstoneReaper(Store, Log, config.TombstoneTtl, time);
        _sessionReaper = new SessionTtlReaper(Store, Log, time, options.Logs?.CreateLogger("agent.leader"));
        _antiEntropy = new AntiEntropy(LocalState, Catalog, Health, SelfNode, time);
        _reconciler = new MemberReconciler(config, Store, Catalog, SelfNode, () => Log.Leader.IsLeader, options.Logs?.CreateLogger("agent.leader"));
        var eventLog = options.Logs?.CreateLogger("agent.events");
        // Config validation has already refused bad handler specs; see AgentConfig.ValidateSettings.
        _eventHandlers = new EventHandlers(EventScript.ParseAll(config.EventHandlers, out _), HandlerSelf, eventLog);
        _eventReceiver = new EventReceiver(new EventStore(), () => Config.NodeName, LocalState.Services, _eventHandlers, eventLog,
            new RemoteExec(Kv, () => Config.NodeName, eventLog), () => !Config.DisableRemoteExec, time, _lifetime.Token);
        Events = new EventEndpoint(() => _lan?.Pool, _eventReceiver.Store, _eventReceiver, time, config.MaxQueryTime);
        Ready = StartAsync();
    }

    /// <summary>Starts an agent; throws <see cref="ArgumentException"/> listing every configuration problem.</summary>
    public static Agent Start(AgentConfig config, TimeProvider? time = null) =>
        Start(config, new AgentStartOptions { Time = time ?? TimeProvider.System });

    /// <inheritdoc cref="Start(AgentConfig, TimeProvider?)"/>
    public static Agent Start(AgentConfig config, AgentStartOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = config.ValidateSettings();
        if (problems.Count > 0)
        {
            throw new ArgumentException("invalid configuration:\n  " + string.Join("\n  ", problems), nameof(config));
        }
        return new Agent(config, options);
    }

    /// <summary>User events: fire through the LAN pool, and list those received (<c>/v1/event/*</c>).</summary>
    public EventEndpoint Events { get; }

    /// <summary>
    /// Where every library of this agent creates its meter (gossip, log, agent, DNS, HTTP API), so
    /// <see cref="MetricsSink"/> collects this agent's measurements and no other's.
    /// </summary>
    public AgentMeterFactory Meters { get; }

    /// <summary>The agent's metrics, aggregated as Consul's in-memory sink (<c>/v1/agent/metrics</c>).</summary>
    public InmemSink MetricsSink { get; }

    /// <summary>Alive LAN members that are Consul servers (<paramref name="server"/>) or clients; Consul's members.servers/clients.</summary>
    private int AliveMembers(bool server)
    {
        var count = 0;
        foreach (var member in _lan?.Members() ?? [])
        {
            if (member.Status == MemberStatus.Alive && member.Tags.TryGetValue("role", out var role) && role == (server ? "consul" : "node"))
            {
                count++;
            }
        }
        return count;
    }

    /// <summary>The LAN pool; null when <c>ports.serf_lan</c> is -1 (or no pool implementation is available).</summary>
    public GossipPool? Lan => _lan;

    /// <summary>The WAN pool; null on clients and when <c>ports.serf_wan</c> is -1 (or no pool implementation is available).</summary>
    public GossipPool? Wan => _wan;

    /// <summary>
    /// Completes when the agent asks its host to stop: after a graceful leave (<c>PUT /v1/agent/leave</c>);
    /// faults when retry join gave up after <c>retry_max</c> attempts.
    /// </summary>
    public Task ShutdownRequested => _shutdownRequested.Task;

    /// <summary>The configuration in force; <see cref="Reload"/> replaces its services and checks.</summary>
    public AgentConfig Config { get; private set; }

    /// <summary>
    /// Where a reload reads the configuration again (the CLI's files and flags); null when the
    /// agent was started from a config object alone, so a reload has nothing to re-read.
    /// </summary>
    public Func<AgentConfig>? ConfigSource { get; set; }

    public string NodeId { get; }

    public StateStore Store { get; }

    /// <summary>What the endpoints write through and read behind: the local log in <c>-dev</c>, the leader's (here or over RPC) in a cluster.</summary>
    public IReplicatedLog Log { get; }

    /// <summary>This server's Raft log (in memory in <c>-dev</c>, in <c>data_dir</c> otherwise); null on a client agent.</summary>
    public RaftLog? Raft { get; }

    public IKvEndpoint Kv { get; }

    public ITxnEndpoint Txn { get; }

    /// <summary>Sessions (<c>/v1/session/*</c>).</summary>
    public ISessionEndpoint Sessions { get; }

    public IStatusEndpoint Status { get; }

    /// <summary>The Raft configuration and peer removal (<c>/v1/operator/raft/*</c>): the leader answers; a client agent asks a server by RPC.</summary>
    public IRaftOperator RaftOperator { get; }

    public ICatalogEndpoint Catalog { get; }

    public IHealthEndpoint Health { get; }

    /// <summary>Network coordinates: this agent's updates go here, and the HTTP API reads them (<c>/v1/coordinate/*</c>, <c>?near</c>).</summary>
    public ICoordinateEndpoint Coordinate { get; }

    /// <summary>Backup: save and restore the whole state (<c>/v1/snapshot</c>); a client agent's go to a server by RPC.</summary>
    public ISnapshotEndpoint Snapshot { get; }

    /// <summary>This agent's services and checks, and the operations on them.</summary>
    public AgentEndpoint AgentLocal { get; }

    public LocalState LocalState { get; }

    /// <summary>Completes once this node is in the catalog with its configured services and checks.</summary>
    public Task Ready { get; }

    /// <summary>This agent as its event handler scripts see it (SERF_SELF_NAME, SERF_SELF_ROLE, SERF_TAG_*).</summary>
    private HandlerSelf HandlerSelf() =>
        new(Config.NodeName, _lan?.LocalMember()?.Tags ?? ConsulMemberTags.For(Config, NodeId));

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
    /// Joins the WAN pool (servers, unless <c>ports.serf_wan</c> is -1) and then the LAN pool
    /// (unless <c>ports.serf_lan</c> is -1), as Consul's server sets them up, registers this node
    /// as the leader reconciles a live member (its node, a passing serfHealth check, the "consul"
    /// service), then the services and checks of the config files; waits for the first
    /// anti-entropy sync, then starts the pools' loops (events, reconciliation, retry join).
    /// </summary>
    private async Task StartAsync()
    {
        var token = _lifetime.Token;
        var tags = ConsulMemberTags.For(Config, NodeId);
        var lanFactory = _options.LanPool ?? GossipPoolDefaults.Factory;
        var wanFactory = _options.WanPool ?? _options.LanPool ?? GossipPoolDefaults.Factory;
        if (Config.RunsWanPool)
        {
            _wan = await GossipPool.StartAsync(GossipArea.Wan, Config, ConsulMemberTags.ForWan(Config, NodeId), wanFactory, null, _options.Time, _options.Logs, Meters, token).ConfigureAwait(false);
            StopOnRetryJoinFailure(_wan);
            if (Config.SerfWanPort == 0)
            {
                // A free port was picked: LAN members learn the one bound.
                tags["wan_join_port"] = _wan.Pool.AdvertiseEndpoint.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }
        }
        if (_server is not null && Config.ServerPort == 0)
        {
            // A free port was picked: the other servers learn the one bound.
            tags["port"] = _server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        if (Config.SerfLanPort != AgentConfig.PortDisabled)
        {
            var isServer = Config.Server || Config.DevMode;
            _lan = await GossipPool.StartAsync(GossipArea.Lan, Config, tags, lanFactory, isServer ? _reconciler : null, _options.Time, _options.Logs, Meters, token).ConfigureAwait(false);
            _lan.EventReceived += _eventReceiver.Deliver;
            StopOnRetryJoinFailure(_lan);
        }
        await _reconciler.RegisterSelfAsync(tags, token).ConfigureAwait(false);
        foreach (var service in Config.Services)
        {
            AgentLocal.RegisterService(service, RegistrationSource.Local);
        }
        foreach (var check in Config.Checks)
        {
            AgentLocal.RegisterCheck(check, RegistrationSource.Local);
        }
        _antiEntropy.Start();
        if (Config.DevMode)
        {
            // -dev leads at once: the agent is in the catalog before it reports ready.
            await _antiEntropy.FirstSync.ConfigureAwait(false);
        }
        _lan?.Run();
        _wan?.Run();
        if (_lan is not null)
        {
            _coordinateSender.Start();
        }
        if (_server is { } server)
        {
            // A cluster has a leader only once enough servers met: anti-entropy syncs when it does.
            if (_lan is not null)
            {
                _lan.EventReceived += e =>
                {
                    if (e is SerfMemberEvent)
                    {
                        server.Wake();
                    }
                };
            }
            server.Run(() => _lan?.Members() ?? [], () => _lan?.RequestFullReconcile());
        }
    }

    /// <summary>A pool's retry join that gives up stops the agent (Consul's retryJoinCh).</summary>
    private void StopOnRetryJoinFailure(GossipPool pool) =>
        _ = pool.RetryJoinFailed.ContinueWith(
            t => _shutdownRequested.TrySetException(t.Exception!.InnerExceptions),
            CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);

    /// <summary>The datacenters of the Consul servers in the WAN pool that have not left, nearest first by their WAN coordinates.</summary>
    private IEnumerable<string> WanDatacenters() =>
        _wan is null ? [] : DatacenterDistance.Order(_wan.Pool.LocalCoordinate, WanCoordinates());

    /// <summary>
    /// The WAN coordinates of the servers in the WAN pool that have not left, by datacenter (Consul's
    /// getDatacenterMaps): each server named <c>node.dc</c> with the coordinate its pings carried
    /// (this server's own from its pool); servers heard of but not yet probed are left out.
    /// </summary>
    private IReadOnlyList<DatacenterCoordinates> WanCoordinates()
    {
        if (_wan is null)
        {
            return [];
        }
        var byDatacenter = new SortedDictionary<string, List<State.Coordinates.CoordinateEntry>>(StringComparer.Ordinal);
        foreach (var member in _wan.Members())
        {
            if (member.Status is MemberStatus.Left or MemberStatus.None || !ConsulMemberTags.IsServer(member.Tags, out var dc, out _))
            {
                continue;
            }
            if (!byDatacenter.TryGetValue(dc, out var servers))
            {
                byDatacenter[dc] = servers = [];
            }
            if (_wan.Pool.CachedCoordinate(member.Name) is { } coordinate)
            {
                servers.Add(new State.Coordinates.CoordinateEntry(member.Name, "", coordinate));
            }
        }
        return [.. byDatacenter.Select(kv => new DatacenterCoordinates(kv.Key, "wan", kv.Value))];
    }

    /// <summary>The node ID and name of the server with Raft id <paramref name="raftId"/>: this agent, or a LAN member; null when gossip knows none.</summary>
    private (string NodeId, string Node)? ServerNode(ulong raftId)
    {
        if (raftId == Raft?.Id)
        {
            return (NodeId, Config.NodeName);
        }
        foreach (var server in ServerMember.InDatacenter(_lan?.Members() ?? [], Config.Datacenter))
        {
            if (server.RaftId == raftId)
            {
                return (server.NodeId, server.Name);
            }
        }
        return null;
    }

    /// <summary>
    /// Runs an anti-entropy full sync now, as the periodic one does: reads the catalog's view of
    /// this node back and repairs any drift from the local state (for tests and `reload`).
    /// </summary>
    public Task SyncNowAsync(CancellationToken cancellationToken = default) => _antiEntropy.FullSyncAsync(cancellationToken);

    /// <summary>This server's RPC address as peers know it.</summary>
    public string ServerAddress => _server?.Address ?? $"{Config.AdvertiseAddress}:{(Config.ServerPort > 0 ? Config.ServerPort : 8300)}";

    /// <summary>This agent as a gossip member, with Consul's member tags: from the pool when it runs.</summary>
    public AgentMember Member()
    {
        if (_lan?.LocalMember() is { } local)
        {
            return ConsulMemberTags.ToAgentMember(local);
        }
        var port = Config.SerfLanPort > 0 ? Config.SerfLanPort : 8301;
        return new AgentMember(Config.NodeName, Config.AdvertiseAddress, port, ConsulMemberTags.For(Config, NodeId), Status: 1,
            ProtocolMin: 1, ProtocolMax: 5, ProtocolCur: 2, DelegateMin: 2, DelegateMax: 5, DelegateCur: 4);
    }

    /// <summary>
    /// The members of the LAN pool, this agent included (<c>/v1/agent/members</c>); with
    /// <paramref name="segment"/> other than "" or "_all" only that segment's. With
    /// <paramref name="wan"/>, the WAN pool's members (<c>node.dc</c>); none when this agent runs
    /// no WAN pool (a client, or <c>ports.serf_wan</c> -1), as Consul answers.
    /// </summary>
    public IReadOnlyList<AgentMember> Members(bool wan = false, string? segment = null)
    {
        if (wan)
        {
            return _wan is null ? [] : [.. _wan.Members().Select(ConsulMemberTags.ToAgentMember)];
        }
        IReadOnlyList<AgentMember> members = _lan is null ? [Member()] : [.. _lan.Members().Select(ConsulMemberTags.ToAgentMember)];
        if (!string.IsNullOrEmpty(segment) && segment != "_all")
        {
            members = [.. members.Where(m => m.Tags.GetValueOrDefault("segment", "") == segment)];
        }
        return members;
    }

    /// <summary>
    /// Joins the LAN pool through <paramref name="addresses"/> (Consul's JoinLAN); returns how
    /// many answered. <see cref="GossipException"/> with the pool's error when none did, or when
    /// this agent runs no pool.
    /// </summary>
    public Task<int> JoinAsync(IReadOnlyList<string> addresses, CancellationToken cancellationToken = default)
    {
        if (_lan is null)
        {
            throw new GossipException("this agent runs no LAN gossip pool (ports.serf_lan = -1)");
        }
        return _lan.JoinAsync(addresses, cancellationToken);
    }

    /// <summary>
    /// Joins the WAN pool through servers of other datacenters (Consul's JoinWAN); returns how
    /// many answered. <see cref="GossipException"/> with Consul's error on a client ("Must be a
    /// server to join WAN cluster") or with the WAN pool off ("WAN Federation is disabled"), or
    /// with the pool's error when none answered.
    /// </summary>
    public Task<int> JoinWanAsync(IReadOnlyList<string> addresses, CancellationToken cancellationToken = default) =>
        WanPool("Must be a server to join WAN cluster").JoinAsync(addresses, cancellationToken);

    /// <summary>The WAN pool, or Consul's error for an agent without one (<paramref name="clientError"/> on a client).</summary>
    private GossipPool WanPool(string clientError)
    {
        if (!(Config.Server || Config.DevMode))
        {
            throw new GossipException(clientError);
        }
        return _wan ?? throw new GossipException("WAN Federation is disabled");
    }

    /// <summary>
    /// Consul's keyring operation (<c>/v1/operator/keyring</c>, <c>consul keyring</c>): Serf's
    /// keyring query across each gossip pool this agent runs, the WAN pool first (servers) and then
    /// the LAN pool, as Consul's KeyringOperation; with <paramref name="localOnly"/> (a list only)
    /// the LAN pool alone (no WAN traffic). A key that is not base64 of 16, 24 or 32 bytes is a bad
    /// request; <see cref="GossipException"/> without a LAN pool.
    /// </summary>
    public async Task<IReadOnlyList<KeyringPoolResponse>> KeyringAsync(KeyringOperation operation, string? key, byte relayFactor, bool localOnly, CancellationToken cancellationToken = default)
    {
        if (_lan is null)
        {
            throw new GossipException("this agent runs no LAN gossip pool (ports.serf_lan = -1)");
        }
        if (operation != KeyringOperation.List)
        {
            ValidateGossipKey(key);
        }
        var responses = new List<KeyringPoolResponse>(2);
        foreach (var pool in localOnly ? [_lan] : (GossipPool?[])[_wan, _lan])
        {
            if (pool is not null)
            {
                var response = await pool.Pool.KeyringAsync(operation, key, relayFactor, cancellationToken).ConfigureAwait(false);
                responses.Add(new KeyringPoolResponse(pool.Area == GossipArea.Wan, Config.Datacenter, "", response));
            }
        }
        return responses;
    }

    /// <summary>A gossip key must be base64 (standard alphabet, padded) of an AES-128, -192 or -256 key.</summary>
    private static void ValidateGossipKey(string? key)
    {
        if (string.IsNullOrEmpty(key))
        {
            throw EndpointException.BadRequest("Key is required");
        }
        if (!Praetor.Agent.Config.ConfigFileReader.TryDecodedKeyLength(key, out var length))
        {
            throw EndpointException.BadRequest("Invalid key: not base64");
        }
        if (!Praetor.Gossip.Memberlist.Wire.Keyring.IsValidKeyLength(length))
        {
            throw EndpointException.BadRequest($"Invalid key: key size must be 16, 24 or 32 bytes, got {length}");
        }
    }

    /// <summary>
    /// Leaves the WAN pool and then the LAN pool gracefully (each intent spreads before gossip
    /// stops), as a Consul server leaves, then asks the host to shut down
    /// (<see cref="ShutdownRequested"/>), as Consul's <c>/v1/agent/leave</c> does.
    /// </summary>
    public async Task LeaveAsync(CancellationToken cancellationToken = default)
    {
        await _leaveLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!_left)
            {
                if (_server is not null)
                {
                    await _server.LeaveAsync(cancellationToken).ConfigureAwait(false);
                }
                if (_wan is not null)
                {
                    await _wan.LeaveAsync(cancellationToken).ConfigureAwait(false);
                }
                if (_lan is not null)
                {
                    await _lan.LeaveAsync(cancellationToken).ConfigureAwait(false);
                }
            }
            _left = true;
        }
        finally
        {
            _leaveLock.Release();
        }
        _shutdownRequested.TrySetResult();
    }

    /// <summary>
    /// Marks a failed member as left (<paramref name="prune"/>: forgets it at once), Consul's
    /// force-leave; <see cref="GossipException"/> "agent: No node found with name '...'" when the pool has no such member.
    /// </summary>
    public void ForceLeave(string node, bool prune)
    {
        if (_lan is null || !_lan.ForceLeave(node, prune))
        {
            throw new GossipException(NoSuchNode(node));
        }
    }

    /// <summary>
    /// Force-leave on the WAN pool (Consul's ForceLeaveWAN), <paramref name="node"/> named
    /// <c>node.dc</c>: Consul's error on a client or with the WAN pool off, and the LAN's
    /// "No node found" error when the pool has no such member.
    /// </summary>
    public void ForceLeaveWan(string node, bool prune)
    {
        if (!WanPool("Must be a server to force-leave a node from the WAN cluster").ForceLeave(node, prune))
        {
            throw new GossipException(NoSuchNode(node));
        }
    }

    private static string NoSuchNode(string node) => $"agent: No node found with name '{node}'";

    /// <summary>
    /// Re-reads the configuration (<see cref="ConfigSource"/>) and applies its services, checks,
    /// event handlers and watches: services and checks no longer defined are deregistered, the rest registered anew. Everything is
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
            _eventHandlers.UpdateScripts(EventScript.ParseAll(next.EventHandlers, out _));
            Config = Config with { Services = next.Services, Checks = next.Checks, EventHandlers = next.EventHandlers, Watches = next.Watches };
        }

        Reloaded?.Invoke(this, EventArgs.Empty);
    }

    /// <summary>Raised after <see cref="Reload"/> applied a configuration (<see cref="Config"/> holds it); the host restarts changed watches on it.</summary>
    public event EventHandler? Reloaded;

    public async ValueTask DisposeAsync()
    {
        await _lifetime.CancelAsync().ConfigureAwait(false);
        // The pool may be starting still: let that end (bounded) so it is disposed, not leaked.
        try
        {
            await Ready.WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // A failed or cancelled start was already reported to whoever awaited Ready.
        }
        await _coordinateSender.DisposeAsync().ConfigureAwait(false);
        if (_lan is not null)
        {
            await _lan.DisposeAsync().ConfigureAwait(false);
        }
        if (_wan is not null)
        {
            await _wan.DisposeAsync().ConfigureAwait(false);
        }
        _eventReceiver.Dispose();
        await _eventHandlers.DisposeAsync().ConfigureAwait(false);
        await AgentLocal.DisposeAsync().ConfigureAwait(false);
        await _antiEntropy.DisposeAsync().ConfigureAwait(false);
        await _reaper.DisposeAsync().ConfigureAwait(false);
        await _sessionReaper.DisposeAsync().ConfigureAwait(false);
        if (_coordinates is not null)
        {
            await _coordinates.DisposeAsync().ConfigureAwait(false);
        }
        if (_server is not null)
        {
            await _server.DisposeAsync().ConfigureAwait(false);
        }
        else if (Raft is not null)
        {
            await Raft.DisposeAsync().ConfigureAwait(false);
        }
        if (_clientRpc is not null)
        {
            await _clientRpc.DisposeAsync().ConfigureAwait(false);
        }
        MetricsSink.Dispose();
        Meters.Dispose();
        _lifetime.Dispose();
        _leaveLock.Dispose();
    }
}

/// <summary>How an agent is started beyond its configuration: its clock, its gossip pool, its logs.</summary>
public sealed record AgentStartOptions
{
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>Starts the LAN pool; null: the real Serf pool (<see cref="GossipPoolDefaults.Factory"/>).</summary>
    public SerfPoolFactory? LanPool { get; init; }

    /// <summary>Starts the WAN pool; null: the same factory as <see cref="LanPool"/>.</summary>
    public SerfPoolFactory? WanPool { get; init; }

    public ILoggerFactory? Logs { get; init; }

    /// <summary>
    /// When set, the agent's endpoints read through it from a server (<see cref="EndpointRpcClient"/>
    /// and the <c>Remote*Endpoint</c>s, as a client agent's do), and its Raft operator and snapshot
    /// endpoints are the server's (<see cref="RemoteRaftOperator"/>, <see cref="RemoteSnapshotEndpoint"/>),
    /// while writes still go to its own log.
    /// The seam through which a client agent is wired to the servers' RPC; tests pass an in-process one.
    /// </summary>
    public IServerRpc? ServerRpc { get; init; }

    /// <summary>The metrics aggregation interval (Consul's 10 s); tests shorten it so finished intervals come sooner.</summary>
    public TimeSpan MetricsInterval { get; init; } = InmemSink.DefaultInterval;
}
