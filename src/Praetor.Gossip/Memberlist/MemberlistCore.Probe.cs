using System.Net;

namespace Praetor.Gossip.Memberlist;

/// <summary>SWIM failure detection: the probe round, indirect probes, acks and nacks.</summary>
public sealed partial class MemberlistCore
{
    private readonly Dictionary<uint, IndirectRelay> _relays = [];
    private ProbeInProgress? _probe;
    private int _probeIndex;
    private TimeSpan _nextProbeAt;

    /// <summary>The probe under way, if any (for tests).</summary>
    internal string? ProbeTarget => _probe?.TargetName;

    /// <summary>
    /// The ack a TCP ping should get (the host answers stream pings with it), or null when the
    /// ping names another node.
    /// </summary>
    public AckResp? AnswerPing(Ping ping) =>
        ping.Node.Length > 0 && ping.Node != _local.Name ? null : new AckResp(ping.SeqNo, AckPayload);

    /// <summary>The result of a <see cref="FallbackPingRequest"/>: whether the target acked over TCP.</summary>
    public void CompleteFallbackPing(uint seqNo, bool contacted, TimeSpan now)
    {
        if (_probe is { } p && p.SeqNo == seqNo && now <= p.Deadline && contacted) p.FallbackContacted = true;
    }

    /// <summary>Picks the next member round-robin over the shuffled list, reshuffling (and reaping) at each wrap (memberlist probe).</summary>
    private void StartProbe(TimeSpan now)
    {
        var numCheck = 0;
        while (numCheck < _nodes.Count)
        {
            if (_probeIndex >= _nodes.Count)
            {
                ResetNodes(now);
                _probeIndex = 0;
                numCheck++;
                continue;
            }
            var node = _nodes[_probeIndex++];
            if (node.Name == _local.Name || node.DeadOrLeft)
            {
                numCheck++;
                continue;
            }
            ProbeNode(node, now);
            return;
        }
    }

    private void ProbeNode(MemberRecord node, TimeSpan now)
    {
        // Lifeguard: a node with a poor health score waits longer for acks before suspecting.
        var probeInterval = _awareness.ScaleTimeout(_options.ProbeInterval);
        var ping = new Ping(NextSeqNo(), node.Name, _localAddr, _localPort, _local.Name);
        _probe = new ProbeInProgress
        {
            SeqNo = ping.SeqNo,
            Ping = ping,
            TargetName = node.Name,
            TargetEndPoint = node.EndPoint,
            TargetAddr = node.Addr,
            TargetPort = node.Port,
            TargetIncarnation = node.Incarnation,
            TargetProtocolMax = node.Vsn.ProtocolMax,
            SentAt = now,
            DirectDeadline = now + _options.ProbeTimeout,
            Deadline = now + probeInterval,
        };
        if (node.State == NodeState.Alive || !_options.BuddySystem)
        {
            SendWithPiggyback(node.EndPoint, node.Name, ping);
        }
        else
        {
            // Lifeguard's buddy system: tell a suspected node it is suspected, so it refutes now
            // rather than whenever the gossip reaches it.
            _output.Packets.Add(new OutboundPacket(node.EndPoint, node.Name, [ping, new Suspect(node.Incarnation, node.Name, _local.Name)]));
        }
    }

    private void AdvanceProbe(TimeSpan now)
    {
        var p = _probe!;
        if (!p.IndirectSent && now >= p.DirectDeadline && now < p.Deadline) SendIndirectProbes(p);
        if (now >= p.Deadline) FinishFailedProbe(p, now);
    }

    private void SendIndirectProbes(ProbeInProgress p)
    {
        p.IndirectSent = true;
        var peers = KRandomNodes(_options.IndirectChecks, n => n.Name == _local.Name || n.Name == p.TargetName || n.State != NodeState.Alive);
        foreach (var peer in peers)
        {
            // Protocol 4 added nacks: a helper that cannot reach the target says so, which tells
            // us our own network is fine (Lifeguard's local health input).
            var nack = peer.Vsn.ProtocolMax >= 4;
            if (nack) p.ExpectedNacks++;
            var req = new IndirectPingReq(p.SeqNo, p.TargetAddr, p.TargetPort, p.TargetName, nack, _localAddr, _localPort, _local.Name);
            SendWithPiggyback(peer.EndPoint, peer.Name, req);
        }
        if (!_options.DisableTcpPings && p.TargetProtocolMax >= 3)
        {
            _output.FallbackPings.Add(new FallbackPingRequest(p.TargetEndPoint, p.TargetName, p.Ping, p.Deadline));
        }
    }

    private void FinishFailedProbe(ProbeInProgress p, TimeSpan now)
    {
        EndProbe(now);
        if (p.FallbackContacted)
        {
            // Reached over TCP but not UDP: the network may be misconfigured, but the node lives.
            _awareness.ApplyDelta(-1);
            return;
        }
        // Missing nacks mean our own messages are not getting through: raise our score.
        _awareness.ApplyDelta(p.ExpectedNacks > 0 ? Math.Max(0, p.ExpectedNacks - p.Nacks) : 1);
        FailedProbes++;
        SuspectNode(new Suspect(p.TargetIncarnation, p.TargetName, _local.Name), now);
    }

    private void EndProbe(TimeSpan now)
    {
        _probe = null;
        // memberlist's probe ticker drops ticks while a probe runs; a long probe delays the next.
        if (_nextProbeAt < now) _nextProbeAt = now;
    }

    private void OnPing(IPEndPoint from, Ping ping)
    {
        var ack = AnswerPing(ping);
        if (ack is null)
        {
            DroppedMessages++;
            return;
        }
        SendWithPiggyback(ReplyAddress(from, ping.SourceAddr, ping.SourcePort), ping.SourceNode, ack);
    }

    /// <summary>We are the helper of someone's indirect probe: ping the target, relay its ack, or nack at ProbeTimeout.</summary>
    private void OnIndirectPing(IPEndPoint from, IndirectPingReq req, TimeSpan now)
    {
        var localSeq = NextSeqNo();
        var ping = new Ping(localSeq, req.Node, _localAddr, _localPort, _local.Name);
        _relays[localSeq] = new IndirectRelay(req.SeqNo, ReplyAddress(from, req.SourceAddr, req.SourcePort), req.SourceNode, req.Nack, now + _options.ProbeTimeout);
        var port = req.Port == 0 ? _localPort : req.Port;
        SendWithPiggyback(new IPEndPoint(new IPAddress(req.Target), port), req.Node, ping);
    }

    private void OnAck(AckResp ack, TimeSpan now)
    {
        if (_probe is { } p && p.SeqNo == ack.SeqNo && now < p.Deadline)
        {
            // memberlist tells the ping delegate only of acks in the direct phase (relayed acks carry no payload).
            if (now <= p.DirectDeadline) _output.PingsCompleted.Add(new PingCompleted(p.TargetName, now - p.SentAt, ack.Payload));
            EndProbe(now);
            _awareness.ApplyDelta(-1);
            return;
        }
        if (_relays.Remove(ack.SeqNo, out var relay))
        {
            SendWithPiggyback(relay.Requester, relay.RequesterNode, new AckResp(relay.RequesterSeqNo, []));
        }
    }

    private void OnNack(NackResp nack)
    {
        if (_probe is { } p && p.SeqNo == nack.SeqNo && p.Nacks <= _options.IndirectChecks) p.Nacks++;
    }

    private void ExpireRelays(TimeSpan now)
    {
        if (_relays.Count == 0) return;
        List<uint>? expired = null;
        foreach (var (seq, relay) in _relays)
        {
            if (now >= relay.Expires) (expired ??= []).Add(seq);
        }
        if (expired is null) return;
        expired.Sort();
        foreach (var seq in expired)
        {
            _relays.Remove(seq, out var relay);
            if (relay!.Nack) SendWithPiggyback(relay.Requester, relay.RequesterNode, new NackResp(relay.RequesterSeqNo));
        }
    }

    private static IPEndPoint ReplyAddress(IPEndPoint from, byte[]? sourceAddr, ushort sourcePort) =>
        sourceAddr is { Length: 4 or 16 } && sourcePort > 0 ? new IPEndPoint(new IPAddress(sourceAddr), sourcePort) : from;

    /// <summary>One probe in flight: direct phase until DirectDeadline, then indirect and TCP until Deadline.</summary>
    private sealed class ProbeInProgress
    {
        public required uint SeqNo { get; init; }
        public required Ping Ping { get; init; }
        public required string TargetName { get; init; }
        public required IPEndPoint TargetEndPoint { get; init; }
        public required byte[] TargetAddr { get; init; }
        public required ushort TargetPort { get; init; }
        public required uint TargetIncarnation { get; init; }
        public required byte TargetProtocolMax { get; init; }
        public required TimeSpan SentAt { get; init; }
        public required TimeSpan DirectDeadline { get; init; }
        public required TimeSpan Deadline { get; init; }
        public bool IndirectSent { get; set; }
        public int ExpectedNacks { get; set; }
        public int Nacks { get; set; }
        public bool FallbackContacted { get; set; }
    }

    /// <summary>An indirect probe we run for <see cref="Requester"/>.</summary>
    private sealed record IndirectRelay(uint RequesterSeqNo, IPEndPoint Requester, string RequesterNode, bool Nack, TimeSpan Expires);
}
