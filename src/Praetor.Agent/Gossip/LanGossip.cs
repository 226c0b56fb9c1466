using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Praetor.Gossip;
using Praetor.Gossip.Serf;

namespace Praetor.Agent.Gossip;

/// <summary>
/// The agent on its LAN pool: one loop consumes the pool's events (member events are queued for
/// the leader's catalog reconciliation, and every event goes to <see cref="EventReceived"/>), one
/// loop reconciles members into the catalog (each queued member, and everyone every
/// <see cref="ReconcileInterval"/>), and the retry-join loop joins <c>retry_join</c>/<c>start_join</c>
/// addresses as Consul's retry joiner does.
/// </summary>
public sealed class LanGossip : IAsyncDisposable
{
    /// <summary>How often the leader reconciles every member (Consul's ReconcileInterval).</summary>
    public static readonly TimeSpan ReconcileInterval = TimeSpan.FromSeconds(60);

    private readonly AgentConfig _config;
    private readonly MemberReconciler? _reconciler;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly CancellationTokenSource _stop = new();
    private readonly Channel<(SerfMember Member, bool Reaped)> _reconcileQueue = Channel.CreateUnbounded<(SerfMember, bool)>(new UnboundedChannelOptions { SingleReader = true });
    private readonly TaskCompletionSource _retryJoinFailed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task _events = Task.CompletedTask;
    private Task _reconcile = Task.CompletedTask;
    private Task _retryJoin = Task.CompletedTask;
    private int _disposed;

    private LanGossip(AgentConfig config, ISerfPool pool, MemberReconciler? reconciler, TimeProvider time, ILogger log)
    {
        _config = config;
        Pool = pool;
        _reconciler = reconciler;
        _time = time;
        _log = log;
    }

    /// <summary>
    /// Starts the pool on <c>bind_addr:ports.serf_lan</c> with Consul's tags; a failure to bind is
    /// a <see cref="LanPoolStartException"/>. <paramref name="reconciler"/> is null on agents that
    /// do not reconcile (clients).
    /// </summary>
    public static async Task<LanGossip> StartAsync(
        AgentConfig config, IReadOnlyDictionary<string, string> tags, SerfPoolFactory factory, MemberReconciler? reconciler,
        TimeProvider time, ILoggerFactory? logs, CancellationToken cancellationToken)
    {
        var log = logs?.CreateLogger("agent") ?? NullLogger.Instance;
        var settings = Settings(config, tags, logs);
        ISerfPool pool;
        try
        {
            settings = settings with { Keyring = LoadOrCreateKeyringFile(settings, log) };
            pool = await factory(settings, time, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw new LanPoolStartException($"failed to start the Serf LAN pool on {settings.Bind}: {ex.Message}", ex);
        }
        return new LanGossip(config, pool, reconciler, time, log);
    }

    /// <summary>
    /// Consul's keyring file: when it exists it is the keyring (an <c>encrypt</c> key is then ignored,
    /// with a warning); otherwise the <c>encrypt</c> key is written to it, so keyring changes made
    /// later by <c>consul keyring</c> survive a restart. A file that cannot be read or written is
    /// a <see cref="GossipException"/>.
    /// </summary>
    private static Praetor.Gossip.Memberlist.Wire.Keyring? LoadOrCreateKeyringFile(LanPoolSettings settings, ILogger log)
    {
        if (settings.KeyringFile is not { } path)
        {
            return settings.Keyring;
        }
        if (KeyringFile.Read(path) is { } stored)
        {
            if (settings.Keyring is not null)
            {
                log.Log(LogLevel.Warning, "{Message}", $"loaded the LAN keyring from {path}: the encrypt key in the configuration is ignored");
            }
            return stored;
        }
        if (settings.Keyring is { } keyring && KeyringFile.Write(path, keyring) is { } error)
        {
            throw new GossipException(error);
        }
        return settings.Keyring;
    }

    /// <summary>What the pool is started with: bind and advertise endpoints, tags, Consul's LAN (or -dev's faster) gossip timings, the key.</summary>
    public static LanPoolSettings Settings(AgentConfig config, IReadOnlyDictionary<string, string> tags, ILoggerFactory? logs)
    {
        var bindIp = System.Net.IPAddress.Parse(config.BindAddr);
        var advertiseIp = System.Net.IPAddress.Parse(config.AdvertiseAddress);
        var port = Math.Max(config.SerfLanPort, 0);
        // The catalog's address for this node; port 0 (a free port) advertises the port bound.
        var advertise = new System.Net.IPEndPoint(advertiseIp, port);
        var gossip = Praetor.Gossip.Memberlist.GossipOptions.Lan();
        if (config.DevMode)
        {
            // Near Consul's -dev gossip_lan (gossip every 100 ms, fast probes), so failures show in
            // a second or two; the probe timeout must stay under the interval here.
            gossip = gossip with
            {
                GossipInterval = TimeSpan.FromMilliseconds(100),
                ProbeInterval = TimeSpan.FromMilliseconds(200),
                ProbeTimeout = TimeSpan.FromMilliseconds(100),
                SuspicionMult = 3,
            };
        }
        var serf = new SerfOptions { ReconnectTimeout = TimeSpan.FromHours(72) };
        Praetor.Gossip.Memberlist.Wire.Keyring? keyring = null;
        if (!string.IsNullOrEmpty(config.Encrypt))
        {
            keyring = new Praetor.Gossip.Memberlist.Wire.Keyring(Convert.FromBase64String(config.Encrypt));
        }
        return new LanPoolSettings(config.NodeName, new System.Net.IPEndPoint(bindIp, port), advertise, tags, gossip, serf, keyring, logs?.CreateLogger(config.Server || config.DevMode ? "agent.server.serf.lan" : "agent.client.serf.lan"))
        {
            KeyringFile = string.IsNullOrEmpty(config.DataDir) ? null : Path.Combine(config.DataDir, "serf", "local.keyring"),
        };
    }

    public ISerfPool Pool { get; }

    /// <summary>
    /// Every member and user event as the pool delivers it, Serf's names unchanged (Consul's own
    /// user events carry the prefix <c>consul:event:</c>); raised on the event loop, so a handler must not block.
    /// </summary>
    public event Action<SerfEvent>? EventReceived;

    /// <summary>Faults with Consul's error when <c>retry_max</c> attempts failed (the agent then exits); never completes otherwise.</summary>
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
        var addresses = _config.StartJoin.Concat(_config.RetryJoin).ToList();
        if (addresses.Count > 0)
        {
            _retryJoin = Task.Run(() => RetryJoinAsync(addresses, token), CancellationToken.None);
        }
    }

    public IReadOnlyList<SerfMember> Members() => Pool.Members();

    /// <summary>This agent as the pool sees it.</summary>
    public SerfMember? LocalMember() => Pool.Members().FirstOrDefault(m => m.Name == _config.NodeName);

    /// <summary>
    /// Consul's JoinLAN: logs, joins through the addresses (one without a port gets this agent's
    /// Serf LAN port, as memberlist's join does), returns how many answered;
    /// <see cref="GossipException"/> when none did.
    /// </summary>
    public async Task<int> JoinAsync(IReadOnlyList<string> addresses, CancellationToken cancellationToken)
    {
        var defaultPort = _config.SerfLanPort > 0 ? _config.SerfLanPort : Pool.AdvertiseEndpoint.Port;
        addresses = [.. addresses.Select(a => WithPort(a, defaultPort))];
        Write(LogLevel.Information, $"(LAN) joining: lan_addresses=[{string.Join(' ', addresses)}]");
        try
        {
            var joined = await Pool.JoinAsync(addresses, ignoreOldEvents: true, cancellationToken).ConfigureAwait(false);
            Write(LogLevel.Information, $"(LAN) joined: number_of_nodes={joined}");
            return joined;
        }
        catch (GossipException ex)
        {
            Write(LogLevel.Warning, $"(LAN) couldn't join: number_of_nodes=0 error=\"{ex.Message}\"");
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
        Write(LogLevel.Information, "(LAN) leaving: broadcasting the leave intent");
        await Pool.LeaveAsync(cancellationToken).ConfigureAwait(false);
        Write(LogLevel.Information, "Graceful leave complete");
    }

    /// <summary>Marks a failed member left (<paramref name="prune"/>: forgets it); false when no such member.</summary>
    public bool ForceLeave(string node, bool prune)
    {
        Write(LogLevel.Information, $"Force leaving node: node={node}");
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
        var interval = _config.RetryInterval;
        try
        {
            Write(LogLevel.Information, "Joining cluster...: cluster=LAN");
            var attempt = 0;
            while (true)
            {
                string error;
                try
                {
                    var joined = await JoinAsync(addresses, token).ConfigureAwait(false);
                    Write(LogLevel.Information, $"Join cluster completed. Synced with initial agents: cluster=LAN num_agents={joined}");
                    return;
                }
                catch (GossipException ex)
                {
                    error = ex.Message;
                }
                attempt++;
                if (_config.RetryMax > 0 && attempt > _config.RetryMax)
                {
                    var failure = new GossipException("agent: max join LAN retry exhausted, exiting");
                    Write(LogLevel.Error, $"Retry join failed: error=\"{failure.Message}\"");
                    _retryJoinFailed.TrySetException(failure);
                    return;
                }
                Write(LogLevel.Warning, $"Join cluster failed, will retry: cluster=LAN retry_interval={GoDuration.Format(interval)} error=\"{error}\"");
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
