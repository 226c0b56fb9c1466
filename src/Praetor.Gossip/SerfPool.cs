using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Praetor.Gossip.Memberlist;
using Praetor.Gossip.Memberlist.Wire;
using Praetor.Gossip.Runtime;
using Praetor.Gossip.Serf;

namespace Praetor.Gossip;

/// <summary>
/// A running Serf pool over UDP and TCP (DESIGN: a thin host around the pure cores). It owns one
/// UDP socket and one TCP listener on the same port, a ticker, and a single loop that is the only
/// caller of <see cref="MemberlistCore"/> and <see cref="SerfCore"/>: received packets, TCP
/// results, ticks and API calls are queued to it as inputs, and after each input the loop takes
/// both cores' output and carries it out field by field (memberlist events into Serf, packets,
/// push/pulls, fallback pings; Serf's broadcasts into its queues, direct sends, reconnects,
/// events). Speaks memberlist 0.2.2 / Serf 0.9.4's wire protocol, so a real <c>serf agent</c>
/// can join it and be joined. With a <see cref="SerfPoolConfig.SnapshotPath"/> it keeps Serf's
/// snapshot (<see cref="SerfSnapshotter"/>): clocks restored and previous members rejoined at
/// start. Every public member is safe to call from any thread.
/// </summary>
public sealed partial class SerfPool : ISerfPool
{
    /// <summary>The port a join address without one gets (Serf's default bind port).</summary>
    public const int DefaultPort = 7946;

    /// <summary>10,000 inputs: beyond this many waiting for the loop, received UDP packets are dropped (and counted).</summary>
    public const int PendingPacketsMax = 10_000;

    private readonly SerfPoolConfig _config;
    private readonly Meter? _ownedMeter;
    private readonly GossipOptions _options;
    private readonly TimeProvider _time;
    private readonly long _startTimestamp;
    private readonly ILogger _logger;
    private readonly Socket _udp;
    private readonly TcpListener _tcp;
    private readonly MemberlistCore _memberlist;
    private readonly SerfCore _serf;
    private readonly SerfBroadcastQueues _serfBroadcasts;
    private readonly PingDelegate _ping;
    private readonly SerfSnapshotter? _snapshot;
    private readonly byte[] _advertiseAddress;
    private readonly Channel<Action> _inputs = Channel.CreateUnbounded<Action>();
    private readonly Channel<SerfEvent> _events;
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile IReadOnlyList<SerfMember> _members = [];
    private volatile IReadOnlyDictionary<string, Coordinate> _coordinates;
    private Task _loopTask = Task.CompletedTask, _udpTask = Task.CompletedTask, _tcpTask = Task.CompletedTask, _rejoinTask = Task.CompletedTask;
    private int _stopping;
    private int _tcpConnections;
    private volatile Keyring? _keyring;

    private SerfPool(SerfPoolConfig config, GossipOptions options, TimeProvider time, Socket udp, TcpListener tcp, byte[] meta, SerfSnapshotter? snapshot)
    {
        _config = config;
        _snapshot = snapshot;
        // Without the agent's factory the pool has a meter of its own, ended with the pool.
        _ownedMeter = config.MeterFactory is null ? new Meter(GossipStatistics.MeterName) : null;
        Statistics = new GossipStatistics(_ownedMeter ?? config.MeterFactory!.Create(new MeterOptions(GossipStatistics.MeterName)));
        _options = options;
        _time = time;
        _startTimestamp = time.GetTimestamp();
        _logger = config.Logger ?? NullLogger.Instance;
        _keyring = config.Keyring;
        _udp = udp;
        _tcp = tcp;
        var boundPort = ((IPEndPoint)tcp.LocalEndpoint).Port;
        AdvertiseEndpoint = ResolveAdvertise(config, boundPort);
        _advertiseAddress = AdvertiseEndpoint.Address.GetAddressBytes();
        _events = Channel.CreateBounded<SerfEvent>(new BoundedChannelOptions(config.EventQueueEventsMax) { FullMode = BoundedChannelFullMode.DropOldest });
        _serfBroadcasts = new SerfBroadcastQueues(options.RetransmitMult);

        var now = Now();
        // Not a secret: Random.Shared keeps OpenSSL unloaded for a pool without encryption (about 4 MB of RSS).
        var seed = Random.Shared.Next();
        // Serf first: memberlist's constructor reports our own join, which Serf must hear.
        _serf = new SerfCore(config.NodeName, config.SerfOptions, new Random(seed ^ 0x5e4f), now, snapshot?.Clocks);
        var vsn = new ProtocolVersions(1, 5, 2, SerfOptions.ProtocolVersionMin, SerfOptions.ProtocolVersionMax, config.SerfOptions.ProtocolVersion);
        _ping = new PingDelegate(config.NodeName, VivaldiConfig.Default, new Random(seed ^ 0x7c00));
        _coordinates = _ping.CachedCoordinates();
        _memberlist = new MemberlistCore(options, new LocalMember(config.NodeName, AdvertiseEndpoint, meta, vsn), new Random(seed), now)
        {
            AckPayload = _ping.AckPayload,
        };
        _memberlist.UserBroadcasts = (overhead, limit) => _serfBroadcasts.GetBroadcasts(overhead, limit, _memberlist.NumMembers);
        Drain(now);
        PublishMembers();
        WarmUpCodec();
    }

    /// <summary>
    /// Encodes and decodes one ack packet before the first real one, so the first probe of us is
    /// not answered late while the codec is compiled (a peer's local profile waits only 200 ms).
    /// </summary>
    private void WarmUpCodec()
    {
        var vsn = new ProtocolVersions(1, 5, 2, 2, 5, 5);
        var alive = new Alive(1, _config.NodeName, [127, 0, 0, 1], 1, [], vsn);
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        MemberlistCodec.EncodePacket(buffer, [new AckResp(1, _ping.AckPayload), alive, new UserMsg([1])], new PacketOptions(_config.Compress, Crc: true, _keyring));
        MemberlistCodec.TryDecodePacket(buffer.WrittenSpan, _keyring, [], out _);
    }

    /// <summary>
    /// Binds the UDP socket and TCP listener (port 0: a free port, the same for both), creates the
    /// cores and starts the loop. Throws <see cref="GossipException"/> when the port is taken or the
    /// tags are too large, <see cref="ArgumentException"/> for invalid options.
    /// </summary>
    public static Task<SerfPool> StartAsync(SerfPoolConfig config, TimeProvider time, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentException.ThrowIfNullOrEmpty(config.NodeName);
        ct.ThrowIfCancellationRequested();
        var options = config.GossipOptions;
        if (config.Keyring is not null && options.EncryptionOverheadBytes == 0)
        {
            options = options with { EncryptionOverheadBytes = GossipEncryption.EncryptedLength(1, 0) };
        }
        var problems = new List<string>(options.Validate());
        problems.AddRange(config.SerfOptions.Validate());
        if (config.IdleTickInterval <= TimeSpan.Zero) problems.Add($"IdleTickInterval must be positive, got {config.IdleTickInterval}");
        if (config.TcpConnectionsMax < 1) problems.Add($"TcpConnectionsMax must be at least 1, got {config.TcpConnectionsMax}");
        if (config.EventQueueEventsMax < 1) problems.Add($"EventQueueEventsMax must be at least 1, got {config.EventQueueEventsMax}");
        if (problems.Count > 0) throw new ArgumentException("invalid gossip pool configuration: " + string.Join("; ", problems), nameof(config));
        if (!SerfTags.TryEncode(config.Tags, config.SerfOptions.ProtocolVersion, out var meta, out var tagError)) throw new GossipException(tagError!);

        var snapshot = config.SnapshotPath is null ? null : SerfSnapshotter.Open(config.SnapshotPath, config.RejoinAfterLeave, config.Logger ?? NullLogger.Instance, time);
        SerfPool pool;
        try
        {
            var (udp, tcp) = Bind(config.Bind);
            pool = new SerfPool(config, options, time, udp, tcp, meta, snapshot);
        }
        catch
        {
            snapshot?.DisposeAsync().AsTask().GetAwaiter().GetResult();
            throw;
        }
        pool.Start();
        return Task.FromResult(pool);
    }

    /// <inheritdoc />
    public IPEndPoint AdvertiseEndpoint { get; }

    /// <summary>The members the snapshot held alive at start, which the pool rejoins by itself (empty without a snapshot, or after a leave unless RejoinAfterLeave).</summary>
    public IReadOnlyList<PreviousNode> PreviousNodes => _snapshot?.PreviousNodes ?? [];

    /// <summary>This node's name.</summary>
    public string NodeName => _config.NodeName;

    /// <inheritdoc />
    public Keyring? Keyring => _keyring;

    /// <inheritdoc />
    public ChannelReader<SerfEvent> Events => _events.Reader;

    /// <summary>What the pool dropped or failed (metrics).</summary>
    public GossipStatistics Statistics { get; }

    /// <summary>True once the pool stopped gossiping (after a leave, or disposed).</summary>
    public bool IsStopped => Volatile.Read(ref _stopping) != 0;

    /// <inheritdoc />
    public IReadOnlyList<SerfMember> Members() => _members;

    /// <inheritdoc />
    public Coordinate LocalCoordinate => _coordinates[_config.NodeName];

    /// <inheritdoc />
    public Coordinate? CachedCoordinate(string node) => _coordinates.GetValueOrDefault(node);

    /// <inheritdoc />
    public async Task<int> JoinAsync(IReadOnlyList<string> addresses, bool ignoreOldEvents, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(addresses);
        var failures = new List<string>();
        var joined = 0;
        foreach (var address in addresses)
        {
            IReadOnlyList<IPEndPoint> endpoints;
            try
            {
                endpoints = await ResolveAsync(address, cancellationToken);
            }
            catch (Exception e) when (e is SocketException or FormatException or ArgumentException)
            {
                failures.Add($"{address}: {e.Message}");
                continue;
            }
            foreach (var endpoint in endpoints)
            {
                var error = await JoinOneAsync(endpoint, ignoreOldEvents, cancellationToken);
                if (error is null) joined++;
                else failures.Add($"{address} ({endpoint}): {error}");
            }
        }
        if (joined == 0)
        {
            throw new GossipException(addresses.Count == 0 ? "no addresses to join" : "failed to join any nodes: " + string.Join("; ", failures));
        }
        // Serf.Join: tell the pool we joined, with a join intent at our current clock.
        await OnLoop(now =>
        {
            _serf.BroadcastJoin(now);
            return true;
        });
        PoolLog.Joined(_logger, _config.NodeName, joined, addresses.Count);
        return joined;
    }

    /// <inheritdoc />
    public async Task LeaveAsync(CancellationToken cancellationToken)
    {
        if (IsStopped) return;
        // Serf.Leave: the snapshot records the leave, so a restart does not rejoin by itself...
        if (_snapshot is not null) await _snapshot.LeaveAsync(cancellationToken);
        // ...then the leave intent first, waited for (bounded) so others see "leaving"...
        var intentSent = await OnLoop(now =>
        {
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            if (!_serf.Leave(now))
            {
                done.TrySetResult();
                return done.Task;
            }
            var output = _serf.TakeOutput();
            if (output.IntentBroadcasts.Count == 0) done.TrySetResult();
            ExecuteSerf(output, () => done.TrySetResult());
            return done.Task;
        });
        await WaitBoundedAsync(intentSent, "leave intent", cancellationToken);
        // ...then memberlist's dead-from-ourselves, so they mark us left rather than failed...
        var deadSent = await OnLoop(now =>
        {
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _memberlistLeaveSent = done;
            if (!_memberlist.Leave(now)) done.TrySetResult();
            return done.Task;
        });
        await WaitBoundedAsync(deadSent, "leave broadcast", cancellationToken);
        // ...then time for both to spread before we stop answering.
        await Task.Delay(_config.LeavePropagateDelay, _time, cancellationToken);
        await OnLoop(now =>
        {
            _serf.CompleteLeave();
            _serf.Shutdown(now);
            return true;
        });
        PoolLog.Left(_logger, _config.NodeName);
        await StopAsync();
    }

    /// <inheritdoc />
    public bool ForceLeave(string node, bool prune)
    {
        ArgumentException.ThrowIfNullOrEmpty(node);
        return Invoke(now =>
        {
            if (_serf.StatusLTime(node) is null) return false;
            _serf.ForceLeave(node, prune, now);
            return true;
        });
    }

    /// <inheritdoc />
    public void SetTags(IReadOnlyDictionary<string, string> tags)
    {
        ArgumentNullException.ThrowIfNull(tags);
        if (!SerfTags.TryEncode(tags, _config.SerfOptions.ProtocolVersion, out var meta, out var error)) throw new GossipException(error!);
        Invoke(now =>
        {
            _memberlist.UpdateMeta(meta, now);
            return true;
        });
    }

    /// <inheritdoc />
    public void FireUserEvent(string name, byte[] payload, bool coalesce)
    {
        ArgumentNullException.ThrowIfNull(name);
        var error = Invoke(now => _serf.TryFireUserEvent(name, payload, coalesce, now, out var e) ? null : e);
        if (error is not null) throw new GossipException(error);
    }

    /// <summary>Stops at once without leaving (as a killed agent): the others detect this node as failed.</summary>
    public async ValueTask DisposeAsync() => await StopAsync();

    private TimeSpan Now() => _time.GetElapsedTime(_startTimestamp);

    private void Start()
    {
        StartTicker();
        _loopTask = Task.Run(RunLoopAsync);
        _udpTask = Task.Run(RunUdpReceiveAsync);
        _tcpTask = Task.Run(RunTcpAcceptAsync);
        PoolLog.Started(_logger, _config.NodeName, _udp.LocalEndPoint, AdvertiseEndpoint, _config.Keyring is not null);
        if (_snapshot is null) return;
        _snapshot.Start(_serf.Clock);
        if (_snapshot.PreviousNodes.Count > 0) _rejoinTask = Task.Run(() => RejoinAsync(_snapshot.PreviousNodes));
    }

    /// <summary>
    /// Serf's handleRejoin: a memberlist join to each member the snapshot held alive (ourselves
    /// skipped) until one answers.
    /// </summary>
    private async Task RejoinAsync(IReadOnlyList<PreviousNode> previous)
    {
        foreach (var node in previous)
        {
            if (node.Name == _config.NodeName || !SerfSnapshotFormat.TryParseAddr(node.Addr, out var to)) continue;
            SnapshotLog.Rejoining(_logger, node);
            try
            {
                if (await JoinOneAsync(to, ignoreOldEvents: false, _stop.Token) is null)
                {
                    SnapshotLog.Rejoined(_logger, node);
                    return;
                }
            }
            catch (Exception e) when (e is GossipException or OperationCanceledException)
            {
                return; // stopped
            }
        }
        SnapshotLog.RejoinFailed(_logger);
    }

    private async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _stopping, 1) != 0)
        {
            await _stopped.Task;
            return;
        }
        await _stop.CancelAsync();
        await _tickTimer!.DisposeAsync();
        _udp.Dispose();
        _tcp.Stop();
        try
        {
            await Task.WhenAll(_loopTask, _udpTask, _tcpTask, _rejoinTask);
        }
        catch (OperationCanceledException)
        {
            // The tasks end by cancellation.
        }
        catch (Exception e)
        {
            PoolLog.InputFailed(_logger, e, _config.NodeName);
        }
        finally
        {
            // The loop has ended: nobody else touches the core now. Waiting queries end here.
            _serf.OpenQueries.CloseAll();
            if (_snapshot is not null) await _snapshot.DisposeAsync();
            _events.Writer.TryComplete();
            _ownedMeter?.Dispose();
            _stopped.TrySetResult();
        }
    }

    private async Task WaitBoundedAsync(Task task, string what, CancellationToken ct)
    {
        try
        {
            await task.WaitAsync(_config.BroadcastTimeout, _time, ct);
        }
        catch (TimeoutException)
        {
            PoolLog.LeaveTimeout(_logger, what);
        }
    }

    /// <summary>Runs <paramref name="work"/> on the loop and returns its result; GossipException when the pool has stopped.</summary>
    private async Task<T> OnLoop<T>(Func<TimeSpan, T> work)
    {
        var result = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (IsStopped || !_inputs.Writer.TryWrite(() =>
            {
                try
                {
                    result.TrySetResult(work(Now()));
                }
                catch (Exception e)
                {
                    // The caller gets it; the loop goes on.
                    result.TrySetException(e);
                }
            }))
        {
            throw Stopped();
        }
        try
        {
            return await result.Task.WaitAsync(_stop.Token);
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            throw Stopped();
        }
    }

    /// <summary>The synchronous API's way onto the loop: blocks the caller (never the loop) until the work is done.</summary>
    private T Invoke<T>(Func<TimeSpan, T> work) => OnLoop(work).GetAwaiter().GetResult();

    /// <summary>Queues fire-and-forget work for the loop (a TCP result); dropped when the pool has stopped.</summary>
    private void Post(Action<TimeSpan> work)
    {
        if (!IsStopped) _inputs.Writer.TryWrite(() => work(Now()));
    }

    private GossipException Stopped() => new($"the gossip pool of {_config.NodeName} has stopped");

    private static (Socket Udp, TcpListener Tcp) Bind(IPEndPoint bind)
    {
        for (var attempt = 0; ; attempt++)
        {
            var tcp = new TcpListener(bind);
            try
            {
                tcp.Start();
            }
            catch (SocketException e)
            {
                throw new GossipException($"cannot listen on TCP {bind}: {e.Message}");
            }
            var port = ((IPEndPoint)tcp.LocalEndpoint).Port;
            var udp = new Socket(bind.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            try
            {
                udp.Bind(new IPEndPoint(bind.Address, port));
                // memberlist asks for a 2 MB receive buffer so bursts of gossip are not lost.
                TrySetReceiveBuffer(udp, 2 * 1024 * 1024);
                return (udp, tcp);
            }
            catch (SocketException e)
            {
                udp.Dispose();
                tcp.Stop();
                // Port 0: the TCP port the kernel picked may be taken for UDP; try another.
                if (bind.Port != 0 || attempt >= 20) throw new GossipException($"cannot bind UDP {bind.Address}:{port}: {e.Message}");
            }
        }
    }

    private static void TrySetReceiveBuffer(Socket udp, int bytes)
    {
        try
        {
            udp.ReceiveBufferSize = bytes;
        }
        catch (SocketException)
        {
            // The kernel's limit applies; gossip works with a smaller buffer.
        }
    }

    private static IPEndPoint ResolveAdvertise(SerfPoolConfig config, int boundPort)
    {
        if (config.Advertise is { } advertise) return new IPEndPoint(advertise.Address, advertise.Port == 0 ? boundPort : advertise.Port);
        var address = config.Bind.Address;
        if (address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any)) address = FirstNonLoopbackIPv4() ?? IPAddress.Loopback;
        return new IPEndPoint(address, boundPort);
    }

    private static IPAddress? FirstNonLoopbackIPv4()
    {
        foreach (var nic in System.Net.NetworkInformation.NetworkInterface.GetAllNetworkInterfaces())
        {
            if (nic.OperationalStatus != System.Net.NetworkInformation.OperationalStatus.Up) continue;
            foreach (var unicast in nic.GetIPProperties().UnicastAddresses)
            {
                if (unicast.Address.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(unicast.Address)) return unicast.Address;
            }
        }
        return null;
    }

    /// <summary>memberlist's join address forms: <c>ip</c>, <c>ip:port</c>, <c>[ipv6]:port</c>, <c>host</c> or <c>host:port</c> (every address the name resolves to).</summary>
    private static async Task<IReadOnlyList<IPEndPoint>> ResolveAsync(string address, CancellationToken ct)
    {
        if (IPEndPoint.TryParse(address, out var endpoint)) return [endpoint.Port == 0 ? new IPEndPoint(endpoint.Address, DefaultPort) : endpoint];
        var host = address;
        var port = DefaultPort;
        var colon = address.LastIndexOf(':');
        if (colon > 0)
        {
            host = address[..colon];
            if (!int.TryParse(address.AsSpan(colon + 1), out port) || port is < 1 or > 65535) throw new FormatException($"invalid port in {address}");
        }
        if (host.Length == 0) throw new FormatException("empty host");
        var addresses = await Dns.GetHostAddressesAsync(host, ct);
        if (addresses.Length == 0) throw new FormatException($"{host} resolves to no address");
        var result = new List<IPEndPoint>(addresses.Length);
        foreach (var ip in addresses) result.Add(new IPEndPoint(ip, port));
        return result;
    }
}
