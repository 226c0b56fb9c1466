using System.Buffers;
using System.Diagnostics.Metrics;
using System.Net.Sockets;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Praetor.Raft.Core;

namespace Praetor.Raft.Transport;

/// <summary>
/// Raft over TCP on the server port. Outbound: each peer gets a bounded queue
/// (<see cref="PeerQueueMessagesMax"/>; a message that does not fit is dropped and counted) drained
/// by one task that connects to the peer's current address (looked up in the address book at
/// connect time), writes the <see cref="ServerConnectionType.Raft"/> byte, then writes the queued
/// messages as frames (<see cref="WireFrame"/>, <see cref="RaftMessageCodec"/>), batched. When
/// a connection fails, what was queued is dropped (Raft retransmits), and the task waits a backoff
/// (<see cref="ReconnectBackoffMin"/> doubling to <see cref="ReconnectBackoffMax"/>) before it
/// connects again for the next message. Inbound: <see cref="ServeAsync"/> reads one connection's
/// frames and hands each message addressed to this server, from a server in the address book, to the log.
/// A message whose encoding exceeds the frame limit (an InstallSnapshot of a large state) is sent
/// as chunks (<see cref="MessageChunks"/>) and assembled on the receiving side, up to
/// <see cref="MessageBytesMax"/>. Every member is safe to call from any thread.
/// </summary>
public sealed class TcpRaftTransport : IRaftTransport, IAsyncDisposable
{
    /// <summary>4,096 messages: a peer's queue; beyond it messages to that peer are dropped (and counted) until its connection catches up.</summary>
    public const int PeerQueueMessagesMax = 4_096;

    /// <summary>1 MiB: the bytes of frames gathered into one write (a single larger message is written alone).</summary>
    public const int WriteBatchBytesMax = 1024 * 1024;

    /// <summary>The largest message (a snapshot's data and configuration, encoded) a receiver assembles from chunks: the largest array .NET allocates.</summary>
    public static readonly long MessageBytesMax = Array.MaxLength;

    /// <summary>5 s: the longest a connection attempt to a peer may take.</summary>
    public static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(5);

    /// <summary>10 s: the longest one batch may take to write (a peer that stops reading is treated as failed).</summary>
    public static readonly TimeSpan WriteTimeout = TimeSpan.FromSeconds(10);

    /// <summary>50 ms: the wait after a first failure before connecting again.</summary>
    public static readonly TimeSpan ReconnectBackoffMin = TimeSpan.FromMilliseconds(50);

    /// <summary>1 s: the longest wait between connection attempts (an election timeout at the default tick).</summary>
    public static readonly TimeSpan ReconnectBackoffMax = TimeSpan.FromSeconds(1);

    private readonly IReadOnlyDictionary<ulong, string> _addresses;
    private readonly ILogger _logger;
    private readonly int _payloadBytesMax;
    private readonly Meter? _ownedMeter;
    private readonly Dictionary<ulong, Peer> _peers = [];
    private readonly Lock _peersLock = new();
    private readonly CancellationTokenSource _stop = new();
    private bool _disposed;

    /// <summary>
    /// A transport for server <paramref name="localId"/>. <paramref name="addresses"/> maps server
    /// ids to their server port's <c>host:port</c>; the caller may change it at any time (a
    /// concurrent dictionary), and a peer's address is read each time its connection is made.
    /// </summary>
    /// <param name="localId">This server's id: inbound messages addressed to another id are dropped.</param>
    /// <param name="addresses">Server id → <c>host:port</c> of its server port.</param>
    /// <param name="logger">Where connection failures and dropped input are reported; none by default.</param>
    /// <param name="meters">The agent's meter factory; null: a meter of the transport's own, ended with it.</param>
    /// <param name="payloadBytesMax">The frame limit, both ways (<see cref="WireFrame.PayloadBytesMax"/>; lower in tests): a larger message is sent in chunks.</param>
    public TcpRaftTransport(ulong localId, IReadOnlyDictionary<ulong, string> addresses, ILogger? logger = null, IMeterFactory? meters = null, int payloadBytesMax = WireFrame.PayloadBytesMax)
    {
        ArgumentOutOfRangeException.ThrowIfZero(localId);
        ArgumentOutOfRangeException.ThrowIfLessThan(payloadBytesMax, 1024);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(payloadBytesMax, WireFrame.PayloadBytesMax);
        _payloadBytesMax = payloadBytesMax;
        LocalId = localId;
        _addresses = addresses;
        _logger = logger ?? NullLogger.Instance;
        _ownedMeter = meters is null ? new Meter(RaftLog.MeterName) : null;
        Statistics = new RaftTransportStatistics(_ownedMeter ?? meters!.Create(new MeterOptions(RaftLog.MeterName)));
    }

    /// <summary>This server's id.</summary>
    public ulong LocalId { get; }

    /// <summary>What the transport dropped.</summary>
    public RaftTransportStatistics Statistics { get; }

    /// <summary>
    /// Queues <paramref name="message"/> for <see cref="RaftMessage.To"/>; returns at once. Dropped
    /// (and counted) when the peer's queue is full, when addressed to this server, and after
    /// <see cref="DisposeAsync"/>.
    /// </summary>
    public void Send(RaftMessage message)
    {
        Peer? peer;
        lock (_peersLock)
        {
            if (_disposed || message.To == LocalId || message.To == 0)
            {
                peer = null;
            }
            else if (!_peers.TryGetValue(message.To, out peer))
            {
                peer = new Peer(message.To);
                _peers[message.To] = peer;
                peer.Loop = Task.Run(() => RunPeerAsync(peer));
            }
        }
        if (peer is null || !peer.Queue.Writer.TryWrite(message)) Statistics.SendDroppedAdd(1);
    }

    /// <summary>
    /// Serves one inbound Raft connection whose type byte has been read: reads frames until the
    /// stream ends or <paramref name="cancellationToken"/> is cancelled, and hands each message
    /// addressed to this server by a server in the address book to <paramref name="deliver"/>
    /// (<see cref="RaftLog.Deliver"/>, which must not throw); chunks are assembled into their
    /// message first. A frame that does not decode, a chunk out of sequence (its message is
    /// dropped), a message for another server, or one from a server without an address (it could
    /// not be answered) is dropped, logged and counted; a truncated stream or an oversized frame
    /// ends the connection (logged, counted). Returns when the connection ends, also when cancelled; never
    /// throws. The caller owns and closes <paramref name="stream"/>.
    /// </summary>
    public async Task ServeAsync(Stream stream, Action<RaftMessage> deliver, CancellationToken cancellationToken)
    {
        var chunks = new MessageChunks.Assembler(MessageBytesMax);
        try
        {
            while (await WireFrame.ReadAsync(stream, cancellationToken, _payloadBytesMax).ConfigureAwait(false) is { } received)
            {
                var frame = received;
                if (MessageChunks.IsChunk(frame))
                {
                    if (!chunks.TryAdd(frame, out var assembled, out var chunkProblem))
                    {
                        Statistics.ReceiveDroppedAdd();
                        TransportLog.FrameDropped(_logger, ServerPort.DescribeRemote(stream), chunkProblem);
                        continue;
                    }
                    if (assembled is null) continue;
                    frame = assembled;
                }
                if (!RaftMessageCodec.TryDecode(frame, out var message, out var problem))
                {
                    Statistics.ReceiveDroppedAdd();
                    TransportLog.FrameDropped(_logger, ServerPort.DescribeRemote(stream), problem);
                }
                else if (message!.To != LocalId)
                {
                    Statistics.ReceiveDroppedAdd();
                    TransportLog.Misaddressed(_logger, message.GetType().Name, message.From, message.To, LocalId);
                }
                else if (!_addresses.ContainsKey(message.From))
                {
                    Statistics.ReceiveDroppedAdd();
                    TransportLog.UnknownSender(_logger, message.GetType().Name, message.From, ServerPort.DescribeRemote(stream));
                }
                else
                {
                    deliver(message);
                }
            }
        }
        catch (RaftWireException ex)
        {
            if (!cancellationToken.IsCancellationRequested)
            {
                Statistics.StreamClosed();
                TransportLog.StreamClosed(_logger, ServerPort.DescribeRemote(stream), ex.Message);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The listener is shutting down.
        }
    }

    private async Task RunPeerAsync(Peer peer)
    {
        var reader = peer.Queue.Reader;
        var buffer = new ArrayBufferWriter<byte>(64 * 1024);
        var backoff = ReconnectBackoffMin;
        var failing = false;
        NetworkStream? connection = null;
        var connectedTo = "";
        try
        {
            while (await reader.WaitToReadAsync(_stop.Token).ConfigureAwait(false))
            {
                if (!_addresses.TryGetValue(peer.Id, out var address))
                {
                    var unaddressed = DropQueued(reader);
                    TransportLog.NoAddress(_logger, peer.Id, unaddressed);
                    continue;
                }
                if (connection is not null && address != connectedTo)
                {
                    // The peer moved: its old address is not where it listens any more.
                    await connection.DisposeAsync().ConfigureAwait(false);
                    connection = null;
                }
                buffer.ResetWrittenCount();
                var batched = 0;
                try
                {
                    if (connection is null)
                    {
                        connection = await ServerPort.ConnectAsync(address, ServerConnectionType.Raft, ConnectTimeout, _stop.Token).ConfigureAwait(false);
                        connectedTo = address;
                        TransportLog.PeerConnected(_logger, peer.Id, address);
                    }
                    while (buffer.WrittenCount < WriteBatchBytesMax && reader.TryRead(out var message))
                    {
                        if (TryFrame(buffer, message)) batched++;
                    }
                    using var deadline = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                    deadline.CancelAfter(WriteTimeout);
                    await connection.WriteAsync(buffer.WrittenMemory, deadline.Token).ConfigureAwait(false);
                    backoff = ReconnectBackoffMin;
                    failing = false;
                }
                catch (Exception ex) when (ex is SocketException or IOException or TimeoutException or FormatException or OperationCanceledException)
                {
                    if (connection is not null) await connection.DisposeAsync().ConfigureAwait(false);
                    connection = null;
                    if (_stop.IsCancellationRequested) break;
                    var dropped = batched + DropQueued(reader);
                    Statistics.SendDroppedAdd(batched);
                    var reason = ex is OperationCanceledException ? $"no write within {WriteTimeout.TotalSeconds:0} s" : ex.Message;
                    if (failing)
                    {
                        TransportLog.PeerStillFailing(_logger, peer.Id, address, dropped, reason);
                    }
                    else
                    {
                        TransportLog.PeerFailed(_logger, peer.Id, address, dropped, backoff.TotalMilliseconds, reason);
                    }
                    failing = true;
                    await Task.Delay(backoff, _stop.Token).ConfigureAwait(false);
                    backoff = TimeSpan.FromTicks(Math.Min(ReconnectBackoffMax.Ticks, 2 * backoff.Ticks));
                }
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // Disposed.
        }
        finally
        {
            if (connection is not null) await connection.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Appends <paramref name="message"/> as a frame, or as chunk frames when it exceeds the frame limit; false (logged, counted) when it cannot be sent at all.</summary>
    private bool TryFrame(ArrayBufferWriter<byte> buffer, RaftMessage message)
    {
        try
        {
            var encoded = RaftMessageCodec.Encode(message);
            if (encoded.Length <= _payloadBytesMax)
            {
                WireFrame.Write(buffer, encoded);
                return true;
            }
            if (encoded.Length > MessageBytesMax) throw new ArgumentException($"a {message.GetType().Name} of {encoded.Length} bytes exceeds the {MessageBytesMax}-byte message limit", nameof(message));
            foreach (var chunk in MessageChunks.Split(message, encoded, _payloadBytesMax)) WireFrame.Write(buffer, chunk);
            return true;
        }
        catch (ArgumentException ex)
        {
            Statistics.SendDroppedAdd(1);
            TransportLog.Unsendable(_logger, message.GetType().Name, message.To, ex.Message);
            return false;
        }
    }

    /// <summary>Drops (and counts) every message queued for a peer now; returns how many.</summary>
    private int DropQueued(ChannelReader<RaftMessage> reader)
    {
        var count = 0;
        while (reader.TryRead(out _)) count++;
        Statistics.SendDroppedAdd(count);
        return count;
    }

    /// <summary>Stops every peer's task and closes its connection; messages still queued are dropped. Inbound connections belong to their listener.</summary>
    public async ValueTask DisposeAsync()
    {
        Peer[] peers;
        lock (_peersLock)
        {
            if (_disposed) return;
            _disposed = true;
            peers = [.. _peers.Values];
        }
        await _stop.CancelAsync().ConfigureAwait(false);
        foreach (var peer in peers)
        {
            peer.Queue.Writer.TryComplete();
            await peer.Loop.ConfigureAwait(false);
        }
        _stop.Dispose();
        _ownedMeter?.Dispose();
    }

    /// <summary>One peer's outbound queue and the task that drains it.</summary>
    private sealed class Peer(ulong id)
    {
        public ulong Id { get; } = id;

        public Channel<RaftMessage> Queue { get; } = Channel.CreateBounded<RaftMessage>(new BoundedChannelOptions(PeerQueueMessagesMax)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });

        public Task Loop { get; set; } = Task.CompletedTask;
    }
}
