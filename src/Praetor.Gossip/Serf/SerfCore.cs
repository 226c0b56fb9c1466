using Praetor.Gossip.Serf.Wire;

namespace Praetor.Gossip.Serf;

/// <summary>The local Serf instance's own state (serf.go SerfState).</summary>
public enum SerfState
{
    Alive,
    Leaving,
    Left,
    Shutdown,
}

/// <summary>
/// Serf's member and event state as a deterministic state machine (serf.go, delegate.go,
/// event_delegate.go): members with Lamport-ordered join/leave intents, memberlist's member
/// events turned into Serf's (join, leave, failed, update, reap), user events and queries
/// de-duplicated and re-broadcast, push/pull state, reaping and reconnect picks. Every input
/// takes the time; randomness comes from the <see cref="Random"/> given at construction. Not
/// thread-safe: one loop owns it, and collects <see cref="TakeOutput"/> after each input.
/// </summary>
public sealed partial class SerfCore
{
    private readonly SerfOptions _options;
    private readonly Random _random;
    private readonly Dictionary<string, MemberState> _members = new(StringComparer.Ordinal);
    private readonly List<MemberState> _failedMembers = [];
    private readonly List<MemberState> _leftMembers = [];
    private readonly Dictionary<string, NodeIntent> _recentIntents = new(StringComparer.Ordinal);
    private readonly List<(MemberState Member, TimeSpan At)> _pendingPrunes = [];
    private readonly EventCoalescer _coalescer;
    private SerfOutput _output = new();
    private TimeSpan _nextReapAt, _nextReconnectAt;

    /// <summary>
    /// Creates the core for node <paramref name="localName"/>. <paramref name="restored"/> are the
    /// clocks from a snapshot of a previous run: the clocks resume past them and events and
    /// queries from before them are ignored (eventMinTime/queryMinTime).
    /// </summary>
    public SerfCore(string localName, SerfOptions options, Random random, TimeSpan now, RestoredClocks? restored = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(localName);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(random);
        var problems = options.Validate();
        if (problems.Count > 0) throw new ArgumentException(string.Join("; ", problems), nameof(options));
        LocalName = localName;
        _options = options;
        _random = random;
        Events = new UserEventBuffer(EventClock, options.EventBufferSize);
        Queries = new QueryBuffer(QueryClock, options.QueryBufferSize);
        _coalescer = new EventCoalescer(options.CoalescePeriod, options.QuiescentPeriod, options.UserCoalescePeriod, options.UserQuiescentPeriod);
        if (restored is { } clocks)
        {
            Events.MinTime = clocks.EventClock + 1;
            Queries.MinTime = clocks.QueryClock + 1;
        }
        // At least 1, so that the default join LTime of 0 never looks new.
        Clock.Increment();
        EventClock.Increment();
        QueryClock.Increment();
        if (restored is { } old)
        {
            Clock.Witness(old.Clock);
            EventClock.Witness(old.EventClock);
            QueryClock.Witness(old.QueryClock);
        }
        _nextReapAt = now + options.ReapInterval;
        _nextReconnectAt = now + options.ReconnectInterval;
    }

    public string LocalName { get; }

    public SerfState State { get; private set; } = SerfState.Alive;

    /// <summary>The member status clock (join and leave intents).</summary>
    public LamportClock Clock { get; } = new();

    public LamportClock EventClock { get; } = new();

    public LamportClock QueryClock { get; } = new();

    public UserEventBuffer Events { get; }

    public QueryBuffer Queries { get; }

    /// <summary>Every known member (alive, leaving, left and failed until reaped), in name order.</summary>
    public IReadOnlyList<SerfMember> Members
    {
        get
        {
            var list = new List<SerfMember>(_members.Count);
            foreach (var state in _members.Values) list.Add(state.Snapshot());
            list.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
            return list;
        }
    }

    /// <summary>The Lamport time of <paramref name="name"/>'s latest status change, if known.</summary>
    public ulong? StatusLTime(string name) => _members.TryGetValue(name, out var m) ? m.StatusLTime : null;

    /// <summary>Hands over everything the core has produced since the last call.</summary>
    public SerfOutput TakeOutput()
    {
        var output = _output;
        _output = new SerfOutput();
        return output;
    }

    /// <summary>memberlist's EventDelegate as Serf implements it (event_delegate.go): a member event of memberlist's, handed to the matching handler.</summary>
    public void OnMemberEvent(Memberlist.MemberEvent e, TimeSpan now)
    {
        ArgumentNullException.ThrowIfNull(e);
        var m = e.Member;
        var node = new SerfNode(m.Name, m.Address.Address.GetAddressBytes(), (ushort)m.Address.Port, m.Meta, m.Vsn);
        switch (e.Kind)
        {
            case Memberlist.MemberEventKind.Join:
                OnNodeJoin(node, now);
                break;
            case Memberlist.MemberEventKind.Leave or Memberlist.MemberEventKind.Failed:
                OnNodeLeave(node, now);
                break;
            case Memberlist.MemberEventKind.Update:
                OnNodeUpdate(node, now);
                break;
        }
    }

    /// <summary>memberlist NotifyJoin: a member appeared (or came back).</summary>
    public void OnNodeJoin(SerfNode node, TimeSpan now)
    {
        ArgumentNullException.ThrowIfNull(node);
        if (!_members.TryGetValue(node.Name, out var member))
        {
            member = new MemberState(node.Name) { Status = MemberStatus.Alive };
            // The intent buffer holds one intent per node, the most recent.
            if (RecentIntent(node.Name, SerfMessageType.Join) is { } joinTime) member.StatusLTime = joinTime;
            if (RecentIntent(node.Name, SerfMessageType.Leave) is { } leaveTime)
            {
                member.Status = MemberStatus.Leaving;
                member.StatusLTime = leaveTime;
            }
            _members[node.Name] = member;
        }
        else
        {
            var wasGone = member.Status is MemberStatus.Failed or MemberStatus.Left;
            member.Status = MemberStatus.Alive;
            member.LeaveTime = null;
            if (wasGone)
            {
                _failedMembers.Remove(member);
                _leftMembers.Remove(member);
            }
        }
        member.Update(node);
        Emit(new SerfMemberEvent(SerfEventType.MemberJoin, [member.Snapshot()]), now);
    }

    /// <summary>memberlist NotifyLeave: a member is gone, by leaving (if it said so) or by failing.</summary>
    public void OnNodeLeave(SerfNode node, TimeSpan now)
    {
        ArgumentNullException.ThrowIfNull(node);
        if (!_members.TryGetValue(node.Name, out var member)) return;
        SerfEventType type;
        switch (member.Status)
        {
            case MemberStatus.Leaving:
                member.Status = MemberStatus.Left;
                member.LeaveTime = now;
                _leftMembers.Add(member);
                type = SerfEventType.MemberLeave;
                break;
            case MemberStatus.Alive:
                member.Status = MemberStatus.Failed;
                member.LeaveTime = now;
                _failedMembers.Add(member);
                type = SerfEventType.MemberFailed;
                break;
            default:
                return; // already gone: Serf ignores it
        }
        Emit(new SerfMemberEvent(type, [member.Snapshot()]), now);
    }

    /// <summary>memberlist NotifyUpdate: a member's meta (tags) changed.</summary>
    public void OnNodeUpdate(SerfNode node, TimeSpan now)
    {
        ArgumentNullException.ThrowIfNull(node);
        if (!_members.TryGetValue(node.Name, out var member)) return;
        member.Update(node);
        Emit(new SerfMemberEvent(SerfEventType.MemberUpdate, [member.Snapshot()]), now);
    }

    /// <summary>
    /// The local node joined a cluster (memberlist contacted at least one node): announce it with a
    /// join intent at the current time (Serf.Join → broadcastJoin).
    /// </summary>
    public void BroadcastJoin(TimeSpan now) => BroadcastJoin(Clock.Time, now);

    private void BroadcastJoin(ulong ltime, TimeSpan now)
    {
        var join = new JoinIntent(ltime, LocalName);
        Clock.Witness(ltime);
        HandleJoinIntent(join, now);
        _output.IntentBroadcasts.Add(SerfCodec.Encode(join));
    }

    /// <summary>
    /// Starts a graceful leave: the local node's leave intent is applied and, when another member is
    /// alive, broadcast. The host then waits for the broadcast, leaves memberlist, and calls
    /// <see cref="CompleteLeave"/>. False if a leave is already under way or done.
    /// </summary>
    public bool Leave(TimeSpan now)
    {
        if (State != SerfState.Alive) return false;
        State = SerfState.Leaving;
        var leave = new LeaveIntent(Clock.Time, LocalName);
        Clock.Increment();
        HandleLeaveIntent(leave, now);
        if (HasAliveMembers()) _output.IntentBroadcasts.Add(SerfCodec.Encode(leave));
        return true;
    }

    public void CompleteLeave()
    {
        if (State == SerfState.Leaving) State = SerfState.Left;
    }

    /// <summary>force-leave: tells the cluster that failed member <paramref name="node"/> left (with <paramref name="prune"/>: erase it now).</summary>
    public void ForceLeave(string node, bool prune, TimeSpan now)
    {
        var leave = new LeaveIntent(Clock.Time, node, prune);
        Clock.Increment();
        HandleLeaveIntent(leave, now);
        if (HasAliveMembers()) _output.IntentBroadcasts.Add(SerfCodec.Encode(leave));
    }

    /// <summary>
    /// Time passes: flushes coalesced events that are due, runs the reaper and the reconnect pick
    /// on their intervals, and erases pruned members whose wait is over.
    /// </summary>
    public void Tick(TimeSpan now)
    {
        for (var i = _pendingPrunes.Count - 1; i >= 0; i--)
        {
            if (now < _pendingPrunes[i].At) continue;
            var member = _pendingPrunes[i].Member;
            _pendingPrunes.RemoveAt(i);
            if (_members.TryGetValue(member.Name, out var current) && ReferenceEquals(current, member)) Prune(member, now);
        }
        if (now >= _nextReapAt)
        {
            _nextReapAt = now + _options.ReapInterval;
            Reap(_failedMembers, now, _options.ReconnectTimeout);
            Reap(_leftMembers, now, _options.TombstoneTimeout);
            ReapIntents(now);
        }
        if (now >= _nextReconnectAt)
        {
            _nextReconnectAt = now + _options.ReconnectInterval;
            PickReconnect();
        }
        ExpireQueries(now);
        _coalescer.Flush(now, _output.Events);
    }

    /// <summary>The earliest time <see cref="Tick"/> has work to do.</summary>
    public TimeSpan NextTickAt(TimeSpan now)
    {
        var next = _nextReapAt < _nextReconnectAt ? _nextReapAt : _nextReconnectAt;
        if (_coalescer.NextFlushAt is { } flush && flush < next) next = flush;
        foreach (var (_, at) in _pendingPrunes) if (at < next) next = at;
        if (OpenQueries.NextDeadline is { } deadline && deadline < next) next = deadline;
        return next < now ? now : next;
    }

    /// <summary>Shutdown: whatever coalescing holds is delivered.</summary>
    public void Shutdown(TimeSpan now)
    {
        State = SerfState.Shutdown;
        OpenQueries.CloseAll();
        _coalescer.Flush(now, _output.Events, all: true);
    }

    private bool HasAliveMembers()
    {
        foreach (var member in _members.Values)
        {
            if (member.Name != LocalName && member.Status == MemberStatus.Alive) return true;
        }
        return false;
    }

    private void Emit(SerfEvent serfEvent, TimeSpan now) => _coalescer.Add(serfEvent, now, _output.Events);

    private void Reap(List<MemberState> list, TimeSpan now, TimeSpan timeout)
    {
        for (var i = list.Count - 1; i >= 0; i--)
        {
            var member = list[i];
            if (member.LeaveTime is { } left && now - left <= timeout) continue;
            list.RemoveAt(i);
            Erase(member, now);
        }
    }

    private void Erase(MemberState member, TimeSpan now)
    {
        _members.Remove(member.Name);
        Emit(new SerfMemberEvent(SerfEventType.MemberReap, [member.Snapshot()]), now);
    }

    private void Prune(MemberState member, TimeSpan now)
    {
        if (member.Status is MemberStatus.Leaving or MemberStatus.Left) _leftMembers.Remove(member);
        _failedMembers.Remove(member);
        Erase(member, now);
    }

    // Each failed member is tried about once per interval across the cluster: probability
    // failed / alive, then one failed member at random.
    private void PickReconnect()
    {
        if (_failedMembers.Count == 0) return;
        var alive = _members.Count - _failedMembers.Count - _leftMembers.Count;
        var probability = (float)_failedMembers.Count / Math.Max(alive, 1);
        if (_random.NextSingle() > probability) return;
        _output.Reconnects.Add(_failedMembers[_random.Next(_failedMembers.Count)].Snapshot());
    }

    private void ReapIntents(TimeSpan now)
    {
        List<string>? expired = null;
        foreach (var (node, intent) in _recentIntents)
        {
            if (now - intent.SeenAt > _options.RecentIntentTimeout) (expired ??= []).Add(node);
        }
        if (expired is null) return;
        foreach (var node in expired) _recentIntents.Remove(node);
    }

    /// <summary>Records an intent for a member not known yet; true (re-broadcast) when it is newer than the one held.</summary>
    private bool UpsertIntent(string node, SerfMessageType type, ulong ltime, TimeSpan now)
    {
        if (_recentIntents.TryGetValue(node, out var intent) && ltime <= intent.LTime) return false;
        _recentIntents[node] = new NodeIntent(type, now, ltime);
        return true;
    }

    private ulong? RecentIntent(string node, SerfMessageType type) =>
        _recentIntents.TryGetValue(node, out var intent) && intent.Type == type ? intent.LTime : null;

    private readonly record struct NodeIntent(SerfMessageType Type, TimeSpan SeenAt, ulong LTime);

    private sealed class MemberState(string name)
    {
        public string Name { get; } = name;
        public byte[] Addr { get; set; } = [];
        public ushort Port { get; set; }
        public IReadOnlyDictionary<string, string> Tags { get; set; } = new Dictionary<string, string>();
        public MemberStatus Status { get; set; }
        public Memberlist.ProtocolVersions Vsn { get; set; }
        public ulong StatusLTime { get; set; }
        public TimeSpan? LeaveTime { get; set; }

        public void Update(SerfNode node)
        {
            Addr = node.Addr;
            Port = node.Port;
            // Malformed tags keep what was read before the fault, as Serf does.
            SerfTags.TryDecode(node.Meta, out var tags, out _);
            Tags = tags;
            Vsn = node.Vsn;
        }

        public SerfMember Snapshot() => new(Name, Addr, Port, Tags, Status, Vsn);
    }
}

/// <summary>The three Lamport clocks a snapshot restores (snapshot.go LastClock, LastEventClock, LastQueryClock).</summary>
public readonly record struct RestoredClocks(ulong Clock, ulong EventClock, ulong QueryClock);
