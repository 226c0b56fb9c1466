using System.Diagnostics.Metrics;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Praetor.Gossip;
using Praetor.Gossip.Serf;

namespace Praetor.Agent.Gossip;

/// <summary>
/// The agent on one of its gossip pools (<see cref="GossipArea"/>): one loop consumes the pool's
/// events (on the LAN, member events are queued for the leader's catalog reconciliation; every
/// event goes to <see cref="EventReceived"/>), one loop reconciles members into the catalog (LAN
/// only: each queued member, and everyone every <see cref="ReconcileInterval"/>), and the
/// retry-join loop joins the configured addresses (<c>retry_join</c>/<c>start_join</c> on the
/// LAN, <c>retry_join_wan</c>/<c>start_join_wan</c> on the WAN) as Consul's retry joiner does.
/// </summary>
public sealed class GossipPool : IAsyncDisposable
{
    /// <summary>How often the leader reconciles every member (Consul's ReconcileInterval).</summary>
    public static readonly TimeSpan ReconcileInterval = TimeSpan.FromSeconds(60);

    private readonly AgentConfig _config;
    private readonly MemberReconciler? _reconciler;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly string _cluster;
    private readonly CancellationTokenSource _stop = new();
    private readonly Channel<(SerfMember? Member, bool Reaped)> _reconcileQueue = Channel.CreateUnbounded<(SerfMember?, bool)>(new UnboundedChannelOptions { SingleReader = true });
    private readonly TaskCompletionSource _retryJoinFailed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task _events = Task.CompletedTask;
    private Task _reconcile = Task.CompletedTask;
    private Task _retryJoin = Task.CompletedTask;
    private int _disposed;

    private GossipPool(GossipArea area, AgentConfig config, ISerfPool pool, MemberReconciler? reconciler, TimeProvider time, ILogger log)
    {
        Area = area;
        _cluster = ClusterName(area);
        _config = config;
        Pool = pool;
        _reconciler = reconciler;
        _time = time;
        _log = log;
    }

    /// <summary>
    /// Starts the pool of <paramref name="area"/> on its bind address and port
    /// (<see cref="Settings"/>) with <paramref name="tags"/>; a failure to bind is a
    /// <see cref="GossipPoolStartException"/>. <paramref name="reconciler"/> is null on agents
    /// that do not reconcile (clients) and on the WAN.
    /// </summary>
    public static async Task<GossipPool> StartAsync(
        GossipArea area, AgentConfig config, IReadOnlyDictionary<string, string> tags, SerfPoolFactory factory, MemberReconciler? reconciler,
        TimeProvider time, ILoggerFactory? logs, IMeterFactory? meters, CancellationToken cancellationToken)
    {
        if (area == GossipArea.Wan && reconciler is not null)
        {
            throw new ArgumentException("the WAN pool's members are not reconciled into the catalog", nameof(reconciler));
        }
        var log = logs?.CreateLogger("agent") ?? NullLogger.Instance;
        var settings = Settings(area, config, tags, logs) with { MeterFactory = meters };
        ISerfPool pool;
        try
        {
            settings = settings with { Keyring = LoadOrCreateKeyringFile(settings, log) };
            pool = await factory(settings, time, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw new GossipPoolStartException($"failed to start the Serf {ClusterName(area)} pool on {settings.Bind}: {ex.Message}", ex);
        }
        return new GossipPool(area, config, pool, reconciler, time, log);
    }

    /// <summary>
    /// Consul's keyring file: when it exists it is the keyring (an <c>encrypt</c> key is then ignored,
    /// with a warning); otherwise the <c>encrypt</c> key is written to it, so keyring changes made
    /// later by <c>consul keyring</c> survive a restart. A file that cannot be read or written is
    /// a <see cref="GossipException"/>.
    /// </summary>
    private static Praetor.Gossip.Memberlist.Wire.Keyring? LoadOrCreateKeyringFile(GossipPoolSettings settings, ILogger log)
    {
        if (settings.KeyringFile is not { } path)
        {
            return settings.Keyring;
        }
        if (KeyringFile.Read(path) is { } stored)
        {
            if (settings.Keyring is not null)
            {
                log.Log(LogLevel.Warning, "{Message}", $"loaded the {ClusterName(settings.Area)} keyring from {path}: the encrypt key in the configuration is ignored");
            }
            return stored;
        }
        if (settings.Keyring is { } keyring && KeyringFile.Write(path, keyring) is { } error)
        {
            throw new GossipException(error);
        }
        return settings.Keyring;
    }

    /// <summary>
    /// What a pool is started with. LAN: <c>bind_addr:ports.serf_lan</c> advertising
    /// <c>advertise_addr</c>, member name <c>node</c>, Consul's gossip_lan timings. WAN:
    /// <c>serf_wan</c> (else <c>bind_addr</c>) <c>:ports.serf_wan</c> advertising
    /// <c>advertise_addr_wan</c> (else <c>advertise_addr</c>), member name <c>node.dc</c>,
    /// Consul's gossip_wan timings. <c>-dev</c> gossips faster on both, near Consul's dev config.
    /// Both use the <c>encrypt</c> key.
    /// </summary>
    public static GossipPoolSettings Settings(GossipArea area, AgentConfig config, IReadOnlyDictionary<string, string> tags, ILoggerFactory? logs)
    {
        var wan = area == GossipArea.Wan;
        var bindIp = System.Net.IPAddress.Parse(wan ? config.SerfWanBindAddr ?? config.BindAddr : config.BindAddr);
        var advertiseIp = System.Net.IPAddress.Parse(wan ? config.AdvertiseAddressWan : config.AdvertiseAddress);
        var port = Math.Max(wan ? config.SerfWanPort : config.SerfLanPort, 0);
        // The address others reach this member at; port 0 (a free port) advertises the port bound.
        var advertise = new System.Net.IPEndPoint(advertiseIp, port);
        var gossip = Options(area, config);
        var serf = new SerfOptions { ReconnectTimeout = TimeSpan.FromHours(72) };
        Praetor.Gossip.Memberlist.Wire.Keyring? keyring = null;
        if (!string.IsNullOrEmpty(config.Encrypt))
        {
            keyring = new Praetor.Gossip.Memberlist.Wire.Keyring(Convert.FromBase64String(config.Encrypt));
        }
        var role = config.Server || config.DevMode ? "server" : "client";
        return new GossipPoolSettings(
            area,
            wan ? WanName(config) : config.NodeName,
            new System.Net.IPEndPoint(bindIp, port),
            advertise,
            tags,
            gossip,
            serf,
            keyring,
            logs?.CreateLogger($"agent.{role}.serf.{(wan ? "wan" : "lan")}"))
        {
            SnapshotPath = SnapshotPath(area, config),
            RejoinAfterLeave = config.RejoinAfterLeave,
            KeyringFile = KeyringFilePath(area, config),
        };
    }

    /// <summary>
    /// A pool's memberlist parameters: Consul's gossip_lan or gossip_wan defaults; <c>-dev</c>
    /// gossips faster on both (every 100 ms, probes every 200 ms with a 100 ms timeout, suspicion
    /// multiplier 3), near Consul's dev config, so failures show in a second or two; then the
    /// <c>gossip_lan</c> / <c>gossip_wan</c> keys given in the config.
    /// </summary>
    public static Praetor.Gossip.Memberlist.GossipOptions Options(GossipArea area, AgentConfig config)
    {
        var wan = area == GossipArea.Wan;
        var gossip = wan ? Praetor.Gossip.Memberlist.GossipOptions.Wan() : Praetor.Gossip.Memberlist.GossipOptions.Lan();
        if (config.DevMode)
        {
            gossip = gossip with
            {
                GossipInterval = TimeSpan.FromMilliseconds(100),
                ProbeInterval = TimeSpan.FromMilliseconds(200),
                ProbeTimeout = TimeSpan.FromMilliseconds(100),
                SuspicionMult = 3,
            };
        }
        return (wan ? config.GossipWan : config.GossipLan).ApplyTo(gossip);
    }

    /// <summary>
    /// Where a pool keeps Serf's snapshot: <c>&lt;data_dir&gt;/serf/local.snapshot</c> for the LAN,
    /// <c>serf/remote.snapshot</c> for the WAN (Consul's paths). None in -dev, even with a
    /// <c>-data-dir</c>, as Consul's setupSerf.
    /// </summary>
    public static string? SnapshotPath(GossipArea area, AgentConfig config) =>
        config.DevMode || string.IsNullOrEmpty(config.DataDir)
            ? null
            : Path.Combine(config.DataDir, "serf", area == GossipArea.Lan ? "local.snapshot" : "remote.snapshot");

    /// <summary>Consul's keyring files: <c>&lt;data_dir&gt;/serf/local.keyring</c> (LAN) and <c>serf/remote.keyring</c> (WAN); none without a data dir.</summary>
    public static string? KeyringFilePath(GossipArea area, AgentConfig config) =>
        string.IsNullOrEmpty(config.DataDir) ? null : Path.Combine(config.DataDir, "serf", area == GossipArea.Lan ? "local.keyring" : "remote.keyring");

    /// <summary>The pool's name in Consul's logs and errors: LAN or WAN.</summary>
    public static string ClusterName(GossipArea area) => area == GossipArea.Lan ? "LAN" : "WAN";

    /// <summary>This server's name on the WAN: <c>node.dc</c>, as Consul names WAN members.</summary>
    public static string WanName(AgentConfig config) => $"{config.NodeName}.{config.Datacenter}";

    /// <summary>Which pool this is.</summary>
    public GossipArea Area { get; }

    public ISerfPool Pool { get; }

    /// <summary>
    /// Every member and user event as the pool delivers it, Serf's names unchanged (Consul's own
    /// user events carry the prefix <c>consul:event:</c>); raised on the event loop, so a handler must not block.
    /// </summary>
    public event Action<SerfEvent>? EventReceived;

    /// <summary>Faults with Consul's error when <c>retry_max</c> (<c>retry_max_wan</c>) attempts failed (the agent then exits); never completes otherwise.</summary>
    public Task RetryJoinFailed => _retryJoinFailed.Task;

    /// <summary>Starts the loops: events, reconciliation (a full pass first), and the retry join of the configured addresses.</summary>
    public void Run()
    {
        var token = _stop.Token;
        _events = Task.Run(() => ConsumeEventsAsync(token), CancellationToken.None);
        if (_reconciler is not null)
        {
            _reconcile = Task.Run(() => ReconcileLoopAsync(_reconciler, token), CancellationToken.None);
        }
        var addresses = Area == GossipArea.Lan
            ? _config.StartJoin.Concat(_config.RetryJoin).ToList()
            : _config.StartJoinWan.Concat(_config.RetryJoinWan).ToList();
        if (addresses.Count > 0)
        {
            _retryJoin = Task.Run(() => RetryJoinAsync(addresses, token), CancellationToken.None);
        }
    }

    public IReadOnlyList<SerfMember> Members() => Pool.Members();

    /// <summary>Queues a full reconciliation pass (a server that just became leader asks for one, as Consul's leader loop starts with one).</summary>
    public void RequestFullReconcile() => _reconcileQueue.Writer.TryWrite((null, false));

    /// <summary>This agent as the pool sees it.</summary>
    public SerfMember? LocalMember()
    {
        var name = Area == GossipArea.Lan ? _config.NodeName : WanName(_config);
        return Pool.Members().FirstOrDefault(m => m.Name == name);
    }

    /// <summary>
    /// Consul's JoinLAN / JoinWAN: logs, joins through the addresses (one without a port gets this
    /// pool's Serf port, as memberlist's join does), returns how many answered;
    /// <see cref="GossipException"/> when none did.
    /// </summary>
    public async Task<int> JoinAsync(IReadOnlyList<string> addresses, CancellationToken cancellationToken)
    {
        var configuredPort = Area == GossipArea.Lan ? _config.SerfLanPort : _config.SerfWanPort;
        var defaultPort = configuredPort > 0 ? configuredPort : Pool.AdvertiseEndpoint.Port;
        addresses = [.. addresses.Select(a => WithPort(a, defaultPort))];
        Write(LogLevel.Information, $"({_cluster}) joining: {_cluster.ToLowerInvariant()}_addresses=[{string.Join(' ', addresses)}]");
        try
        {
            var joined = await Pool.JoinAsync(addresses, ignoreOldEvents: true, cancellationToken).ConfigureAwait(false);
            Write(LogLevel.Information, $"({_cluster}) joined: number_of_nodes={joined}");
            return joined;
        }
        catch (GossipException ex)
        {
            Write(LogLevel.Warning, $"({_cluster}) couldn't join: number_of_nodes=0 error=\"{ex.Message}\"");
            throw;
        }
    }

    /// <summary>An address with a port: <c>ip</c>, <c>[ipv6]</c>, <c>::1</c> and <c>host</c> get <paramref name="port"/>.</summary>
    public static string WithPort(string address, int port)
    {
        address = address.Trim();
        if (System.Net.IPEndPoint.TryParse(address, out var endpoint))
        {
            return endpoint.Port != 0 ? address : new System.Net.IPEndPoint(endpoint.Address, port).ToString();
        }
        return address.Contains(':', StringComparison.Ordinal) ? address : $"{address}:{port}";
    }

    /// <summary>Leaves the pool gracefully (Consul's Leave): the intent spreads, then gossip stops.</summary>
    public async Task LeaveAsync(CancellationToken cancellationToken)
    {
        Write(LogLevel.Information, $"({_cluster}) leaving: broadcasting the leave intent");
        await Pool.LeaveAsync(cancellationToken).ConfigureAwait(false);
        Write(LogLevel.Information, $"({_cluster}) left");
    }

    /// <summary>Marks a failed member left (<paramref name="prune"/>: forgets it); false when no such member.</summary>
    public bool ForceLeave(string node, bool prune)
    {
        Write(LogLevel.Information, Area == GossipArea.Lan ? $"Force leaving node: node={node}" : $"Force leaving node (WAN): node={node}");
        return Pool.ForceLeave(node, prune);
    }

    private async Task ConsumeEventsAsync(CancellationToken token)
    {
        try
        {
            await foreach (var serfEvent in Pool.Events.ReadAllAsync(token).ConfigureAwait(false))
            {
                if (serfEvent is SerfMemberEvent memberEvent && _reconciler is not null)
                {
                    var reaped = memberEvent.EventType == SerfEventType.MemberReap;
                    foreach (var member in memberEvent.Members)
                    {
                        _reconcileQueue.Writer.TryWrite((member, reaped));
                    }
                }
                try
                {
                    EventReceived?.Invoke(serfEvent);
                }
                catch (Exception ex)
                {
                    Write(LogLevel.Error, $"event handler failed: event={SerfEvent.TypeName(serfEvent.Type)} error=\"{ex.Message}\"");
                }
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
    }

    private async Task ReconcileLoopAsync(MemberReconciler reconciler, CancellationToken token)
    {
        try
        {
            await ReconcileAllAsync(reconciler, token).ConfigureAwait(false);
            while (!token.IsCancellationRequested)
            {
                using var period = CancellationTokenSource.CreateLinkedTokenSource(token);
                period.CancelAfter(ReconcileInterval);
                try
                {
                    while (await _reconcileQueue.Reader.WaitToReadAsync(period.Token).ConfigureAwait(false))
                    {
                        while (_reconcileQueue.Reader.TryRead(out var item))
                        {
                            if (item.Member is null)
                            {
                                await ReconcileAllAsync(reconciler, token).ConfigureAwait(false);
                                continue;
                            }
                            try
                            {
                                await reconciler.ReconcileAsync(item.Member, item.Reaped, token).ConfigureAwait(false);
                            }
                            catch (Exception ex) when (ex is not OperationCanceledException)
                            {
                                Write(LogLevel.Error, $"failed to reconcile member: member={item.Member.Name} error=\"{ex.Message}\"");
                            }
                        }
                    }
                    return; // the queue was completed: shutting down
                }
                catch (OperationCanceledException) when (!token.IsCancellationRequested)
                {
                    await ReconcileAllAsync(reconciler, token).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
    }

    private async Task ReconcileAllAsync(MemberReconciler reconciler, CancellationToken token)
    {
        try
        {
            await reconciler.ReconcileAllAsync(Pool.Members(), token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Write(LogLevel.Error, $"failed to reconcile: error=\"{ex.Message}\"");
        }
    }

    /// <summary>Consul's retryJoiner: tries every address until one answers, every retry_interval, at most retry_max times (0: forever).</summary>
    private async Task RetryJoinAsync(IReadOnlyList<string> addresses, CancellationToken token)
    {
        var lan = Area == GossipArea.Lan;
        var interval = lan ? _config.RetryInterval : _config.RetryIntervalWan;
        var maxAttempts = lan ? _config.RetryMax : _config.RetryMaxWan;
        try
        {
            Write(LogLevel.Information, $"Joining cluster...: cluster={_cluster}");
            var attempt = 0;
            while (true)
            {
                string error;
                try
                {
                    var joined = await JoinAsync(addresses, token).ConfigureAwait(false);
                    Write(LogLevel.Information, $"Join cluster completed. Synced with initial agents: cluster={_cluster} num_agents={joined}");
                    return;
                }
                catch (GossipException ex)
                {
                    error = ex.Message;
                }
                attempt++;
                if (maxAttempts > 0 && attempt > maxAttempts)
                {
                    var failure = new GossipException($"agent: max join {_cluster} retry exhausted, exiting");
                    Write(LogLevel.Error, $"Retry join failed: error=\"{failure.Message}\"");
                    _retryJoinFailed.TrySetException(failure);
                    return;
                }
                Write(LogLevel.Warning, $"Join cluster failed, will retry: cluster={_cluster} retry_interval={GoDuration.Format(interval)} error=\"{error}\"");
                await Task.Delay(interval, _time, token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
    }

    /// <summary>Stops the loops and the pool without leaving: other members will see this one fail.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }
        await _stop.CancelAsync().ConfigureAwait(false);
        _reconcileQueue.Writer.TryComplete();
        await Task.WhenAll(_events, _reconcile, _retryJoin).ConfigureAwait(false);
        await Pool.DisposeAsync().ConfigureAwait(false);
        _stop.Dispose();
    }

    private void Write(LogLevel level, string message)
    {
        if (_log.IsEnabled(level))
        {
            _log.Log(level, "{Message}", message);
        }
    }
}
