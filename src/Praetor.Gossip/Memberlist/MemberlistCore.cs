using System.Net;

namespace Praetor.Gossip.Memberlist;

/// <summary>
/// memberlist's SWIM + Lifeguard as a deterministic state machine (DESIGN principle 1). Inputs:
/// <see cref="Tick"/>, <see cref="Receive"/>, the TCP results (<see cref="HandlePushPull"/>,
/// <see cref="CompletePushPull"/>, <see cref="CompleteFallbackPing"/>) and local requests
/// (<see cref="Join"/>, <see cref="Leave"/>, <see cref="UpdateMeta"/>); time is the host's
/// monotonic clock passed as <c>now</c>, randomness the seeded <see cref="Random"/> given at
/// construction. Outputs accumulate until the host calls <see cref="TakeOutput"/>.
/// Not thread-safe: the host calls it from one thread (or under one lock), never re-entrantly.
/// </summary>
public sealed partial class MemberlistCore
{
    private readonly GossipOptions _options;
    private readonly Random _random;
    private readonly LocalMember _local;
    private readonly byte[] _localAddr;
    private readonly ushort _localPort;
    private readonly LocalHealthAwareness _awareness;
    private readonly TransmitLimitedQueue _broadcasts;
    private readonly Dictionary<string, MemberRecord> _nodeMap = new(StringComparer.Ordinal);
    private readonly List<MemberRecord> _nodes = [];
    private readonly Dictionary<string, SuspicionTimer> _suspicions = new(StringComparer.Ordinal);
    private MemberlistOutput _output = new();
    private uint _sequenceNum;
    private uint _incarnation;
    private bool _left;
    private TimeSpan _nextGossipAt;
    private TimeSpan _nextPushPullAt;

    /// <param name="options">Valid options (see <see cref="GossipOptions.Validate"/>); invalid ones throw.</param>
    /// <param name="local">This node's name, advertised address, meta and versions.</param>
    /// <param name="random">The core's only source of randomness; seed it to replay a run.</param>
    /// <param name="now">The host's monotonic clock now.</param>
    public MemberlistCore(GossipOptions options, LocalMember local, Random random, TimeSpan now)
    {
        var problems = options.Validate();
        if (problems.Count > 0) throw new ArgumentException("invalid gossip options: " + string.Join("; ", problems), nameof(options));
        _options = options;
        _random = random;
        _local = local;
        _localAddr = local.Address.Address.GetAddressBytes();
        _localPort = (ushort)local.Address.Port;
        _awareness = new LocalHealthAwareness(options.AwarenessMaxMultiplier);
        _broadcasts = new TransmitLimitedQueue(options.RetransmitMult);
        // Stagger the periodic work, as memberlist's triggerFunc does, so a cluster started at
        // once does not probe and gossip in lock-step.
        _nextProbeAt = now + RandomStagger(options.ProbeInterval);
        _nextGossipAt = now + RandomStagger(options.GossipInterval);
        _nextPushPullAt = now + RandomStagger(options.PushPullInterval);
        // setAlive: announce ourselves at incarnation 1.
        var alive = new Alive(NextIncarnation(), local.Name, _localAddr, _localPort, local.Meta, local.Vsn);
        AliveNode(alive, bootstrap: true, now);
    }

    /// <summary>This node's name.</summary>
    public string LocalName => _local.Name;

    /// <summary>This node's current incarnation number.</summary>
    public uint Incarnation => _incarnation;

    /// <summary>Lifeguard's local health score (0 healthy .. AwarenessMaxMultiplier-1).</summary>
    public int HealthScore => _awareness.Score;

    /// <summary>Members in the list, this node and not-yet-reaped dead ones included (memberlist's estNumNodes).</summary>
    public int NumMembers => _nodes.Count;

    /// <summary>Members neither dead nor left, this node included (memberlist's NumMembers).</summary>
    public int NumAliveMembers
    {
        get
        {
            var alive = 0;
            foreach (var n in _nodes)
            {
                if (!n.DeadOrLeft) alive++;
            }
            return alive;
        }
    }

    /// <summary>Broadcasts waiting to be piggybacked.</summary>
    public int BroadcastsQueued => _broadcasts.Count;

    /// <summary>True after <see cref="Leave"/>.</summary>
    public bool HasLeft => _left;

    /// <summary>The data the ping delegate puts in each ack (Serf: its network coordinate).</summary>
    public byte[] AckPayload { get; set; } = [];

    /// <summary>
    /// memberlist's Delegate.GetBroadcasts: the host's own broadcasts (Serf's intents, events and
    /// queries), asked for with (overhead per message, bytes available) after the core's
    /// broadcasts have taken their share of a packet, and sent as user messages behind them. The
    /// core calls it on the caller's thread during <see cref="Tick"/> and <see cref="Receive"/>;
    /// null: no user broadcasts. Each returned message must be non-empty.
    /// </summary>
    public Func<int, int, IReadOnlyList<byte[]>>? UserBroadcasts { get; set; }

    /// <summary>Messages dropped as not for us or of a type the core does not handle (a metric).</summary>
    public long DroppedMessages { get; private set; }

    /// <summary>Alive messages refused because another address already holds the name (memberlist's conflict).</summary>
    public long NameConflicts { get; private set; }

    /// <summary>Suspicion timeouts that fired before the k confirmations Lifeguard wanted (memberlist's degraded.timeout).</summary>
    public long DegradedSuspicionTimeouts { get; private set; }

    /// <summary>Probes that reached their deadline without an ack (each one leads to a suspicion).</summary>
    public long FailedProbes { get; private set; }

    /// <summary>Times this node refuted a suspicion or death of itself.</summary>
    public long Refutations { get; private set; }

    /// <summary>Snapshots of every member in the list.</summary>
    public IReadOnlyList<Member> Members()
    {
        var list = new List<Member>(_nodes.Count);
        foreach (var n in _nodes) list.Add(n.Snapshot());
        return list;
    }

    /// <summary>A snapshot of the member named <paramref name="name"/>, or null.</summary>
    public Member? FindMember(string name) => _nodeMap.TryGetValue(name, out var n) ? n.Snapshot() : null;

    /// <summary>The state of the member named <paramref name="name"/>, or null when it is not in the list (no allocation, for hot checks).</summary>
    public NodeState? StateOf(string name) => _nodeMap.TryGetValue(name, out var n) ? n.State : null;

    /// <summary>The suspicion timer of <paramref name="name"/>, or null (for tests and metrics).</summary>
    public SuspicionTimer? SuspicionOf(string name) => _suspicions.GetValueOrDefault(name);

    /// <summary>The broadcast queue (for tests and metrics; the core owns it).</summary>
    public TransmitLimitedQueue Broadcasts => _broadcasts;

    /// <summary>Hands over the work produced since the last call; the core starts a new batch.</summary>
    public MemberlistOutput TakeOutput()
    {
        var output = _output;
        _output = new MemberlistOutput();
        return output;
    }

    /// <summary>
    /// Advances time: probe phases and deadlines, indirect-probe relays, suspicion timeouts,
    /// gossip and push/pull schedules. Call it often relative to the options' intervals (every
    /// 10-50 ms on a LAN); late ticks only make the node act late, as a starved process would.
    /// </summary>
    public void Tick(TimeSpan now)
    {
        ExpireRelays(now);
        FireSuspicionTimers(now);
        if (_probe is not null) AdvanceProbe(now);
        if (_probe is null && now >= _nextProbeAt)
        {
            _nextProbeAt = NextPeriod(_nextProbeAt, _options.ProbeInterval, now);
            StartProbe(now);
        }
        if (GossipEnabled && now >= _nextGossipAt)
        {
            _nextGossipAt = NextPeriod(_nextGossipAt, _options.GossipInterval, now);
            Gossip(now);
        }
        if (_options.PushPullInterval > TimeSpan.Zero && now >= _nextPushPullAt)
        {
            _nextPushPullAt = now + PushPullScale(_options.PushPullInterval, _nodes.Count);
            PushPullWithRandomMember();
        }
    }

    /// <summary>
    /// The earliest time <see cref="Tick"/> has work to do: the probe's next phase or the next
    /// probe, the next gossip and push/pull, the first suspicion timeout and indirect-probe relay
    /// expiry. A host may sleep until then; any input may move it earlier.
    /// </summary>
    public TimeSpan NextTickAt(TimeSpan now)
    {
        var next = _probe switch
        {
            null => _nextProbeAt,
            { IndirectSent: false } p => p.DirectDeadline,
            var p => p.Deadline,
        };
        if (GossipEnabled && _nextGossipAt < next) next = _nextGossipAt;
        if (_options.PushPullInterval > TimeSpan.Zero && _nextPushPullAt < next) next = _nextPushPullAt;
        foreach (var timer in _suspicions.Values)
        {
            if (!timer.Fired && timer.Deadline < next) next = timer.Deadline;
        }
        foreach (var relay in _relays.Values)
        {
            if (relay.Expires < next) next = relay.Expires;
        }
        return next < now ? now : next;
    }

    /// <summary>When the next gossip beat is due (for tests).</summary>
    internal TimeSpan NextGossipAt => _nextGossipAt;

    /// <summary>When the next probe is due, once the one under way (if any) ends (for tests).</summary>
    internal TimeSpan NextProbeAt => _nextProbeAt;

    private bool GossipEnabled => _options.GossipInterval > TimeSpan.Zero && _options.GossipNodes > 0;

    /// <summary>
    /// The next beat of a fixed-rate schedule that was due at <paramref name="due"/>, as Go's
    /// ticker keeps it: the phase holds, beats missed by a late tick are dropped (no catching
    /// up), and lateness never accumulates into a longer period.
    /// </summary>
    internal static TimeSpan NextPeriod(TimeSpan due, TimeSpan period, TimeSpan now) =>
        now < due ? due : due + (period * (((now - due).Ticks / period.Ticks) + 1));

    /// <summary>
    /// One message from a UDP packet (the host unpacks compound messages and calls this for each
    /// part, in order). <paramref name="from"/> is the packet's source address.
    /// </summary>
    public void Receive(IPEndPoint from, object message, TimeSpan now)
    {
        switch (message)
        {
            case Ping ping: OnPing(from, ping); break;
            case IndirectPingReq req: OnIndirectPing(from, req, now); break;
            case AckResp ack: OnAck(ack, now); break;
            case NackResp nack: OnNack(nack); break;
            case Suspect suspect: SuspectNode(suspect, now); break;
            case Alive alive: AliveNode(alive.Port == 0 ? alive with { Port = _localPort } : alive, bootstrap: false, now); break;
            case Dead dead: DeadNode(dead, now); break;
            default: DroppedMessages++; break;
        }
    }

    /// <summary>Joins through <paramref name="seeds"/>: a join push/pull with each (memberlist Join). The host reports each exchange back.</summary>
    public void Join(IReadOnlyList<IPEndPoint> seeds)
    {
        foreach (var seed in seeds) _output.PushPulls.Add(new PushPullRequest(seed, "", Join: true, LocalState()));
    }

    /// <summary>
    /// Leaves the pool: broadcasts our death from ourselves, so others see us left rather than
    /// failed. Returns true when another member is alive to hear it; the host then waits for
    /// <see cref="MemberlistOutput.LeaveBroadcastFinished"/> (with a timeout) before stopping.
    /// </summary>
    public bool Leave(TimeSpan now)
    {
        if (_left) return false;
        _left = true;
        var self = _nodeMap[_local.Name];
        DeadNode(new Dead(self.Incarnation, self.Name, self.Name), now);
        return AnyOtherAlive();
    }

    /// <summary>Announces new meta (Serf's tags) at a new incarnation (memberlist UpdateNode).</summary>
    public void UpdateMeta(byte[] meta, TimeSpan now)
    {
        var self = _nodeMap[_local.Name];
        AliveNode(new Alive(NextIncarnation(), self.Name, self.Addr, self.Port, meta, self.Vsn), bootstrap: true, now);
    }

    /// <summary>
    /// A push/pull a peer opened with us over TCP: returns our state for the host to send back,
    /// then merges theirs (memberlist answers before merging).
    /// </summary>
    public IReadOnlyList<PushNodeState> HandlePushPull(IReadOnlyList<PushNodeState> remote, TimeSpan now)
    {
        var local = LocalState();
        MergeRemoteState(remote, now);
        return local;
    }

    /// <summary>The remote state of a push/pull we started; returns why it was refused, or null when merged.</summary>
    public string? CompletePushPull(IReadOnlyList<PushNodeState> remote, TimeSpan now) => MergeRemoteState(remote, now);

    /// <summary>A push/pull we started failed (connect, timeout, decode); counted, nothing else changes.</summary>
    public void FailPushPull() => FailedPushPulls++;

    /// <summary>Push/pull exchanges that failed.</summary>
    public long FailedPushPulls { get; private set; }

    /// <summary>Our whole member list, as a push/pull sends it.</summary>
    public IReadOnlyList<PushNodeState> LocalState()
    {
        var states = new PushNodeState[_nodes.Count];
        for (var i = 0; i < _nodes.Count; i++) states[i] = _nodes[i].ToPushNodeState();
        return states;
    }

    private uint NextSeqNo() => ++_sequenceNum;

    private uint NextIncarnation() => ++_incarnation;

    private TimeSpan RandomStagger(TimeSpan interval) =>
        interval <= TimeSpan.Zero ? TimeSpan.Zero : TimeSpan.FromTicks(_random.NextInt64(interval.Ticks));

    /// <summary>memberlist's pushPullScale: beyond 32 members, multiply the interval by ceil(log2(n) − log2(32)) + 1.</summary>
    public static TimeSpan PushPullScale(TimeSpan interval, int numMembers)
    {
        const int threshold = 32;
        if (numMembers <= threshold) return interval;
        var multiplier = Math.Ceiling(Math.Log2(numMembers) - Math.Log2(threshold)) + 1.0;
        return interval * multiplier;
    }

    private bool AnyOtherAlive()
    {
        foreach (var n in _nodes)
        {
            if (!n.DeadOrLeft && n.Name != _local.Name) return true;
        }
        return false;
    }

    /// <summary>Sends <paramref name="message"/> with as many queued broadcasts as fit piggybacked behind it (memberlist sendMsg).</summary>
    private void SendWithPiggyback(IPEndPoint to, string toNode, object message)
    {
        var bytesAvail = _options.UdpBufferSizeBytes - MessageSizeEstimate.Bytes(message) - GossipOptions.CompoundHeaderOverheadBytes - _options.EncryptionOverheadBytes;
        var extra = GetBroadcasts(GossipOptions.CompoundPartOverheadBytes, bytesAvail);
        if (extra.Count == 0)
        {
            _output.Packets.Add(new OutboundPacket(to, toNode, [message]));
            return;
        }
        extra.Insert(0, message);
        _output.Packets.Add(new OutboundPacket(to, toNode, extra));
    }

    /// <summary>Sends queued broadcasts to GossipNodes random members, the recently dead included (memberlist gossip).</summary>
    private void Gossip(TimeSpan now)
    {
        var targets = KRandomNodes(_options.GossipNodes, n =>
            n.Name == _local.Name || n.State switch
            {
                NodeState.Alive or NodeState.Suspect => false,
                NodeState.Dead => now - n.StateChange > _options.GossipToTheDeadTime,
                _ => true,
            });
        var bytesAvail = _options.UdpBufferSizeBytes - GossipOptions.CompoundHeaderOverheadBytes - _options.EncryptionOverheadBytes;
        foreach (var node in targets)
        {
            var msgs = GetBroadcasts(GossipOptions.CompoundPartOverheadBytes, bytesAvail);
            if (msgs.Count == 0) return;
            _output.Packets.Add(new OutboundPacket(node.EndPoint, node.Name, msgs));
        }
    }

    /// <summary>The core's broadcasts, then the host's user broadcasts in the space left (memberlist getBroadcasts).</summary>
    private List<object> GetBroadcasts(int overheadBytes, int limitBytes)
    {
        var toSend = _broadcasts.GetBroadcasts(overheadBytes, limitBytes, _nodes.Count);
        if (UserBroadcasts is null) return toSend;
        var bytesUsed = 0;
        foreach (var message in toSend) bytesUsed += MessageSizeEstimate.Bytes(message) + overheadBytes;
        var avail = limitBytes - bytesUsed;
        if (avail <= overheadBytes + UserMsgOverheadBytes) return toSend;
        foreach (var raw in UserBroadcasts(overheadBytes + UserMsgOverheadBytes, avail))
        {
            // An empty part in a compound message crashes serf 0.9.4's decoder; never send one.
            if (raw.Length > 0) toSend.Add(new Wire.UserMsg(raw));
        }
        return toSend;
    }

    /// <summary>The user message type byte in front of each user broadcast (memberlist's userMsgOverhead).</summary>
    private const int UserMsgOverheadBytes = 1;

    private void PushPullWithRandomMember()
    {
        var nodes = KRandomNodes(1, n => n.Name == _local.Name || n.State != NodeState.Alive);
        if (nodes.Count == 0) return;
        _output.PushPulls.Add(new PushPullRequest(nodes[0].EndPoint, nodes[0].Name, Join: false, LocalState()));
    }

    /// <summary>Up to k distinct members not excluded by <paramref name="exclude"/>, chosen by 3n random draws (memberlist kRandomNodes).</summary>
    private List<MemberRecord> KRandomNodes(int k, Func<MemberRecord, bool> exclude)
    {
        var n = _nodes.Count;
        var chosen = new List<MemberRecord>(k);
        for (var i = 0; i < 3 * n && chosen.Count < k; i++)
        {
            var node = _nodes[_random.Next(n)];
            if (exclude(node) || chosen.Contains(node)) continue;
            chosen.Add(node);
        }
        return chosen;
    }

    private void QueueBroadcast(string node, object message, Action? onFinished = null) =>
        _broadcasts.Enqueue(node, message, MessageSizeEstimate.Bytes(message), onFinished);
}
