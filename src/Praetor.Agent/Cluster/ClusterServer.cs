using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Praetor.Agent.Endpoints;
using Praetor.Agent.Endpoints.Remote;
using Praetor.Agent.Rpc;
using Praetor.Gossip.Serf;
using Praetor.Raft;
using Praetor.Raft.Core;
using Praetor.Raft.Transport;

namespace Praetor.Agent.Cluster;

/// <summary>
/// A server agent's part in its datacenter's cluster: the server port (Raft messages and the
/// agent RPC), its Raft log on disk in <c>&lt;data_dir&gt;/raft</c>, the <see cref="ForwardingLog"/>
/// its endpoints use, and one loop that learns the servers from the LAN pool's tags and carries
/// out Consul's server life cycle: bootstrap (<c>-bootstrap</c>, or <c>bootstrap_expect</c> once
/// enough servers are seen and none reports peers), and on the leader the Raft membership
/// (<see cref="RaftMembershipPlan"/>) and, when leadership is gained, a full catalog reconcile.
/// </summary>
public sealed class ClusterServer : IAsyncDisposable
{
    /// <summary>How often the loop looks at gossip and leadership when nothing wakes it sooner.</summary>
    public static readonly TimeSpan LoopInterval = TimeSpan.FromMilliseconds(500);

    private readonly AgentConfig _config;
    private readonly ConcurrentDictionary<ulong, string> _addresses;
    private readonly ServerPortListener _listener;
    private readonly TcpRaftTransport _transport;
    private readonly RpcServer _rpcServer;
    private readonly ILogger _log;
    private readonly TimeProvider _time;
    private readonly long _startTimestamp;
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _wake = new(0, 1);
    private Task _loop = Task.CompletedTask;
    private bool _bootstrapDone;
    private bool _wasLeader;
    private NonVoterHealth _nonVoterHealth = new();

    private ClusterServer(AgentConfig config, ulong id, string address, ConcurrentDictionary<ulong, string> addresses, ServerPortListener listener,
        TcpRaftTransport transport, RpcServer rpcServer, RpcClient rpc, RaftLog raft, TimeProvider time, ILogger log)
    {
        _config = config;
        Id = id;
        Address = address;
        _addresses = addresses;
        _listener = listener;
        _transport = transport;
        _rpcServer = rpcServer;
        Rpc = rpc;
        Raft = raft;
        _time = time;
        _startTimestamp = time.GetTimestamp();
        _log = log;
        Log = new ForwardingLog(raft, rpc, () => null, () => { }, time);
        _bootstrapDone = raft.Peers.Count > 0;
        rpcServer.Register(ForwardingLog.ApplyMethod, Log.ServeApplyAsync);
        rpcServer.Register(ForwardingLog.ReadIndexMethod, Log.ServeReadIndexAsync);
        Leader = new RemoteRaftOperator(new EndpointRpcClient(new DirectServerRpc(rpc, () => raft.Leader is { KnownLeader: true } leader ? leader.LeaderAddress : null), config));
    }

    /// <summary>This server's Raft id.</summary>
    public ulong Id { get; }

    /// <summary>This server's RPC address as the others reach it (<c>advertise:port</c>, the bound port when <c>ports.server</c> is 0).</summary>
    public string Address { get; }

    /// <summary>The port the server listens on.</summary>
    public int Port => _listener.LocalEndPoint.Port;

    /// <summary>The Raft log on disk.</summary>
    public RaftLog Raft { get; }

    /// <summary>What the endpoints write through: the leader's log, here or over RPC.</summary>
    public ForwardingLog Log { get; }

    /// <summary>The agent RPC client (forwarding, bootstrap checks).</summary>
    public RpcClient Rpc { get; }

    /// <summary>The leader's Raft operator endpoints, by RPC: where this server's <see cref="RaftOperator"/> forwards when it follows.</summary>
    public IRaftOperator Leader { get; }

    /// <summary>
    /// Serves the endpoint layer to client agents and the other servers over RPC
    /// (<see cref="EndpointRpcHandlers"/>): reads, sessions, coordinates, the Raft operator's calls, snapshots.
    /// </summary>
    public void RegisterEndpoints(IKvEndpoint kv, ITxnEndpoint txn, ICatalogEndpoint catalog, IHealthEndpoint health, IStatusEndpoint status,
        ISessionEndpoint sessions, ICoordinateEndpoint coordinate, IRaftOperator raftOperator, ISnapshotEndpoint snapshot) =>
        EndpointRpcHandlers.Register(_rpcServer.Register, kv, txn, catalog, health, status, sessions, coordinate, raftOperator, snapshot);

    /// <summary>
    /// Opens the Raft storage in <c>&lt;data_dir&gt;/raft</c> (a damaged file stops start-up with
    /// <see cref="RaftStorageException"/> naming it), binds the server port, starts the log.
    /// </summary>
    public static ClusterServer Start(AgentConfig config, string nodeId, IStateMachine stateMachine, IMeterFactory meters, ILoggerFactory? logs, TimeProvider time)
    {
        var log = logs?.CreateLogger("agent.server") ?? NullLogger.Instance;
        var id = RaftServerId.From(nodeId);
        var bind = new IPEndPoint(IPAddress.Parse(config.BindAddr), config.ServerPort);
        ServerPortListener listener;
        try
        {
            listener = new ServerPortListener(bind, logs?.CreateLogger("agent.server.rpc"));
        }
        catch (System.Net.Sockets.SocketException ex)
        {
            throw new InvalidOperationException($"failed to start the server RPC listener on {bind}: {ex.Message}", ex);
        }
        try
        {
            var address = $"{config.AdvertiseAddress}:{listener.LocalEndPoint.Port}";
            var addresses = new ConcurrentDictionary<ulong, string> { [id] = address };
            var transport = new TcpRaftTransport(id, addresses, logs?.CreateLogger("agent.server.raft"), meters);
            var storage = RaftLog.OpenDataDirectory(config.DataDir!);
            foreach (var warning in storage.Warnings)
            {
                log.LogWarning("{Message}", warning);
            }
            var raft = new RaftLog(new RaftLogOptions
            {
                ServerId = id,
                Storage = storage,
                StateMachine = stateMachine,
                Transport = transport,
                Addresses = addresses,
                // Consul's performance.raft_multiplier scales the Raft timings (5 by default: a 5 s election timeout).
                TickInterval = RaftLog.DefaultTickInterval * config.RaftMultiplier,
                Meters = meters,
                Time = time,
            });
            var rpcServer = new RpcServer(logs?.CreateLogger("agent.server.rpc"));
            var rpc = new RpcClient(logs?.CreateLogger("agent.rpc"));
            listener.Register(ServerConnectionType.Raft, (stream, ct) => transport.ServeAsync(stream, raft.Deliver, ct));
            listener.Register(ServerConnectionType.Rpc, rpcServer.ServeAsync);
            var server = new ClusterServer(config, id, address, addresses, listener, transport, rpcServer, rpc, raft, time, log);
            listener.Start();
            return server;
        }
        catch
        {
            listener.DisposeAsync().AsTask().GetAwaiter().GetResult();
            throw;
        }
    }

    /// <summary>Starts the loop over the LAN pool's <paramref name="members"/>; <paramref name="becameLeader"/> runs each time this server gains leadership.</summary>
    public void Run(Func<IReadOnlyList<SerfMember>> members, Action becameLeader)
    {
        _loop = Task.Run(() => LoopAsync(members, becameLeader, _stop.Token));
    }

    /// <summary>Wakes the loop now (a member event).</summary>
    public void Wake()
    {
        try
        {
            if (_wake.CurrentCount == 0)
            {
                _wake.Release();
            }
        }
        catch (SemaphoreFullException)
        {
            // Already awake.
        }
    }

    private async Task LoopAsync(Func<IReadOnlyList<SerfMember>> members, Action becameLeader, CancellationToken token)
    {
        while (!token.IsCancellationRequested)
        {
            try
            {
                var servers = ServerMember.InDatacenter(members(), _config.Datacenter);
                foreach (var server in servers)
                {
                    if (server.RaftId != Id)
                    {
                        _addresses[server.RaftId] = server.Address;
                    }
                }
                if (!_bootstrapDone)
                {
                    await TryBootstrapAsync(servers, token).ConfigureAwait(false);
                }
                var leader = Raft.Leader.IsLeader;
                if (leader && !_wasLeader)
                {
                    Write(LogLevel.Information, "cluster leadership acquired");
                    _nonVoterHealth = new NonVoterHealth();
                    becameLeader();
                }
                else if (!leader && _wasLeader)
                {
                    Write(LogLevel.Information, "cluster leadership lost");
                }
                _wasLeader = leader;
                if (leader)
                {
                    await ReconcileMembershipAsync(servers, token).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                Write(LogLevel.Error, $"server loop failed, retrying: error=\"{ex.Message}\"");
            }
            try
            {
                await _wake.WaitAsync(LoopInterval, token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task TryBootstrapAsync(IReadOnlyList<ServerMember> servers, CancellationToken token)
    {
        if (_config.Bootstrap)
        {
            await BootstrapAsync([(Id, Address)], token).ConfigureAwait(false);
            return;
        }
        if (_config.BootstrapExpect <= 0)
        {
            _bootstrapDone = true;
            return;
        }
        switch (BootstrapExpect.Decide(_config.BootstrapExpect, servers))
        {
            case BootstrapExpect.Refuse refuse:
                Write(LogLevel.Error, refuse.Message);
                return;
            case BootstrapExpect.Wait:
                return;
            case BootstrapExpect.Bootstrap ready:
                foreach (var server in ready.Servers)
                {
                    if (server.RaftId == Id)
                    {
                        continue;
                    }
                    IReadOnlyList<string> peers;
                    try
                    {
                        var status = new RemoteStatusEndpoint(new EndpointRpcClient(new DirectServerRpc(Rpc, () => server.Address), _config));
                        peers = await status.PeersAsync(token).ConfigureAwait(false);
                    }
                    catch (Exception ex) when (ex is NotLeaderException or EndpointException)
                    {
                        Write(LogLevel.Error, $"Failed to confirm peer status for {server.Name}: {ex.Message}. Retrying...");
                        return;
                    }
                    if (peers.Count > 0)
                    {
                        Write(LogLevel.Warning, $"Existing Raft peers reported by {server.Name}, disabling bootstrap mode");
                        _bootstrapDone = true;
                        return;
                    }
                }
                Write(LogLevel.Information, $"found expected number of peers, attempting bootstrap: peers={string.Join(",", ready.Servers.Select(s => s.Address))}");
                await BootstrapAsync([.. ready.Servers.Select(s => (s.RaftId, s.Address))], token).ConfigureAwait(false);
                return;
        }
    }

    private async Task BootstrapAsync(IReadOnlyList<(ulong Id, string Address)> voters, CancellationToken token)
    {
        if (!await Raft.BootstrapAsync(voters, token).ConfigureAwait(false))
        {
            Write(LogLevel.Information, "Raft data found, disabling bootstrap mode");
        }
        _bootstrapDone = true;
    }

    private async Task ReconcileMembershipAsync(IReadOnlyList<ServerMember> servers, CancellationToken token)
    {
        // One change at a time, each committed before the next is planned.
        for (var i = 0; i < 16 && Raft.Leader.IsLeader; i++)
        {
            var current = Raft.GetConfiguration().Servers;
            var stable = _nonVoterHealth.Observe(_time.GetElapsedTime(_startTimestamp), current, Raft.MatchIndex, Raft.CommitIndex, servers, _config.ServerStabilizationTime);
            var change = RaftMembershipPlan.Next(Id, current, servers, cleanupDeadServers: true, stable);
            if (change is null)
            {
                return;
            }
            var (type, address, action) = change switch
            {
                RaftMembershipPlan.AddNonVoter add => (ConfigChangeType.AddNonVoter, add.Address, $"adding server to the Raft configuration as a non-voter: id={add.RaftId} address={add.Address}"),
                RaftMembershipPlan.Promote promote => (ConfigChangeType.AddVoter, promote.Address, $"promoting server to voter: id={promote.RaftId} address={promote.Address}"),
                _ => (ConfigChangeType.RemoveServer, "", $"removing server from the Raft configuration: id={change.RaftId}"),
            };
            Write(LogLevel.Information, $"{action} reason=\"{change.Reason}\"");
            await Raft.ChangeConfigurationAsync(type, change.RaftId, address, token).ConfigureAwait(false);
        }
    }

    /// <summary>A graceful leave: the leader hands leadership to another voter first (the new leader then removes this server when gossip says it left).</summary>
    public async Task LeaveAsync(CancellationToken cancellationToken)
    {
        if (Raft.Leader.IsLeader && Raft.Peers.Count > 1)
        {
            try
            {
                await Raft.TransferLeadershipAsync(null, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                Write(LogLevel.Warning, $"failed to transfer leadership before leaving: error=\"{ex.Message}\"");
            }
        }
    }

    private void Write(LogLevel level, string message)
    {
        if (_log.IsEnabled(level))
        {
            _log.Log(level, "{Message}", message);
        }
    }

    /// <summary>Stops the loop, the server port, the transport and the log (in that order).</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        await _listener.DisposeAsync().ConfigureAwait(false);
        await _transport.DisposeAsync().ConfigureAwait(false);
        await Rpc.DisposeAsync().ConfigureAwait(false);
        await Raft.DisposeAsync().ConfigureAwait(false);
        _stop.Dispose();
        _wake.Dispose();
    }
}
