using System.Buffers;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Praetor.Gossip.Runtime;
using Praetor.Gossip.Memberlist;
using Praetor.Gossip.Memberlist.Wire;
using Praetor.Gossip.Serf;

namespace Praetor.Gossip;

/// <summary>The pool's loop: inputs in order, then both cores' outputs carried out; and the UDP side.</summary>
public sealed partial class SerfPool
{
    private readonly ArrayBufferWriter<byte> _sendBuffer = new(2048);
    private TaskCompletionSource? _memberlistLeaveSent;
    private ITimer? _tickTimer;
    private Action? _tick;
    private TimeSpan _tickArmedAt = TimeSpan.MaxValue;
    private int _reportedHealthScore = -1;

    private async Task RunLoopAsync()
    {
        var reader = _inputs.Reader;
        try
        {
            while (await reader.WaitToReadAsync(_stop.Token))
            {
                while (reader.TryRead(out var input))
                {
                    if (_stop.IsCancellationRequested) return;
                    try
                    {
                        input();
                        Drain(Now());
                    }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        // A core or codec bug must not take the pool down with it; it is loud in the log.
                        PoolLog.InputFailed(_logger, e, _config.NodeName);
                    }
                    // Even after a failed input: a tick that threw must not leave the pool without its next one.
                    ArmTicker(Now());
                }
                PublishMembers();
            }
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }
    }

    /// <summary>Creates the one-shot tick timer and arms it for the cores' first deadline (before the loop runs).</summary>
    private void StartTicker()
    {
        _tick = Tick;
        _tickTimer = _time.CreateTimer(static state => ((SerfPool)state!).OnTickTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        ArmTicker(Now());
    }

    /// <summary>The timer's callback: one tick queued for the loop (the timer is one-shot, so at most one waits).</summary>
    private void OnTickTimer()
    {
        if (!IsStopped) _inputs.Writer.TryWrite(_tick!);
    }

    private void Tick()
    {
        _tickArmedAt = TimeSpan.MaxValue;
        var now = Now();
        _memberlist.Tick(now);
        _serf.Tick(now);
    }

    /// <summary>
    /// Loop only, after every input: arms the timer for the cores' next deadline (at most <see cref="SerfPoolConfig.IdleTickInterval"/>
    /// away) when that is sooner than the one it is armed for. A gossip beat then runs when it is
    /// due, not at the next multiple of a fixed tick, and a quiet pool sleeps.
    /// </summary>
    private void ArmTicker(TimeSpan now)
    {
        var next = _memberlist.NextTickAt(now);
        var serf = _serf.NextTickAt(now);
        if (serf < next) next = serf;
        var idle = now + _config.IdleTickInterval;
        if (idle < next) next = idle;
        if (next >= _tickArmedAt) return;
        _tickArmedAt = next;
        try
        {
            _tickTimer!.Change(next - now, Timeout.InfiniteTimeSpan);
        }
        catch (ObjectDisposedException)
        {
            // Stopping: the timer went before the loop's last input.
        }
    }

    /// <summary>Takes and carries out both cores' outputs until neither has more (one feeds the other).</summary>
    private void Drain(TimeSpan now)
    {
        while (true)
        {
            var memberlist = _memberlist.TakeOutput();
            var serf = _serf.TakeOutput();
            if (memberlist.IsEmpty && serf.IsEmpty) return;
            ExecuteMemberlist(memberlist, now);
            ExecuteSerf(serf, null);
        }
    }

    private void ExecuteMemberlist(MemberlistOutput output, TimeSpan now)
    {
        foreach (var e in output.Events) NotifySerf(e, now);
        foreach (var conflict in output.Conflicts) OnNameConflict(conflict);
        foreach (var packet in output.Packets) SendPacket(packet.To, packet.ToNode, packet.Messages);
        foreach (var request in output.PushPulls)
        {
            var local = new PushPull(request.Join, request.LocalState, _serf.LocalState());
            StartPushPull(request.To, local, ignoreOldEvents: false);
        }
        foreach (var ping in output.FallbackPings) StartFallbackPing(ping, now);
        foreach (var completed in output.PingsCompleted) OnPingComplete(completed);
        if (output.LeaveBroadcastFinished) _memberlistLeaveSent?.TrySetResult();
    }

    /// <summary>Serf's ping delegate: the peer's coordinate and the RTT move ours; the ack payload and the published cache follow.</summary>
    private void OnPingComplete(PingCompleted completed)
    {
        if (completed.Payload.Length == 0) return;
        if (!_ping.OnPingComplete(completed.Node, completed.Rtt, completed.Payload))
        {
            Statistics.CoordinateRejected();
            return;
        }
        _memberlist.AckPayload = _ping.AckPayload;
        _coordinates = _ping.CachedCoordinates();
    }

    /// <summary>Serf's output; <paramref name="onIntentSent"/> (a leave waiting) runs when each intent has been sent its last time.</summary>
    private void ExecuteSerf(SerfOutput output, Action? onIntentSent)
    {
        _serfBroadcasts.Enqueue(output, onIntentSent);
        foreach (var (addr, port, node, message) in output.DirectSends)
        {
            if (message.Length == 0) continue;
            // Our own answers to our own queries need no trip through the socket.
            // (A node elsewhere under our name, as in a name conflict, still gets its packets.)
            if (node == _config.NodeName && port == AdvertiseEndpoint.Port && addr.AsSpan().SequenceEqual(_advertiseAddress)) _serf.OnMessage(message, Now());
            else if (addr.Length is 4 or 16) SendPacket(new IPEndPoint(new IPAddress(addr), port), node, [new UserMsg(message)]);
        }
        foreach (var member in output.Reconnects)
        {
            if (member.Addr.Length is not (4 or 16)) continue;
            // Serf's reconnect is a memberlist join with the failed member (no join intent).
            var to = new IPEndPoint(new IPAddress(member.Addr), member.Port);
            PoolLog.Reconnecting(_logger, _config.NodeName, member.Name, to);
            StartPushPull(to, new PushPull(true, _memberlist.LocalState(), _serf.LocalState()), ignoreOldEvents: false);
        }
        foreach (var e in output.Events)
        {
            Statistics.EventDelivered(e);
            if (e is SerfMemberEvent { EventType: SerfEventType.MemberReap } reaped) ForgetCoordinates(reaped);
            if (_snapshot is not null && !_snapshot.Record(e)) Statistics.SnapshotDropped();
            if (e is SerfQueryEvent query && InternalQueries.IsInternal(query.Name)) AnswerInternalQuery(query);
            else _events.Writer.TryWrite(e);
        }
        if (output.DecodeErrors.Count > 0) Statistics.SerfDropped(output.DecodeErrors.Count);
    }

    private void ForgetCoordinates(SerfMemberEvent reaped)
    {
        foreach (var member in reaped.Members) _ping.Forget(member.Name);
        _coordinates = _ping.CachedCoordinates();
    }

    /// <summary>memberlist's EventDelegate, as Serf implements it (event_delegate.go).</summary>
    private void NotifySerf(MemberEvent e, TimeSpan now)
    {
        _serf.OnMemberEvent(e, now);
        PoolLog.MemberEvent(_logger, e.Kind, e.Member.Name, e.Member.Address);
    }

    /// <summary>
    /// One UDP packet, as memberlist's rawSendMsgPacket builds it: one message, or a compound of
    /// several (each part at least its type byte, never empty); a CRC when the recipient speaks
    /// protocol 5 or more; encrypted with the primary key when a keyring is set.
    /// </summary>
    private void SendPacket(IPEndPoint to, string toNode, IReadOnlyList<object> messages)
    {
        if (messages.Count == 0) return;
        var target = toNode.Length > 0 ? _memberlist.FindMember(toNode) : null;
        var options = new PacketOptions(_config.Compress, Crc: target is { Vsn.ProtocolMax: >= 5 }, _keyring, EncryptionVersion: 1);
        _sendBuffer.ResetWrittenCount();
        MemberlistCodec.EncodePacket(_sendBuffer, messages, options);
        try
        {
            _udp.SendTo(_sendBuffer.WrittenSpan, SocketFlags.None, to);
            Statistics.UdpSent(_sendBuffer.WrittenCount);
        }
        catch (SocketException e)
        {
            Statistics.SendFailed();
            PoolLog.SendFailed(_logger, to, e.SocketErrorCode);
        }
        catch (ObjectDisposedException)
        {
            // Stopping.
        }
    }

    private async Task RunUdpReceiveAsync()
    {
        var buffer = new byte[65536];
        EndPoint any = new IPEndPoint(_udp.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
        while (!_stop.IsCancellationRequested)
        {
            SocketReceiveFromResult received;
            try
            {
                received = await _udp.ReceiveFromAsync(buffer, SocketFlags.None, any, _stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException)
            {
                // An ICMP error reported on the socket, or a closing socket.
                continue;
            }
            Statistics.UdpReceived(received.ReceivedBytes);
            var from = (IPEndPoint)received.RemoteEndPoint;
            var messages = new List<object>();
            if (!MemberlistCodec.TryDecodePacket(buffer.AsSpan(0, received.ReceivedBytes), _keyring, messages, out var error))
            {
                Statistics.UdpDropped();
                PoolLog.PacketDropped(_logger, from, error);
            }
            if (messages.Count == 0) continue;
            if (_inputs.Reader.Count >= PendingPacketsMax || !_inputs.Writer.TryWrite(() => OnPacket(from, messages)))
            {
                Statistics.UdpDropped();
            }
        }
    }

    private void OnPacket(IPEndPoint from, List<object> messages)
    {
        var now = Now();
        foreach (var message in messages)
        {
            if (message is UserMsg user) _serf.OnMessage(user.Payload, now);
            else _memberlist.Receive(from, message, now);
        }
    }

    /// <summary>
    /// Serf's members with memberlist's verdict folded in: a member memberlist already holds dead
    /// or left is not reported alive even for the moment before Serf hears of it.
    /// </summary>
    private void PublishMembers()
    {
        var members = _serf.Members;
        var merged = new List<SerfMember>(members.Count);
        foreach (var member in members)
        {
            var status = (member.Status, _memberlist.StateOf(member.Name)) switch
            {
                (MemberStatus.Alive, NodeState.Dead) => MemberStatus.Failed,
                (MemberStatus.Alive or MemberStatus.Leaving, NodeState.Left) => MemberStatus.Left,
                (MemberStatus.Leaving, NodeState.Dead) => MemberStatus.Left,
                var (s, _) => s,
            };
            merged.Add(status == member.Status ? member : member with { Status = status });
        }
        _members = merged;
        var score = _memberlist.HealthScore;
        if (score != _reportedHealthScore)
        {
            _reportedHealthScore = score;
            Statistics.HealthScore(score);
        }
    }
}
