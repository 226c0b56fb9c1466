namespace Praetor.Gossip.Memberlist;

/// <summary>
/// The member list's rules (memberlist state.go): alive, suspect and dead messages with their
/// incarnation rules, refutation, suspicion timeouts, push/pull merging and reaping.
/// </summary>
public sealed partial class MemberlistCore
{
    /// <summary>
    /// An alive message (aliveNode). A newer incarnation wins; for ourselves, anything that
    /// disagrees with what we are is refuted. <paramref name="bootstrap"/> is set for our own
    /// announcements (start, meta update), which are taken rather than refuted.
    /// </summary>
    private void AliveNode(Alive a, bool bootstrap, TimeSpan now)
    {
        _nodeMap.TryGetValue(a.Node, out var state);
        if (_left && a.Node == _local.Name) return;
        if (a.Vsn.ProtocolMin == 0 || a.Vsn.ProtocolMax == 0 || a.Vsn.ProtocolMin > a.Vsn.ProtocolMax)
        {
            DroppedMessages++;
            return;
        }

        var updatesNode = false;
        if (state is null)
        {
            // A new member starts dead at incarnation 0, so the alive below is a join.
            state = new MemberRecord { Name = a.Node, Addr = a.Addr, Port = a.Port, Meta = a.Meta, Vsn = a.Vsn, State = NodeState.Dead, StateChange = now };
            _nodeMap[a.Node] = state;
            // Insert at a random place so a new member is probed at a random point of the round.
            var n = _nodes.Count;
            var offset = n == 0 ? 0 : _random.Next(n);
            _nodes.Add(state);
            (_nodes[offset], _nodes[n]) = (_nodes[n], _nodes[offset]);
        }
        else if (!state.Addr.AsSpan().SequenceEqual(a.Addr) || state.Port != a.Port)
        {
            var canReclaim = _options.DeadNodeReclaimTime > TimeSpan.Zero && now - state.StateChange > _options.DeadNodeReclaimTime;
            if (state.State == NodeState.Left || (state.State == NodeState.Dead && canReclaim))
            {
                updatesNode = true;
            }
            else
            {
                NameConflicts++;
                var other = new Member(a.Node, new System.Net.IPEndPoint(new System.Net.IPAddress(a.Addr), a.Port), a.Meta, NodeState.Alive, a.Incarnation, a.Vsn, now);
                _output.Conflicts.Add(new NameConflict(state.Snapshot(), other));
                return;
            }
        }

        var isLocalNode = state.Name == _local.Name;
        if (a.Incarnation <= state.Incarnation && !isLocalNode && !updatesNode) return;
        if (a.Incarnation < state.Incarnation && isLocalNode) return;

        _suspicions.Remove(a.Node);
        var oldState = state.State;
        var oldMeta = state.Meta;

        if (!bootstrap && isLocalNode)
        {
            // Someone gossips about us at our incarnation or later: unless it says exactly what
            // we are, out-shout it with a newer incarnation.
            if (a.Incarnation == state.Incarnation && a.Meta.AsSpan().SequenceEqual(state.Meta) && a.Vsn == state.Vsn) return;
            Refute(state, a.Incarnation);
        }
        else
        {
            QueueBroadcast(a.Node, a);
            state.Vsn = a.Vsn;
            state.Incarnation = a.Incarnation;
            state.Meta = a.Meta;
            state.Addr = a.Addr;
            state.Port = a.Port;
            if (state.State != NodeState.Alive)
            {
                state.State = NodeState.Alive;
                state.StateChange = now;
            }
        }

        if (oldState is NodeState.Dead or NodeState.Left)
        {
            _output.Events.Add(new MemberEvent(MemberEventKind.Join, state.Snapshot()));
        }
        else if (!oldMeta.AsSpan().SequenceEqual(state.Meta))
        {
            _output.Events.Add(new MemberEvent(MemberEventKind.Update, state.Snapshot()));
        }
    }

    /// <summary>
    /// A suspect message (suspectNode). A further accuser of an already suspected member is a
    /// Lifeguard confirmation that shortens the timeout; a suspicion of ourselves is refuted.
    /// </summary>
    private void SuspectNode(Suspect s, TimeSpan now)
    {
        if (!_nodeMap.TryGetValue(s.Node, out var state)) return;
        if (s.Incarnation < state.Incarnation) return;

        if (_suspicions.TryGetValue(s.Node, out var timer))
        {
            if (timer.Confirm(s.From)) QueueBroadcast(s.Node, s);
            return;
        }
        if (state.State != NodeState.Alive) return;

        if (state.Name == _local.Name)
        {
            Refute(state, s.Incarnation);
            return;
        }
        QueueBroadcast(s.Node, s);

        state.Incarnation = s.Incarnation;
        state.State = NodeState.Suspect;
        state.StateChange = now;

        // Lifeguard: wait for SuspicionMult − 2 independent confirmations before the shortest
        // timeout; in a cluster too small to have that many other members, start at the minimum.
        var k = _options.SuspicionMult - 2;
        var n = _nodes.Count;
        if (n - 2 < k) k = 0;
        var min = SuspicionTimer.MinTimeout(_options.SuspicionMult, n, _options.ProbeInterval);
        var max = min * _options.SuspicionMaxTimeoutMult;
        _suspicions[s.Node] = new SuspicionTimer(s.From, k, min, max, now, now);
    }

    /// <summary>A dead message (deadNode): a death from the member itself is a leave; our own death is refuted unless we are leaving.</summary>
    private void DeadNode(Dead d, TimeSpan now)
    {
        if (!_nodeMap.TryGetValue(d.Node, out var state)) return;
        if (d.Incarnation < state.Incarnation) return;
        _suspicions.Remove(d.Node);
        if (state.DeadOrLeft) return;

        if (state.Name == _local.Name)
        {
            if (!_left)
            {
                Refute(state, d.Incarnation);
                return;
            }
            QueueBroadcast(d.Node, d, () => _output.LeaveBroadcastFinished = true);
        }
        else
        {
            QueueBroadcast(d.Node, d);
        }

        state.Incarnation = d.Incarnation;
        state.State = d.Node == d.From ? NodeState.Left : NodeState.Dead;
        state.StateChange = now;
        _output.Events.Add(new MemberEvent(state.State == NodeState.Left ? MemberEventKind.Leave : MemberEventKind.Failed, state.Snapshot()));
    }

    /// <summary>Answers an accusation at <paramref name="accusedIncarnation"/> with an alive at a higher incarnation (refute).</summary>
    private void Refute(MemberRecord self, uint accusedIncarnation)
    {
        var inc = NextIncarnation();
        if (accusedIncarnation >= inc)
        {
            _incarnation = accusedIncarnation + 1;
            inc = _incarnation;
        }
        self.Incarnation = inc;
        Refutations++;
        // Lifeguard: being accused is a hint that we are the slow one.
        _awareness.ApplyDelta(1);
        QueueBroadcast(self.Name, new Alive(inc, self.Name, self.Addr, self.Port, self.Meta, self.Vsn));
    }

    private void FireSuspicionTimers(TimeSpan now)
    {
        if (_suspicions.Count == 0) return;
        List<string>? due = null;
        foreach (var (name, timer) in _suspicions)
        {
            if (!timer.Fired && now >= timer.Deadline) (due ??= []).Add(name);
        }
        if (due is null) return;
        due.Sort(StringComparer.Ordinal);
        foreach (var name in due)
        {
            if (!_suspicions.TryGetValue(name, out var timer) || timer.Fired) continue;
            timer.Fired = true;
            if (!_nodeMap.TryGetValue(name, out var state) || state.State != NodeState.Suspect || state.StateChange != timer.StateChange) continue;
            if (timer.K > 0 && timer.Confirmations < timer.K) DegradedSuspicionTimeouts++;
            DeadNode(new Dead(state.Incarnation, state.Name, _local.Name), now);
        }
    }

    /// <summary>
    /// Merges a push/pull's remote state (mergeRemoteState + mergeState): alive as an alive
    /// message, left as a leave, suspect and dead only as a suspicion (so the member gets the
    /// chance to refute). Returns why the state was refused, or null.
    /// </summary>
    private string? MergeRemoteState(IReadOnlyList<PushNodeState> remote, TimeSpan now)
    {
        var problem = VerifyProtocol(remote);
        if (problem is not null) return problem;
        foreach (var r in remote)
        {
            switch (r.State)
            {
                case NodeState.Alive:
                    AliveNode(new Alive(r.Incarnation, r.Name, r.Addr, r.Port, r.Meta, r.Vsn), bootstrap: false, now);
                    break;
                case NodeState.Left:
                    DeadNode(new Dead(r.Incarnation, r.Name, r.Name), now);
                    break;
                case NodeState.Dead:
                case NodeState.Suspect:
                    SuspectNode(new Suspect(r.Incarnation, r.Name, _local.Name), now);
                    break;
            }
        }
        return null;
    }

    /// <summary>Every alive member on both sides must speak a version all alive members understand (verifyProtocol).</summary>
    private string? VerifyProtocol(IReadOnlyList<PushNodeState> remote)
    {
        byte maxPMin = 0, minPMax = byte.MaxValue, maxDMin = 0, minDMax = byte.MaxValue;
        void Widen(ProtocolVersions v)
        {
            maxPMin = Math.Max(maxPMin, v.ProtocolMin);
            minPMax = Math.Min(minPMax, v.ProtocolMax);
            maxDMin = Math.Max(maxDMin, v.DelegateMin);
            minDMax = Math.Min(minDMax, v.DelegateMax);
        }
        foreach (var r in remote)
        {
            if (r.State == NodeState.Alive) Widen(r.Vsn);
        }
        foreach (var n in _nodes)
        {
            if (n.State == NodeState.Alive) Widen(n.Vsn);
        }
        string? Check(string name, ProtocolVersions v) =>
            v.ProtocolCurrent < maxPMin || v.ProtocolCurrent > minPMax
                ? $"Node '{name}' protocol version ({v.ProtocolCurrent}) is incompatible: [{maxPMin}, {minPMax}]"
                : v.DelegateCurrent < maxDMin || v.DelegateCurrent > minDMax
                    ? $"Node '{name}' delegate protocol version ({v.DelegateCurrent}) is incompatible: [{maxDMin}, {minDMax}]"
                    : null;
        foreach (var r in remote)
        {
            if (Check(r.Name, r.Vsn) is { } problem) return problem;
        }
        foreach (var n in _nodes)
        {
            if (Check(n.Name, n.Vsn) is { } problem) return problem;
        }
        return null;
    }

    /// <summary>
    /// At the end of a probe round: drop members dead or left for longer than
    /// GossipToTheDeadTime, then reshuffle (resetNodes). memberlist 0.2.2 reaps only dead ones;
    /// left ones are reaped too here so the list (and every push/pull) stays bounded.
    /// </summary>
    private void ResetNodes(TimeSpan now)
    {
        var kept = 0;
        for (var i = 0; i < _nodes.Count; i++)
        {
            var node = _nodes[i];
            if (node.DeadOrLeft && node.Name != _local.Name && now - node.StateChange > _options.GossipToTheDeadTime)
            {
                _nodeMap.Remove(node.Name);
                continue;
            }
            _nodes[kept++] = node;
        }
        _nodes.RemoveRange(kept, _nodes.Count - kept);
        for (var i = _nodes.Count - 1; i > 0; i--)
        {
            var j = _random.Next(i + 1);
            (_nodes[i], _nodes[j]) = (_nodes[j], _nodes[i]);
        }
    }
}
