namespace Praetor.Gossip;

/// <summary>
/// What a <see cref="SerfPool"/> dropped or failed, as counters (metrics). Every counter only
/// grows; reads are atomic, and safe from any thread.
/// </summary>
public sealed class GossipStatistics
{
    private long _udpPacketsDropped;
    private long _udpPacketsReceived;
    private long _tcpStreamsDropped;
    private long _tcpConnectionsRefused;
    private long _serfMessagesDropped;
    private long _sendErrors;
    private long _pushPullsFailed;
    private long _snapshotEventsDropped;

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
    public long SendErrors => Interlocked.Read(ref _sendErrors);

    /// <summary>Push/pull exchanges we started that failed (connect, timeout, decode, refused).</summary>
    public long PushPullsFailed => Interlocked.Read(ref _pushPullsFailed);

    /// <summary>Events left out of the snapshot because its writer was behind (a slow disk).</summary>
    public long SnapshotEventsDropped => Interlocked.Read(ref _snapshotEventsDropped);

    internal void UdpReceived() => Interlocked.Increment(ref _udpPacketsReceived);
    internal void UdpDropped() => Interlocked.Increment(ref _udpPacketsDropped);
    internal void TcpDropped() => Interlocked.Increment(ref _tcpStreamsDropped);
    internal void TcpRefused() => Interlocked.Increment(ref _tcpConnectionsRefused);
    internal void SerfDropped(int count) => Interlocked.Add(ref _serfMessagesDropped, count);
    internal void SendFailed() => Interlocked.Increment(ref _sendErrors);
    internal void PushPullFailed() => Interlocked.Increment(ref _pushPullsFailed);
    internal void SnapshotDropped() => Interlocked.Increment(ref _snapshotEventsDropped);
}
