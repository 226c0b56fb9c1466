using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Praetor.Raft.Core;
using Praetor.Raft.Transport;

namespace Praetor.Raft.Tests.Transport;

/// <summary><see cref="TcpRaftTransport"/>s on 127.0.0.1 talking to a bare listener that serves Raft connections through <see cref="TcpRaftTransport.ServeAsync"/>.</summary>
public sealed class TcpRaftTransportTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(15);

    private readonly ConcurrentDictionary<ulong, string> _addresses = new();
    private readonly ConcurrentQueue<RaftMessage> _received = new();
    /// <summary>Server 1 (the sender) and server 2 (the receiver, served by <see cref="_server"/>).</summary>
    private readonly Dictionary<ulong, TcpRaftTransport> _transports = [];
    private RaftServerStub _server = null!;

    private TcpRaftTransport Sender => _transports[1];

    private TcpRaftTransport Receiver => _transports[2];

    public Task InitializeAsync()
    {
        _transports[1] = new TcpRaftTransport(1, _addresses);
        _transports[2] = new TcpRaftTransport(2, _addresses);
        _server = RaftServerStub.Start(Receiver, _received.Enqueue, port: 0);
        _addresses[2] = _server.Address;
        // Server 1 only sends here, but the receiver drops messages from servers it has no address for.
        _addresses[1] = "127.0.0.1:1";
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await Sender.DisposeAsync();
        await _server.DisposeAsync();
        await Receiver.DisposeAsync();
    }

    private static async Task WaitUntil(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Deadline;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"timed out waiting for {what}");
            await Task.Delay(5);
        }
    }

    [Fact]
    public async Task Messages_arrive_at_their_addressee_in_the_order_sent()
    {
        for (ulong i = 1; i <= 1000; i++) Sender.Send(new Heartbeat(1, 2, 3, i, i));
        Sender.Send(new AppendEntries(1, 2, 3, 4, 3, [new LogEntry(3, 5, LogEntryType.Command, [9, 9])], 4));

        await WaitUntil(() => _received.Count == 1001, "1,001 messages");

        Assert.Equal(Enumerable.Range(1, 1000).Select(i => (ulong)i), _received.OfType<Heartbeat>().Select(h => h.Sequence));
        var append = Assert.IsType<AppendEntries>(_received.Last());
        Assert.Equal([9, 9], Assert.Single(append.Entries).Command);
        Assert.Equal(0, Sender.Statistics.SendDropped);
    }

    [Fact]
    public async Task Messages_to_a_server_without_an_address_or_to_itself_are_dropped_and_counted()
    {
        Sender.Send(new Heartbeat(1, 7, 3, 0, 1));
        Sender.Send(new Heartbeat(1, 1, 3, 0, 2));

        await WaitUntil(() => Sender.Statistics.SendDropped == 2, "both messages to be counted as dropped");
        Sender.Send(new Heartbeat(1, 2, 3, 0, 3));
        await WaitUntil(() => !_received.IsEmpty, "a message to a known server");
        Assert.Equal(3UL, Assert.IsType<Heartbeat>(Assert.Single(_received)).Sequence);
    }

    [Fact]
    public async Task A_peer_that_stops_reading_fills_its_queue_and_further_messages_are_dropped_not_blocked()
    {
        using var stalled = new TcpListener(IPAddress.Loopback, 0);
        stalled.Start();
        _addresses[3] = $"127.0.0.1:{((IPEndPoint)stalled.LocalEndpoint).Port}";
        using var accepted = Task.Run(() => stalled.AcceptSocketAsync());
        var entry = new LogEntry(1, 1, LogEntryType.Command, new byte[16 * 1024]);

        var sent = 0;
        var deadline = DateTime.UtcNow + Deadline;
        while (Sender.Statistics.SendDropped == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, $"nothing dropped after {sent} messages to a peer that does not read");
            for (var i = 0; i < 100; i++, sent++) Sender.Send(new AppendEntries(1, 3, 1, 0, 0, [entry], 0));
            await Task.Delay(1);
        }

        (await accepted).Dispose();
    }

    [Fact]
    public async Task A_snapshot_larger_than_the_frame_limit_goes_in_chunks_and_arrives_whole()
    {
        const int limit = 4096;
        var addresses = new ConcurrentDictionary<ulong, string> { [1] = "127.0.0.1:1" };
        var received = new ConcurrentQueue<RaftMessage>();
        await using var sender = new TcpRaftTransport(1, addresses, payloadBytesMax: limit);
        await using var receiver = new TcpRaftTransport(2, addresses, payloadBytesMax: limit);
        await using var server = RaftServerStub.Start(receiver, received.Enqueue, port: 0);
        addresses[2] = server.Address;
        var data = new byte[100_000];
        new Random(7).NextBytes(data);
        var snapshot = new RaftSnapshot(new SnapshotMetadata(40, 3, Configuration.Of(1, 2) with { NonVoters = [3] }), data);

        sender.Send(new InstallSnapshot(1, 2, 3, snapshot));
        sender.Send(new Heartbeat(1, 2, 3, 40, 1));
        await WaitUntil(() => received.Count == 2, "the snapshot and the heartbeat after it");

        var install = Assert.IsType<InstallSnapshot>(received.First());
        Assert.Equal((40UL, 3UL, snapshot.Metadata.Configuration.ToString()), (install.Snapshot.Metadata.Index, install.Snapshot.Metadata.Term, install.Snapshot.Metadata.Configuration.ToString()));
        Assert.Equal(data, install.Snapshot.Data);
        Assert.IsType<Heartbeat>(received.Last());
        Assert.Equal((0, 0, 0), (sender.Statistics.SendDropped, receiver.Statistics.ReceiveDropped, receiver.Statistics.StreamsClosed));
    }

    [Fact]
    public async Task Inbound_garbage_and_messages_for_another_server_or_from_an_unknown_one_are_dropped_counted_and_the_connection_keeps_serving()
    {
        await using var raw = await RawConnection(_server.Address);
        var frames = new ArrayBufferWriter<byte>();
        WireFrame.Write(frames, [0xc1, 0xff, 0x00]);
        WireFrame.Write(frames, RaftMessageCodec.Encode(new Heartbeat(1, 9, 3, 0, 1)));
        WireFrame.Write(frames, RaftMessageCodec.Encode(new Heartbeat(8, 2, 3, 0, 3)));
        WireFrame.Write(frames, []);
        WireFrame.Write(frames, RaftMessageCodec.Encode(new Heartbeat(1, 2, 3, 0, 2)));
        await raw.WriteAsync(frames.WrittenMemory);

        await WaitUntil(() => !_received.IsEmpty, "the one message addressed to server 2 by a known server");
        Assert.Equal(2UL, Assert.IsType<Heartbeat>(Assert.Single(_received)).Sequence);
        Assert.Equal(4, Receiver.Statistics.ReceiveDropped);
        Assert.Equal(0, Receiver.Statistics.StreamsClosed);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task An_oversized_or_truncated_frame_closes_the_connection_and_is_counted(bool oversized)
    {
        await using var raw = await RawConnection(_server.Address);
        var header = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(header, oversized ? WireFrame.PayloadBytesMax + 1u : 100u);
        await raw.WriteAsync(header);
        await raw.WriteAsync(new byte[10]);
        if (!oversized) raw.Socket.Shutdown(SocketShutdown.Send);

        await WaitUntil(() => Receiver.Statistics.StreamsClosed == 1, "the connection to be closed");
        // The server closed its end: the next read sees the end of the stream.
        Assert.Equal(0, await raw.ReadAsync(new byte[1]).AsTask().WaitAsync(Deadline));
        Assert.Empty(_received);
    }

    [Fact]
    public async Task After_the_peer_restarts_on_its_address_theSender_reconnects()
    {
        Sender.Send(new Heartbeat(1, 2, 3, 0, 1));
        await WaitUntil(() => _received.Count == 1, "the first message");
        var port = _server.Port;

        await _server.DisposeAsync();
        // Sent into the dead connection or refused: dropped, until a new connection is made.
        for (var i = 0; i < 20 && Sender.Statistics.SendDropped == 0; i++)
        {
            Sender.Send(new Heartbeat(1, 2, 3, 0, 2));
            await Task.Delay(20);
        }
        _server = RaftServerStub.Start(Receiver, _received.Enqueue, port);

        await WaitUntil(() =>
        {
            Sender.Send(new Heartbeat(1, 2, 3, 0, 3));
            return _received.Any(m => m is Heartbeat { Sequence: 3 });
        }, "a message over a new connection");
    }

    private static async Task<NetworkStream> RawConnection(string address) =>
        await ServerPort.ConnectAsync(address, ServerConnectionType.Raft, Deadline, CancellationToken.None);

    /// <summary>A listener that reads each connection's type byte and serves Raft connections with a transport.</summary>
    private sealed class RaftServerStub : IAsyncDisposable
    {
        private readonly TcpListener _listener;
        private readonly CancellationTokenSource _stop = new();
        private readonly ConcurrentBag<Task> _connections = [];
        private readonly ConcurrentBag<Socket> _sockets = [];
        private Task _accepting = Task.CompletedTask;

        private RaftServerStub(TcpListener listener) => _listener = listener;

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public string Address => $"127.0.0.1:{Port}";

        public static RaftServerStub Start(TcpRaftTransport transport, Action<RaftMessage> deliver, int port)
        {
            var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            var stub = new RaftServerStub(listener);
            stub._accepting = stub.AcceptAsync(transport, deliver);
            return stub;
        }

        private async Task AcceptAsync(TcpRaftTransport transport, Action<RaftMessage> deliver)
        {
            while (true)
            {
                Socket socket;
                try
                {
                    socket = await _listener.AcceptSocketAsync(_stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                _sockets.Add(socket);
                _connections.Add(Task.Run(async () =>
                {
                    await using var stream = new NetworkStream(socket, ownsSocket: true);
                    var type = new byte[1];
                    if (await stream.ReadAsync(type) == 1 && type[0] == (byte)ServerConnectionType.Raft)
                    {
                        await transport.ServeAsync(stream, deliver, _stop.Token);
                    }
                }));
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (_stop.IsCancellationRequested) return;
            await _stop.CancelAsync();
            _listener.Stop();
            await _accepting;
            foreach (var socket in _sockets) socket.Dispose();
            await Task.WhenAll(_connections);
        }
    }
}
