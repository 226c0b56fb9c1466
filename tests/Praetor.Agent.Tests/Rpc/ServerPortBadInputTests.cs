using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using MessagePack;
using Microsoft.Extensions.Logging;
using Praetor.Agent.Rpc;
using Praetor.Raft.Core;
using Praetor.Raft.Transport;

namespace Praetor.Agent.Tests.Rpc;

/// <summary>
/// Thousands of hostile connections to one server port (RPC and Raft served): each is closed or
/// its input dropped, counted and logged; the listener stays up and real RPC and Raft traffic
/// still gets through afterwards.
/// </summary>
public sealed class ServerPortBadInputTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private const int PerKind = 300;

    private readonly CountingLogger _log = new();
    private readonly ConcurrentQueue<RaftMessage> _delivered = new();
    private readonly ConcurrentDictionary<ulong, string> _addresses = new();
    private readonly Dictionary<ulong, TcpRaftTransport> _transports = [];
    private readonly List<IAsyncDisposable> _owned = [];
    private RpcServer _rpc = null!;
    private ServerPortListener _listener = null!;

    public Task InitializeAsync()
    {
        _rpc = new RpcServer(_log);
        _rpc.Register("Status.Ping", (body, _) => Task.FromResult(body.ToArray()));
        _transports[1] = new TcpRaftTransport(1, _addresses, _log);
        _transports[2] = new TcpRaftTransport(2, _addresses);
        _listener = StartListener();
        _addresses[1] = _listener.LocalEndPoint.ToString();
        // Server 2 only sends here; server 1 takes messages only from servers it could answer.
        _addresses[2] = "127.0.0.1:1";
        return Task.CompletedTask;
    }

    /// <summary>The server port of server 1, serving RPC and Raft, with a short handshake timeout.</summary>
    private ServerPortListener StartListener()
    {
        var listener = new ServerPortListener(new IPEndPoint(IPAddress.Loopback, 0), _log, handshakeTimeout: TimeSpan.FromMilliseconds(300));
        listener.Register(ServerConnectionType.Rpc, _rpc.ServeAsync);
        listener.Register(ServerConnectionType.Raft, (stream, ct) => _transports[1].ServeAsync(stream, _delivered.Enqueue, ct));
        listener.Start();
        return listener;
    }

    public async Task DisposeAsync()
    {
        foreach (var owned in _owned) await owned.DisposeAsync();
        await _listener.DisposeAsync();
        foreach (var transport in _transports.Values) await transport.DisposeAsync();
    }

    [Fact]
    public async Task Garbage_truncated_oversized_unknown_misaddressed_and_unknown_sender_input_is_dropped_and_the_port_keeps_serving()
    {
        var random = new Random(6);
        var inputs = new List<byte[]>();
        for (var i = 0; i < PerKind; i++)
        {
            inputs.Add([0x7f, .. Bytes(random, 20)]);                                                        // unknown type
            inputs.Add([]);                                                                                   // closed before its type byte
            inputs.Add([(byte)ServerConnectionType.Rpc, 0, 0, 0, 50, .. Bytes(random, 10)]);                  // RPC: truncated frame
            inputs.Add([(byte)ServerConnectionType.Rpc, 0xff, 0xff, 0xff, 0xff, .. Bytes(random, 10)]);       // RPC: oversized frame
            inputs.Add([(byte)ServerConnectionType.Rpc, .. Frame(Bytes(random, 30))]);                       // RPC: malformed request
            inputs.Add([(byte)ServerConnectionType.Rpc, .. Frame(Request(method: ""))]);                      // RPC: request without a method
            inputs.Add([(byte)ServerConnectionType.Raft, .. Frame(Bytes(random, 30)), .. Frame([])]);         // Raft: garbage frames
            inputs.Add([(byte)ServerConnectionType.Raft, .. Frame(RaftMessageCodec.Encode(new Heartbeat(2, 9, 1, 0, 1)))]); // Raft: for server 9
            inputs.Add([(byte)ServerConnectionType.Raft, .. Frame(RaftMessageCodec.Encode(new Heartbeat(7, 1, 1, 0, 1)))]); // Raft: from unknown server 7
            inputs.Add([(byte)ServerConnectionType.Raft, 0x04, 0, 0, 1]);                                     // Raft: oversized frame
            inputs.Add([.. Bytes(random, random.Next(1, 300))]);                                              // anything
        }

        await Parallel.ForEachAsync(inputs, new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (input, ct) => await Hit(input, ct));
        await Hit([], CancellationToken.None, sendNothing: true);

        Assert.Empty(_delivered);
        Assert.True(_listener.ConnectionsRejected >= (2 * PerKind) + 1, $"rejected {_listener.ConnectionsRejected}");
        Assert.True(_rpc.ConnectionsClosed >= 4 * PerKind, $"RPC connections closed {_rpc.ConnectionsClosed}");
        var raft = _transports[1].Statistics;
        Assert.True(raft.ReceiveDropped >= 4 * PerKind, $"Raft frames dropped {raft.ReceiveDropped}");
        Assert.True(raft.StreamsClosed >= PerKind, $"Raft streams closed {raft.StreamsClosed}");
        Assert.True(_log.Warnings >= 11 * PerKind, $"{_log.Warnings} warnings logged");

        // Still serving: a real RPC call and a real Raft message.
        var client = new RpcClient();
        _owned.Add(client);
        Assert.Equal("ping"u8.ToArray(), await client.CallAsync(_addresses[1], "Status.Ping", "ping"u8.ToArray(), Deadline, CancellationToken.None));
        _transports[2].Send(new Heartbeat(2, 1, 1, 0, 42));
        var deadline = DateTime.UtcNow + Deadline;
        while (_delivered.IsEmpty)
        {
            Assert.True(DateTime.UtcNow < deadline, "the Raft message never arrived");
            await Task.Delay(5);
        }
        Assert.Equal(42UL, Assert.IsType<Heartbeat>(Assert.Single(_delivered)).Sequence);
    }

    /// <summary>Connects, sends <paramref name="input"/>, ends its side, and waits for the server to close the connection.</summary>
    private async Task Hit(byte[] input, CancellationToken cancellationToken, bool sendNothing = false)
    {
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(_listener.LocalEndPoint, cancellationToken);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(Deadline);
        try
        {
            if (!sendNothing)
            {
                if (input.Length > 0) await socket.SendAsync(input, deadline.Token);
                socket.Shutdown(SocketShutdown.Send);
            }
            var buffer = new byte[64];
            while (await socket.ReceiveAsync(buffer, deadline.Token) > 0)
            {
            }
        }
        catch (SocketException)
        {
            // The server closed first (a reset): the outcome the test wants anyway.
        }
    }

    private static byte[] Bytes(Random random, int count)
    {
        var bytes = new byte[count];
        random.NextBytes(bytes);
        return bytes;
    }

    private static byte[] Frame(byte[] payload)
    {
        var buffer = new ArrayBufferWriter<byte>();
        WireFrame.Write(buffer, payload);
        return buffer.WrittenSpan.ToArray();
    }

    private static byte[] Request(string method)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        writer.WriteArrayHeader(3);
        writer.Write(1UL);
        writer.Write(method);
        writer.Write(ReadOnlySpan<byte>.Empty);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Counts warnings and worse.</summary>
    private sealed class CountingLogger : ILogger
    {
        private int _warnings;

        public int Warnings => Volatile.Read(ref _warnings);

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel >= LogLevel.Warning) Interlocked.Increment(ref _warnings);
        }
    }
}
