using System.Diagnostics.Metrics;

namespace Praetor.Raft.Transport;

/// <summary>
/// What a <see cref="TcpRaftTransport"/> dropped, as instruments of the meter
/// <see cref="RaftLog.MeterName"/> and as totals readable here (tests and callers without a
/// listener). hashicorp/raft has no such counters (it logs); the names are Praetor's:
/// <c>consul.raft.transport.send_dropped</c> (messages not sent: queue full, no address, connection
/// failed), <c>consul.raft.transport.receive_dropped</c> (frames received that did not decode or
/// were addressed to another server) and <c>consul.raft.transport.streams_closed</c> (inbound
/// connections closed on a broken stream: truncated, oversized frame). Totals only grow; reads are
/// atomic and safe from any thread.
/// </summary>
public sealed class RaftTransportStatistics
{
    private readonly Counter<long> _sendDropped, _receiveDropped, _streamsClosed;
    private long _sendDroppedTotal, _receiveDroppedTotal, _streamsClosedTotal;

    /// <summary>Creates the instruments on <paramref name="meter"/>.</summary>
    internal RaftTransportStatistics(Meter meter)
    {
        _sendDropped = meter.CreateCounter<long>("consul.raft.transport.send_dropped", "{message}", "Raft messages not sent: peer queue full, no address, connection failed");
        _receiveDropped = meter.CreateCounter<long>("consul.raft.transport.receive_dropped", "{message}", "Raft frames received that did not decode or were addressed to another server");
        _streamsClosed = meter.CreateCounter<long>("consul.raft.transport.streams_closed", "{connection}", "inbound Raft connections closed on a truncated stream or an oversized frame");
    }

    /// <summary>Messages not sent: the peer's queue was full, it had no address, or its connection failed.</summary>
    public long SendDropped => Interlocked.Read(ref _sendDroppedTotal);

    /// <summary>Frames received that did not decode, or whose message was addressed to another server.</summary>
    public long ReceiveDropped => Interlocked.Read(ref _receiveDroppedTotal);

    /// <summary>Inbound connections closed because the stream broke: truncated, an oversized frame, a failed read.</summary>
    public long StreamsClosed => Interlocked.Read(ref _streamsClosedTotal);

    internal void SendDroppedAdd(int count)
    {
        if (count == 0) return;
        Interlocked.Add(ref _sendDroppedTotal, count);
        _sendDropped.Add(count);
    }

    internal void ReceiveDroppedAdd()
    {
        Interlocked.Increment(ref _receiveDroppedTotal);
        _receiveDropped.Add(1);
    }

    internal void StreamClosed()
    {
        Interlocked.Increment(ref _streamsClosedTotal);
        _streamsClosed.Add(1);
    }
}
