using System.Diagnostics.Metrics;
using Praetor.Gossip.Serf;

namespace Praetor.Gossip;

/// <summary>
/// What a <see cref="SerfPool"/> counts, as instruments of the meter <see cref="MeterName"/> under
/// Consul's metric names (memberlist's and Serf's names with Consul's <c>consul.</c> prefix), and,
/// for what it dropped or failed, as totals readable here (tests and callers without a listener).
/// Each count is taken once, here: the total and the measurement together. Totals only grow;
/// reads are atomic and safe from any thread.
/// </summary>
/// <remarks>
/// memberlist and Serf have no counter for what they cannot decode (they log it); Praetor's names
/// for those are <c>consul.memberlist.udp.dropped</c>, <c>consul.memberlist.tcp.dropped</c>,
/// <c>consul.memberlist.tcp.refused</c>, <c>consul.memberlist.udp.send_errors</c>,
/// <c>consul.memberlist.push_pull.failed</c> and <c>consul.serf.msgs.dropped</c>; an ack payload
/// that does not decode counts in Serf's <c>consul.serf.coordinate.rejected</c> with the refused ones.
/// </remarks>
public sealed class GossipStatistics
{
    /// <summary>The meter of the gossip library's instruments.</summary>
    public const string MeterName = "Praetor.Gossip";

    private readonly Counter<long> _udpReceivedBytes, _udpSentBytes, _tcpAccepts, _tcpConnects;
    private readonly Counter<long> _udpDropped, _tcpDropped, _tcpRefused, _serfDropped, _sendErrors, _pushPullsFailed;
    private readonly Counter<long> _memberJoins, _memberFailures, _memberLeaves, _memberUpdates, _userEvents, _queries;
    private readonly Counter<long> _coordinatesRejected;
    private readonly Gauge<int> _healthScore;
    private long _udpPacketsDropped;
    private long _udpPacketsReceived;
    private long _tcpStreamsDropped;
    private long _tcpConnectionsRefused;
    private long _serfMessagesDropped;
    private long _sendErrorsTotal;
    private long _pushPullsFailedTotal;
    private long _snapshotEventsDropped;
    private long _coordinatesRejectedTotal;

    /// <summary>Creates the instruments on <paramref name="meter"/> (named <see cref="MeterName"/>).</summary>
    internal GossipStatistics(Meter meter)
    {
        _udpReceivedBytes = meter.CreateCounter<long>("consul.memberlist.udp.received", "By", "UDP packets received: one count per packet, the sum is bytes");
        _udpSentBytes = meter.CreateCounter<long>("consul.memberlist.udp.sent", "By", "UDP packets sent: one count per packet, the sum is bytes");
        _tcpAccepts = meter.CreateCounter<long>("consul.memberlist.tcp.accept", "{connection}", "TCP connections accepted");
        _tcpConnects = meter.CreateCounter<long>("consul.memberlist.tcp.connect", "{connection}", "TCP connections opened (push/pull, fallback ping)");
        _udpDropped = meter.CreateCounter<long>("consul.memberlist.udp.dropped", "{packet}", "UDP packets dropped whole or in part (undecodable, wrong key, bad CRC, truncated, loop behind)");
        _tcpDropped = meter.CreateCounter<long>("consul.memberlist.tcp.dropped", "{stream}", "TCP streams dropped (undecodable, wrong key, truncated, too large, timed out, not served)");
        _tcpRefused = meter.CreateCounter<long>("consul.memberlist.tcp.refused", "{connection}", "TCP connections closed at accept, the connection limit reached");
        _serfDropped = meter.CreateCounter<long>("consul.serf.msgs.dropped", "{message}", "Serf messages that did not decode");
        _sendErrors = meter.CreateCounter<long>("consul.memberlist.udp.send_errors", "{packet}", "UDP sends the socket refused");
        _pushPullsFailed = meter.CreateCounter<long>("consul.memberlist.push_pull.failed", "{exchange}", "push/pull exchanges started here that failed");
        _memberJoins = meter.CreateCounter<long>("consul.serf.member.join", "{member}", "members that joined");
        _memberFailures = meter.CreateCounter<long>("consul.serf.member.failed", "{member}", "members that failed");
        _memberLeaves = meter.CreateCounter<long>("consul.serf.member.left", "{member}", "members that left");
        _memberUpdates = meter.CreateCounter<long>("consul.serf.member.update", "{member}", "members whose tags changed");
        _userEvents = meter.CreateCounter<long>("consul.serf.events", "{event}", "user events received");
        _queries = meter.CreateCounter<long>("consul.serf.queries", "{query}", "queries received");
        _coordinatesRejected = meter.CreateCounter<long>("consul.serf.coordinate.rejected", "{coordinate}", "peer coordinates in ping acks refused (undecodable, other dimensionality, non-finite, RTT out of range)");
        _healthScore = meter.CreateGauge<int>("consul.memberlist.health.score", "1", "Lifeguard's local health score (0 is healthy)");
    }

    /// <summary>UDP packets received (whole or partly dropped ones included).</summary>
    public long UdpPacketsReceived => Interlocked.Read(ref _udpPacketsReceived);

    /// <summary>UDP packets dropped whole or in part: undecodable, wrong key, bad CRC, truncated.</summary>
    public long UdpPacketsDropped => Interlocked.Read(ref _udpPacketsDropped);

    /// <summary>TCP streams dropped: undecodable, wrong key, truncated, too large, timed out, or of a type not served.</summary>
    public long TcpStreamsDropped => Interlocked.Read(ref _tcpStreamsDropped);

    /// <summary>TCP connections closed at accept because TcpConnectionsMax were being served.</summary>
    public long TcpConnectionsRefused => Interlocked.Read(ref _tcpConnectionsRefused);

    /// <summary>Serf messages (inside memberlist user messages) that did not decode.</summary>
    public long SerfMessagesDropped => Interlocked.Read(ref _serfMessagesDropped);

    /// <summary>UDP sends the socket refused.</summary>
    public long SendErrors => Interlocked.Read(ref _sendErrorsTotal);

    /// <summary>Push/pull exchanges we started that failed (connect, timeout, decode, refused).</summary>
    public long PushPullsFailed => Interlocked.Read(ref _pushPullsFailedTotal);

    /// <summary>Events left out of the snapshot because its writer was behind (a slow disk).</summary>
    public long SnapshotEventsDropped => Interlocked.Read(ref _snapshotEventsDropped);

    /// <summary>Peer coordinates in ping acks that did not decode or that the Vivaldi client refused.</summary>
    public long CoordinatesRejected => Interlocked.Read(ref _coordinatesRejectedTotal);

    internal void CoordinateRejected()
    {
        Interlocked.Increment(ref _coordinatesRejectedTotal);
        _coordinatesRejected.Add(1);
    }

    internal void UdpReceived(int bytes)
    {
        Interlocked.Increment(ref _udpPacketsReceived);
        _udpReceivedBytes.Add(bytes);
    }

    internal void UdpSent(int bytes) => _udpSentBytes.Add(bytes);

    internal void TcpAccepted() => _tcpAccepts.Add(1);

    internal void TcpConnected() => _tcpConnects.Add(1);

    internal void UdpDropped()
    {
        Interlocked.Increment(ref _udpPacketsDropped);
        _udpDropped.Add(1);
    }

    internal void TcpDropped()
    {
        Interlocked.Increment(ref _tcpStreamsDropped);
        _tcpDropped.Add(1);
    }

    internal void TcpRefused()
    {
        Interlocked.Increment(ref _tcpConnectionsRefused);
        _tcpRefused.Add(1);
    }

    internal void SerfDropped(int count)
    {
        Interlocked.Add(ref _serfMessagesDropped, count);
        _serfDropped.Add(count);
    }

    internal void SendFailed()
    {
        Interlocked.Increment(ref _sendErrorsTotal);
        _sendErrors.Add(1);
    }

    internal void PushPullFailed()
    {
        Interlocked.Increment(ref _pushPullsFailedTotal);
        _pushPullsFailed.Add(1);
    }

    /// <summary>An event the Serf core delivered: member events by kind (Serf's serf.member.*), user events and queries.</summary>
    internal void EventDelivered(SerfEvent e)
    {
        switch (e)
        {
            case SerfMemberEvent { EventType: SerfEventType.MemberJoin } m:
                _memberJoins.Add(m.Members.Count);
                break;
            case SerfMemberEvent { EventType: SerfEventType.MemberFailed } m:
                _memberFailures.Add(m.Members.Count);
                break;
            case SerfMemberEvent { EventType: SerfEventType.MemberLeave } m:
                _memberLeaves.Add(m.Members.Count);
                break;
            case SerfMemberEvent { EventType: SerfEventType.MemberUpdate } m:
                _memberUpdates.Add(m.Members.Count);
                break;
            case SerfUserEvent:
                _userEvents.Add(1);
                break;
            case SerfQueryEvent:
                _queries.Add(1);
                break;
        }
    }

    /// <summary>Lifeguard's health score, reported when it changes (memberlist sets its gauge the same way).</summary>
    internal void HealthScore(int score) => _healthScore.Record(score);

    internal void SnapshotDropped() => Interlocked.Increment(ref _snapshotEventsDropped);
}
