using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Praetor.Agent;
using Praetor.Dns.Tests.Wire;
using Praetor.Dns.Wire;
using Ar = ARSoft.Tools.Net.Dns;

namespace Praetor.Dns.Tests;

/// <summary>The DNS server over real sockets on 127.0.0.1 (a free port), answering from an in-process agent.</summary>
public sealed class DnsServerTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    private sealed class Running : IAsyncDisposable
    {
        public required DnsTestAgent Agent { get; init; }

        public required DnsServer Server { get; init; }

        public IPEndPoint Endpoint => Server.Endpoint;

        public async ValueTask DisposeAsync()
        {
            await Server.DisposeAsync();
            await Agent.DisposeAsync();
        }
    }

    private static async Task<Running> StartAsync(Func<AgentConfig, AgentConfig>? configure = null)
    {
        var agent = await DnsTestAgent.StartAsync(configure);
        return new Running { Agent = agent, Server = DnsServer.Start(agent.Agent, new IPEndPoint(IPAddress.Loopback, 0)) };
    }

    private static byte[] Query(string name, DnsRecordType type = DnsRecordType.A, ushort id = 0xBEEF) =>
        PacketBuilder.Query(name, (ushort)type, id).Build();

    /// <summary>Sends <paramref name="packet"/> until a reply with its ID comes (UDP may drop under load), within the deadline.</summary>
    private static async Task<byte[]> UdpAskAsync(IPEndPoint server, byte[] packet)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Connect(server);
        using var deadline = new CancellationTokenSource(Deadline);
        var buffer = new byte[ushort.MaxValue];
        var id = BinaryPrimitives.ReadUInt16BigEndian(packet);
        while (true)
        {
            await socket.SendAsync(packet, SocketFlags.None, deadline.Token);
            using var attempt = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token);
            attempt.CancelAfter(TimeSpan.FromMilliseconds(500));
            try
            {
                while (true)
                {
                    var length = await socket.ReceiveAsync(buffer, SocketFlags.None, attempt.Token);
                    if (length >= 2 && BinaryPrimitives.ReadUInt16BigEndian(buffer) == id)
                    {
                        return buffer[..length];
                    }
                }
            }
            catch (OperationCanceledException) when (!deadline.IsCancellationRequested)
            {
                // No reply to this try: send again.
            }
        }
    }

    private static async Task<Socket> TcpConnectAsync(IPEndPoint server)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(server);
        return socket;
    }

    private static byte[] Framed(byte[] message)
    {
        var framed = new byte[message.Length + 2];
        BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)message.Length);
        message.CopyTo(framed, 2);
        return framed;
    }

    private static async Task ReadExactlyAsync(Socket socket, Memory<byte> buffer, CancellationToken token)
    {
        var read = 0;
        while (read < buffer.Length)
        {
            var n = await socket.ReceiveAsync(buffer[read..], SocketFlags.None, token);
            Assert.True(n > 0, "the server closed the connection");
            read += n;
        }
    }

    private static async Task<byte[]> TcpReadAsync(Socket socket)
    {
        using var deadline = new CancellationTokenSource(Deadline);
        var prefix = new byte[2];
        await ReadExactlyAsync(socket, prefix, deadline.Token);
        var message = new byte[BinaryPrimitives.ReadUInt16BigEndian(prefix)];
        await ReadExactlyAsync(socket, message, deadline.Token);
        return message;
    }

    private static async Task<byte[]> TcpAskAsync(IPEndPoint server, byte[] packet)
    {
        using var socket = await TcpConnectAsync(server);
        await socket.SendAsync(Framed(packet), SocketFlags.None);
        return await TcpReadAsync(socket);
    }

    private static IPAddress SingleA(byte[] reply)
    {
        var message = Ar.DnsMessage.Parse(reply);
        return Assert.IsType<Ar.ARecord>(Assert.Single(message.AnswerRecords)).Address;
    }

    [Fact]
    public async Task A_udp_query_is_answered()
    {
        await using var running = await StartAsync();
        var reply = await UdpAskAsync(running.Endpoint, Query("me.node.consul", id: 0x1001));
        var message = Ar.DnsMessage.Parse(reply);
        Assert.Equal(0x1001, message.TransactionID);
        Assert.True(message.IsQuery == false);
        Assert.Equal(Ar.ReturnCode.NoError, message.ReturnCode);
        Assert.Equal(IPAddress.Loopback, SingleA(reply));
    }

    [Fact]
    public async Task Udp_answers_are_trimmed_to_three_without_edns()
    {
        await using var running = await StartAsync();
        for (var i = 1; i <= 6; i++)
        {
            await running.Agent.RegisterAsync($"n{i}", $"10.0.0.{i}", "web", $"web{i}", 80);
        }
        var udp = Ar.DnsMessage.Parse(await UdpAskAsync(running.Endpoint, Query("web.service.consul")));
        Assert.Equal(3, udp.AnswerRecords.Count);
        var tcp = Ar.DnsMessage.Parse(await TcpAskAsync(running.Endpoint, Query("web.service.consul")));
        Assert.Equal(6, tcp.AnswerRecords.Count);
    }

    [Fact]
    public async Task Tcp_answers_two_queries_on_one_connection()
    {
        await using var running = await StartAsync();
        await running.Agent.RegisterAsync("n1", "10.0.0.1");
        using var socket = await TcpConnectAsync(running.Endpoint);

        await socket.SendAsync(Framed(Query("me.node.consul", id: 1)), SocketFlags.None);
        var first = await TcpReadAsync(socket);
        Assert.Equal(1, BinaryPrimitives.ReadUInt16BigEndian(first));
        Assert.Equal(IPAddress.Loopback, SingleA(first));

        // The second in two pieces, split inside the length prefix.
        var second = Framed(Query("n1.node.consul", id: 2));
        await socket.SendAsync(second.AsMemory(0, 1), SocketFlags.None);
        await socket.SendAsync(second.AsMemory(1), SocketFlags.None);
        var reply = await TcpReadAsync(socket);
        Assert.Equal(2, BinaryPrimitives.ReadUInt16BigEndian(reply));
        Assert.Equal(IPAddress.Parse("10.0.0.1"), SingleA(reply));
    }

    [Fact]
    public async Task A_malformed_query_with_a_readable_header_gets_FORMERR()
    {
        await using var running = await StartAsync();
        // Two questions.
        var twoQuestions = new PacketBuilder().Header(0x2002, 0x0100, 2, 0, 0, 0).Name("me.node.consul").U16(1).U16(1).Build();
        // A question cut short.
        var cut = Query("me.node.consul", id: 0x2003)[..^3];
        foreach (var packet in new[] { twoQuestions, cut })
        {
            foreach (var reply in new[] { await UdpAskAsync(running.Endpoint, packet), await TcpAskAsync(running.Endpoint, packet) })
            {
                Assert.Equal(BinaryPrimitives.ReadUInt16BigEndian(packet), BinaryPrimitives.ReadUInt16BigEndian(reply));
                Assert.True((reply[2] & 0x80) != 0, "QR");
                Assert.Equal(1, reply[3] & 0x0F);
                Assert.True((reply[2] & 0x01) != 0, "RD echoed");
            }
        }
    }

    private static IEnumerable<byte[]> Garbage(Random random)
    {
        var good = Query("me.node.consul", id: 0x7777);
        for (var i = 0; i < 1000; i++)
        {
            var bytes = new byte[random.Next(0, 600)];
            random.NextBytes(bytes);
            yield return bytes;
        }
        for (var i = 0; i < good.Length; i++)
        {
            yield return good[..i];
        }
        for (var i = 0; i < 500; i++)
        {
            // Wrong counts: every header count random, the rest a real question.
            var wrong = (byte[])good.Clone();
            random.NextBytes(wrong.AsSpan(4, 8));
            yield return wrong;
            // Random bytes flipped in a real query.
            var flipped = (byte[])good.Clone();
            flipped[random.Next(flipped.Length)] ^= (byte)random.Next(1, 256);
            yield return flipped;
        }
        // A pointer loop for the question name, and a pointer into the header.
        yield return new PacketBuilder().Header(1, 0x0100, 1, 0, 0, 0).Pointer(12).U16(1).U16(1).Build();
        yield return new PacketBuilder().Header(1, 0x0100, 1, 0, 0, 0).Pointer(0).U16(1).U16(1).Build();
        // Responses (QR set) are dropped, never answered.
        yield return new PacketBuilder().Header(1, 0x8100, 1, 0, 0, 0).Name("me.node.consul").U16(1).U16(1).Build();
        // A 60 KB datagram: a query followed by junk, and a header claiming 65535 additional records.
        var big = new byte[60_000];
        random.NextBytes(big);
        good.CopyTo(big, 0);
        yield return big;
        var many = (byte[])big.Clone();
        many[10] = 0xFF;
        many[11] = 0xFF;
        yield return many;
    }

    [Fact]
    public async Task A_flood_of_malformed_datagrams_and_tcp_garbage_leaves_the_server_answering()
    {
        await using var running = await StartAsync();
        var random = new Random(1234);
        using (var flood = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp))
        {
            flood.Connect(running.Endpoint);
            var sent = 0;
            foreach (var packet in Garbage(random))
            {
                flood.Send(packet);
                sent++;
            }
            Assert.True(sent > 2000);
        }

        // TCP: a random stream; a length prefix then close; a zero length; a length then half a message.
        var stream = new byte[10_000];
        random.NextBytes(stream);
        byte[][] tcpGarbage = [stream, [0x01, 0x00], [0x00, 0x00], [0x00, 0x40, 0x01, 0x02, 0x03], [0x00]];
        foreach (var garbage in tcpGarbage)
        {
            using var socket = await TcpConnectAsync(running.Endpoint);
            await socket.SendAsync(garbage, SocketFlags.None);
            socket.Shutdown(SocketShutdown.Send);
        }
        // A garbage message (readable length, unreadable body) closes or errors that connection, not the server.
        using (var socket = await TcpConnectAsync(running.Endpoint))
        {
            await socket.SendAsync(Framed([0xDE, 0xAD]), SocketFlags.None);
        }

        Assert.Equal(IPAddress.Loopback, SingleA(await UdpAskAsync(running.Endpoint, Query("me.node.consul", id: 0x5151))));
        Assert.Equal(IPAddress.Loopback, SingleA(await TcpAskAsync(running.Endpoint, Query("me.node.consul", id: 0x5152))));
    }

    /// <summary>A stand-in upstream DNS server on 127.0.0.1: answers with an A record, with SERVFAIL, or never.</summary>
    private sealed class FakeUpstream : IAsyncDisposable
    {
        private readonly Socket _socket;
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _loop;
        private readonly byte _rcode;
        private readonly IPAddress? _answer;
        private int _queries;

        private FakeUpstream(bool tcp, byte rcode, IPAddress? answer, bool silent)
        {
            _rcode = rcode;
            _answer = answer;
            _socket = tcp
                ? new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp)
                : new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            _socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            if (tcp)
            {
                _socket.Listen(16);
            }
            _loop = silent ? Task.CompletedTask : tcp ? Task.Run(ServeTcpAsync) : Task.Run(ServeUdpAsync);
        }

        public static FakeUpstream Answering(IPAddress answer, bool tcp = false) => new(tcp, 0, answer, false);

        public static FakeUpstream Failing(bool tcp = false) => new(tcp, 2, null, false);

        public static FakeUpstream Silent(bool tcp = false) => new(tcp, 0, null, true);

        public string Address => $"127.0.0.1:{((IPEndPoint)_socket.LocalEndPoint!).Port}";

        public int Queries => Volatile.Read(ref _queries);

        private byte[] Reply(ReadOnlySpan<byte> request)
        {
            Interlocked.Increment(ref _queries);
            var offset = 12;
            while (request[offset] != 0)
            {
                offset += request[offset] + 1;
            }
            var question = request[..(offset + 5)];
            var reply = new PacketBuilder().Raw(question.ToArray()).Build();
            reply[2] = (byte)(0x80 | (request[2] & 0x01));
            reply[3] = (byte)(0x80 | _rcode);
            BinaryPrimitives.WriteUInt16BigEndian(reply.AsSpan(6), (ushort)(_answer is null ? 0 : 1));
            BinaryPrimitives.WriteUInt16BigEndian(reply.AsSpan(8), 0);
            BinaryPrimitives.WriteUInt16BigEndian(reply.AsSpan(10), 0);
            if (_answer is null)
            {
                return reply;
            }
            return new PacketBuilder().Raw(reply).Pointer(12).RecordTail(1, 1, 42, _answer.GetAddressBytes()).Build();
        }

        private async Task ServeUdpAsync()
        {
            var buffer = new byte[ushort.MaxValue];
            try
            {
                while (true)
                {
                    var received = await _socket.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), _stop.Token);
                    var reply = Reply(buffer.AsSpan(0, received.ReceivedBytes));
                    await _socket.SendToAsync(reply, SocketFlags.None, received.RemoteEndPoint, _stop.Token);
                }
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                // Stopped.
            }
        }

        private async Task ServeTcpAsync()
        {
            try
            {
                while (true)
                {
                    using var client = await _socket.AcceptAsync(_stop.Token);
                    var prefix = new byte[2];
                    await ReadExactlyAsync(client, prefix, _stop.Token);
                    var request = new byte[BinaryPrimitives.ReadUInt16BigEndian(prefix)];
                    await ReadExactlyAsync(client, request, _stop.Token);
                    await client.SendAsync(Framed(Reply(request)), SocketFlags.None, _stop.Token);
                }
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                // Stopped.
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _socket.Dispose();
            await _loop;
            _stop.Dispose();
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Outside_names_are_relayed_from_the_recursor(bool tcp)
    {
        await using var upstream = FakeUpstream.Answering(IPAddress.Parse("192.0.2.7"), tcp);
        await using var running = await StartAsync(c => c with { Recursors = [upstream.Address] });
        var query = Query("www.example.com", id: 0x3003);
        var reply = tcp ? await TcpAskAsync(running.Endpoint, query) : await UdpAskAsync(running.Endpoint, query);
        Assert.Equal(0x3003, BinaryPrimitives.ReadUInt16BigEndian(reply));
        Assert.Equal(IPAddress.Parse("192.0.2.7"), SingleA(reply));
        Assert.Equal(42, Ar.DnsMessage.Parse(reply).AnswerRecords[0].TimeToLive);
        Assert.True(upstream.Queries >= 1);

        // Names in the domain are still answered from the catalog, with RA set.
        var inside = Ar.DnsMessage.Parse(await UdpAskAsync(running.Endpoint, Query("me.node.consul")));
        Assert.True(inside.IsRecursionAllowed);
        Assert.Equal(IPAddress.Loopback, Assert.IsType<Ar.ARecord>(Assert.Single(inside.AnswerRecords)).Address);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_recursor_that_never_answers_gives_SERVFAIL_after_the_timeout(bool tcp)
    {
        await using var upstream = FakeUpstream.Silent(tcp);
        await using var running = await StartAsync(c => c with
        {
            Recursors = [upstream.Address],
            Dns = new Agent.Config.DnsSettings { RecursorTimeout = TimeSpan.FromMilliseconds(200) },
        });
        var started = DateTime.UtcNow;
        var query = Query("www.example.com", id: 0x4004);
        var reply = tcp ? await TcpAskAsync(running.Endpoint, query) : await UdpAskAsync(running.Endpoint, query);
        var message = Ar.DnsMessage.Parse(reply);
        Assert.Equal(0x4004, message.TransactionID);
        Assert.Equal(Ar.ReturnCode.ServerFailure, message.ReturnCode);
        Assert.True(message.IsRecursionAllowed);
        Assert.True(DateTime.UtcNow - started >= TimeSpan.FromMilliseconds(150), "SERVFAIL came before the recursor timeout");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_failing_recursor_is_skipped_for_the_next(bool tcp)
    {
        await using var failing = FakeUpstream.Failing(tcp);
        await using var answering = FakeUpstream.Answering(IPAddress.Parse("198.51.100.9"), tcp);
        await using var running = await StartAsync(c => c with { Recursors = [failing.Address, answering.Address] });
        var query = Query("www.example.com", id: 0x5005);
        var reply = tcp ? await TcpAskAsync(running.Endpoint, query) : await UdpAskAsync(running.Endpoint, query);
        Assert.Equal(Ar.ReturnCode.NoError, Ar.DnsMessage.Parse(reply).ReturnCode);
        Assert.Equal(IPAddress.Parse("198.51.100.9"), SingleA(reply));
        Assert.True(failing.Queries >= 1, "the first recursor was not asked");
    }
}
