using Praetor.Gossip.Serf.Wire;

namespace Praetor.Gossip.Serf;

public sealed partial class SerfCore
{
    /// <summary>
    /// memberlist NotifyMsg: a Serf message arrived by gossip. Intents, user events and queries
    /// seen for the first time are re-broadcast on their queue; undecodable ones are dropped and
    /// reported in <see cref="SerfOutput.DecodeErrors"/>. Query responses go to <see cref="OpenQueries"/>; relays are forwarded as direct sends.
    /// </summary>
    public void OnMessage(ReadOnlySpan<byte> message, TimeSpan now)
    {
        if (message.IsEmpty) return; // Serf ignores empty user messages
        if (!SerfCodec.TryDecode(message, out var decoded, out var error))
        {
            _output.DecodeErrors.Add(error);
            return;
        }
        switch (decoded)
        {
            case LeaveIntent leave:
                if (HandleLeaveIntent(leave, now)) _output.IntentBroadcasts.Add(message.ToArray());
                break;
            case JoinIntent join:
                if (HandleJoinIntent(join, now)) _output.IntentBroadcasts.Add(message.ToArray());
                break;
            case UserEventMessage userEvent:
                if (HandleUserEvent(userEvent, now)) _output.EventBroadcasts.Add(message.ToArray());
                break;
            case QueryMessage query:
                if (HandleQuery(query, now)) _output.QueryBroadcasts.Add(message.ToArray());
                break;
            case QueryResponseMessage response:
                HandleQueryResponse(response, now);
                break;
            case RelayMessage relay:
                _output.DirectSends.Add((relay.DestIp ?? [], (ushort)relay.DestPort, relay.DestName, relay.Inner));
                break;
            default:
                // Push/pull state and query payloads never come as gossip messages.
                break;
        }
    }

    /// <summary>
    /// Fires a user event from this node (Serf.UserEvent): checks the size limits, stamps it with
    /// the event clock, delivers it locally and queues its broadcast. False with the reason when
    /// it is too large.
    /// </summary>
    public bool TryFireUserEvent(string name, byte[]? payload, bool coalesce, TimeSpan now, out string? error)
    {
        ArgumentNullException.ThrowIfNull(name);
        var sizeBeforeEncoding = System.Text.Encoding.UTF8.GetByteCount(name) + (payload?.Length ?? 0);
        if (sizeBeforeEncoding > _options.UserEventSizeBytesMax)
        {
            error = $"user event exceeds configured limit of {_options.UserEventSizeBytesMax} bytes before encoding";
            return false;
        }
        if (sizeBeforeEncoding > SerfOptions.UserEventSizeBytesCeiling)
        {
            error = $"user event exceeds sane limit of {SerfOptions.UserEventSizeBytesCeiling} bytes before encoding";
            return false;
        }
        var message = new UserEventMessage(EventClock.Time, name, payload, coalesce);
        var raw = SerfCodec.Encode(message);
        if (raw.Length > _options.UserEventSizeBytesMax)
        {
            error = $"encoded user event exceeds configured limit of {_options.UserEventSizeBytesMax} bytes after encoding";
            return false;
        }
        EventClock.Increment();
        HandleUserEvent(message, now);
        _output.EventBroadcasts.Add(raw);
        error = null;
        return true;
    }

    /// <summary>memberlist LocalState: Serf's half of a push/pull.</summary>
    public byte[] LocalState()
    {
        var statusLTimes = new Dictionary<string, ulong>(_members.Count, StringComparer.Ordinal);
        foreach (var (name, member) in _members) statusLTimes[name] = member.StatusLTime;
        var left = new List<string>(_leftMembers.Count);
        foreach (var member in _leftMembers) left.Add(member.Name);
        return SerfCodec.Encode(new PushPullState(Clock.Time, statusLTimes, left, EventClock.Time, Events.Slots.ToArray(), QueryClock.Time));
    }

    /// <summary>
    /// memberlist MergeRemoteState: the peer's Serf state from a push/pull. Clocks are witnessed
    /// first (one below theirs: nothing was sent at their current time yet), then left members as
    /// leave intents one past their status time, other members as join intents, then the buffered
    /// user events. On a join with <paramref name="ignoreOldEvents"/> (Serf.Join's ignoreOld),
    /// events up to the peer's event clock are not delivered.
    /// </summary>
    public void MergeRemoteState(ReadOnlySpan<byte> state, bool isJoin, bool ignoreOldEvents, TimeSpan now)
    {
        if (!SerfCodec.TryDecode<PushPullState>(state, out var pushPull, out var error))
        {
            _output.DecodeErrors.Add(error);
            return;
        }
        if (pushPull.LTime > 0) Clock.Witness(pushPull.LTime - 1);
        if (pushPull.EventLTime > 0) EventClock.Witness(pushPull.EventLTime - 1);
        if (pushPull.QueryLTime > 0) QueryClock.Witness(pushPull.QueryLTime - 1);

        var left = new HashSet<string>(pushPull.LeftMembers, StringComparer.Ordinal);
        foreach (var name in pushPull.LeftMembers)
        {
            pushPull.StatusLTimes.TryGetValue(name, out var statusLTime);
            HandleLeaveIntent(new LeaveIntent(statusLTime + 1, name), now);
        }
        foreach (var (name, statusLTime) in pushPull.StatusLTimes)
        {
            if (!left.Contains(name)) HandleJoinIntent(new JoinIntent(statusLTime, name), now);
        }

        if (isJoin && ignoreOldEvents && pushPull.EventLTime > Events.MinTime) Events.MinTime = pushPull.EventLTime;

        foreach (var bucket in pushPull.Events)
        {
            if (bucket is null) continue;
            foreach (var e in bucket.Events) HandleUserEvent(new UserEventMessage(bucket.LTime, e.Name, e.Payload, false), now);
        }
    }

    /// <summary>handleNodeJoinIntent: true when the intent is news and should be re-broadcast.</summary>
    private bool HandleJoinIntent(JoinIntent join, TimeSpan now)
    {
        Clock.Witness(join.LTime);
        if (!_members.TryGetValue(join.Node, out var member)) return UpsertIntent(join.Node, SerfMessageType.Join, join.LTime, now);
        if (join.LTime <= member.StatusLTime) return false;
        member.StatusLTime = join.LTime;
        // A leave older than this join no longer holds.
        if (member.Status == MemberStatus.Leaving) member.Status = MemberStatus.Alive;
        return true;
    }

    /// <summary>handleNodeLeaveIntent: true when the intent is news and should be re-broadcast.</summary>
    private bool HandleLeaveIntent(LeaveIntent leave, TimeSpan now)
    {
        Clock.Witness(leave.LTime);
        if (!_members.TryGetValue(leave.Node, out var member)) return UpsertIntent(leave.Node, SerfMessageType.Leave, leave.LTime, now);
        if (leave.LTime <= member.StatusLTime) return false;

        // Someone says we are leaving while we are not: refute with a fresh join intent.
        if (leave.Node == LocalName && State == SerfState.Alive)
        {
            BroadcastJoin(Clock.Time, now);
            return false;
        }

        // Recorded even when the status stays, so a repeated leave is not re-broadcast forever (consul#8179).
        member.StatusLTime = leave.LTime;
        switch (member.Status)
        {
            case MemberStatus.Alive:
                member.Status = MemberStatus.Leaving;
                break;
            case MemberStatus.Failed:
                member.Status = MemberStatus.Left;
                _failedMembers.Remove(member);
                _leftMembers.Add(member);
                Emit(new SerfMemberEvent(SerfEventType.MemberLeave, [member.Snapshot()]), now);
                break;
            case MemberStatus.Leaving or MemberStatus.Left:
                break;
            default:
                return false;
        }
        if (leave.Prune)
        {
            // A member still leaving is given time to go before it is erased.
            if (member.Status == MemberStatus.Leaving) _pendingPrunes.Add((member, now + _options.PruneDelay));
            else Prune(member, now);
        }
        return true;
    }

    /// <summary>handleUserEvent: true when the event is new (delivered, and to be re-broadcast).</summary>
    private bool HandleUserEvent(UserEventMessage message, TimeSpan now)
    {
        if (Events.Observe(message.LTime, message.Name, message.Payload) != DeliveryVerdict.Deliver) return false;
        Emit(new SerfUserEvent(message.LTime, message.Name, message.Payload, message.CanCoalesce), now);
        return true;
    }

    /// <summary>
    /// handleQuery: de-duplicates, applies the filters (a query not for us is still re-broadcast),
    /// acks when asked, and delivers the query. True when it should be re-broadcast.
    /// </summary>
    private bool HandleQuery(QueryMessage query, TimeSpan now)
    {
        if (Queries.Observe(query.LTime, query.Id) != DeliveryVerdict.Deliver) return false;
        var rebroadcast = !query.NoBroadcast;
        if (!ShouldProcess(query.Filters)) return rebroadcast;
        if (query.Ack)
        {
            var ack = new QueryResponseMessage(query.LTime, query.Id, LocalName, QueryMessage.FlagAck, null);
            _output.DirectSends.Add((query.Addr ?? [], query.Port, query.SourceNode, SerfCodec.Encode(ack)));
        }
        Emit(new SerfQueryEvent(query.LTime, query.Name, query.Payload, query.Id, query.Addr, query.Port, query.SourceNode,
            now + TimeSpan.FromTicks(query.TimeoutNanoseconds / 100), query.RelayFactor), now);
        return rebroadcast;
    }

    private bool ShouldProcess(IReadOnlyList<byte[]>? filters)
    {
        if (filters is null) return true;
        foreach (var raw in filters)
        {
            if (!QueryFilter.TryDecode(raw, out var filter, out _)) return false;
            switch (filter)
            {
                case NodeQueryFilter nodes:
                    if (!nodes.Nodes.Contains(LocalName)) return false;
                    break;
                case TagQueryFilter tag:
                    var local = _members.TryGetValue(LocalName, out var self) ? self.Tags : null;
                    var value = local is not null && local.TryGetValue(tag.Tag, out var v) ? v : "";
                    if (!TagFilterMatches(tag.Expr, value)) return false;
                    break;
            }
        }
        return true;
    }

    // Go's regexp.MatchString (RE2, unanchored, linear time). .NET's non-backtracking engine is the
    // nearest: no backreferences or lookarounds (RE2 has none either), linear time, so no match
    // timeout (one made a filter fail at random on a loaded machine: the engine builds its
    // automaton while matching); a pattern it cannot compile fails the filter, as a Go compile
    // error does.
    private static bool TagFilterMatches(string expr, string value)
    {
        try
        {
            return System.Text.RegularExpressions.Regex.IsMatch(value, expr, System.Text.RegularExpressions.RegexOptions.NonBacktracking | System.Text.RegularExpressions.RegexOptions.CultureInvariant);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException)
        {
            return false;
        }
    }
}
