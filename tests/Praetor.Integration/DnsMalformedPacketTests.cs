using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Xunit.Abstractions;

namespace Praetor.Integration;

/// <summary>
/// Thousands of malformed messages (<see cref="DnsMalformedCorpus"/>) over UDP and over TCP (each
/// framed with its 2-byte length, pipelined on one connection, a length and then a close, a stream
/// of random bytes, a connection held open mid-message). Each may get a FORMERR reply (NOTIMP for a
/// header that claims another opcode) or none at all; afterwards the agent must still be running and
/// answer a good dig over UDP and TCP. The random messages come from a seed printed on failure; set
/// PRAETOR_DNS_FUZZ_SEED to run one again.
/// </summary>
[Trait("Category", "Integration")]
public sealed class DnsMalformedPacketTests(DnsMalformedPacketTests.Agent fixture, ITestOutputHelper output) : IClassFixture<DnsMalformedPacketTests.Agent>
{
    private const int UdpRandomMessages = 3000;
    private const int TcpRandomMessages = 150;
    private const int TcpPipelinedMessages = 300;
    private const int TcpParallelConnections = 16;

    /// <summary>How long the replies may keep coming after the last UDP message; the flood ends with this much quiet.</summary>
    private static readonly TimeSpan UdpQuietPeriod = TimeSpan.FromMilliseconds(500);

    /// <summary>Longest wait for the replies to the UDP flood.</summary>
    private static readonly TimeSpan UdpDrainDeadline = TimeSpan.FromSeconds(15);

    /// <summary>How long one TCP connection waits for a reply or a close after sending; the server may also just keep it open.</summary>
    private static readonly TimeSpan TcpReadDeadline = TimeSpan.FromSeconds(1.5);

    private static readonly TimeSpan ConnectDeadline = TimeSpan.FromSeconds(5);

    private readonly DnsAgent _agent = fixture.Dns;

    private static int Seed { get; } = int.TryParse(Environment.GetEnvironmentVariable("PRAETOR_DNS_FUZZ_SEED"), out var seed) ? seed : Random.Shared.Next();

    [DigFact]
    public async Task Udp_flood_of_malformed_messages_gets_FORMERR_or_nothing_and_the_agent_still_answers()
    {
        var corpus = DnsMalformedCorpus.Create(new Random(Seed), UdpRandomMessages);
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.ReceiveBufferSize = 4 * 1024 * 1024;
        socket.Connect(new IPEndPoint(IPAddress.Loopback, _agent.DnsPort));
        var replies = new ConcurrentQueue<byte[]>();
        var lastReply = DateTime.UtcNow;
        using var stop = new CancellationTokenSource();
        var receiving = Task.Run(async () =>
        {
            var buffer = new byte[65535];
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    var length = await socket.ReceiveAsync(buffer, SocketFlags.None, stop.Token);
                    replies.Enqueue(buffer[..length]);
                    lastReply = DateTime.UtcNow;
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                catch (SocketException)
                {
                    // ICMP port unreachable: the agent is gone, which the assertions below report.
                }
            }
        });

        for (var i = 0; i < corpus.Count; i++)
        {
            try
            {
                await socket.SendAsync(corpus[i].Bytes, SocketFlags.None);
            }
            catch (SocketException e)
            {
                Assert.Fail($"sending message {i} failed ({e.SocketErrorCode}); the agent's process {(_agent.Agent.Process.HasExited ? "has exited" : "is running")}\n{Context()}");
            }
            if (i % 100 == 99)
            {
                // A breath every 100 messages, so the flood tests the parser more than the socket buffer.
                await Task.Delay(1);
            }
        }
        var drainUntil = DateTime.UtcNow + UdpDrainDeadline;
        lastReply = DateTime.UtcNow;
        while (DateTime.UtcNow - lastReply < UdpQuietPeriod && DateTime.UtcNow < drainUntil)
        {
            await Task.Delay(100);
        }
        await stop.CancelAsync();
        await receiving;

        var problems = replies.Select(r => ReplyProblem(r, corpus)).OfType<string>().ToList();
        output.WriteLine($"{Context()}: sent {corpus.Count} malformed UDP messages, got {replies.Count} replies: {Rcodes(replies)}");
        Assert.True(problems.Count == 0, $"{problems.Count} of {replies.Count} replies to {corpus.Count} malformed UDP messages were not FORMERR/NOTIMP:\n{string.Join("\n", problems.Take(10))}\n{Context()}");
        await AssertStillAnsweringAsync($"after {corpus.Count} malformed UDP messages ({replies.Count} replies)");
    }

    [DigFact]
    public async Task Tcp_malformed_messages_and_streams_get_FORMERR_or_a_close_and_the_agent_still_answers()
    {
        var random = new Random(Seed);
        var corpus = DnsMalformedCorpus.Create(random, TcpRandomMessages);
        var problems = new ConcurrentQueue<string>();
        var replies = new ConcurrentQueue<byte[]>();

        // One framed message per connection, then a half-close: the server sees the message and the end.
        await Parallel.ForEachAsync(corpus, new ParallelOptions { MaxDegreeOfParallelism = TcpParallelConnections }, async (message, _) =>
        {
            foreach (var reply in await ExchangeAsync([DnsPacket.TcpFrame(message.Bytes)], halfClose: true))
            {
                replies.Enqueue(reply);
                if (ReplyProblem(reply, corpus) is { } problem)
                {
                    problems.Enqueue(problem);
                }
            }
        });

        // Many framed messages back to back on one connection; those with a whole header, since a
        // server may fairly close the connection on a frame too short to be a message.
        var pipelined = DnsMalformedCorpus.Create(random, TcpPipelinedMessages);
        var pipelinedReplies = await ExchangeAsync([.. pipelined.Where(static m => m.Bytes.Length >= DnsPacket.HeaderLength).Select(static m => DnsPacket.TcpFrame(m.Bytes))], halfClose: true);
        output.WriteLine($"{Context()}: {corpus.Count} malformed TCP messages, one per connection, got {replies.Count} replies: {Rcodes(replies)}; " +
            $"{pipelined.Count} pipelined on one connection got {pipelinedReplies.Count}: {Rcodes(pipelinedReplies)}");
        foreach (var reply in pipelinedReplies)
        {
            if (ReplyProblem(reply, pipelined) is { } problem)
            {
                problems.Enqueue($"pipelined: {problem}");
            }
        }

        // A length, maybe part of the message, then a close.
        foreach (var cut in new[] { 0, 1, 2, 7, 12, 20 })
        {
            var valid = DnsPacket.TcpFrame(DnsPacket.Query(1, "web.service.consul", DnsPacket.TypeA));
            await ExchangeAsync([valid[..Math.Min(cut, valid.Length)]], halfClose: false);
            await ExchangeAsync([[0xFF, 0xFF, .. valid[2..Math.Min(cut + 2, valid.Length)]]], halfClose: false);
        }
        await ExchangeAsync([[0x00, 0x00]], halfClose: true);

        // Streams of random bytes, closed outright.
        for (var i = 0; i < 5; i++)
        {
            var stream = new byte[64 * 1024];
            random.NextBytes(stream);
            await ExchangeAsync([stream], halfClose: false);
        }

        Assert.True(problems.IsEmpty, $"replies to malformed TCP messages that were not FORMERR/NOTIMP:\n{string.Join("\n", problems.Take(10))}\n{Context()}");
        await AssertStillAnsweringAsync($"after {corpus.Count + 1} malformed TCP connections, {TcpPipelinedMessages} pipelined messages and random streams");
    }

    [DigFact]
    public async Task A_tcp_client_stalled_mid_message_does_not_hold_up_other_queries()
    {
        using var silent = await ConnectAsync();
        using var stalled = await ConnectAsync();
        var valid = DnsPacket.TcpFrame(DnsPacket.Query(7, "web.service.consul", DnsPacket.TypeA));
        await stalled.SendAsync(valid[..5], SocketFlags.None);

        await AssertStillAnsweringAsync("while one TCP client sent nothing and another stopped mid-message");
    }

    /// <summary>The agent is running, and dig over UDP and over TCP gets its node's address within dig's own +time=3.</summary>
    private async Task AssertStillAnsweringAsync(string when)
    {
        Assert.False(_agent.Agent.Process.HasExited, $"the agent exited {when}\n{Context()}\n{_agent.Agent.Process.Output}");
        foreach (var transport in new[] { "+notcp", "+tcp" })
        {
            var dig = await _agent.DigAsync($"{_agent.NodeName}.node.consul", "A", transport);
            Assert.True(dig.Status == "NOERROR" && dig.AnswerData("A").SequenceEqual(["127.0.0.1"]), $"a good query {when}:\n{dig.Describe()}\n{Context()}");
        }
    }

    /// <summary>Why <paramref name="reply"/> is not an acceptable answer to one of <paramref name="sent"/>, or null when it is.</summary>
    private static string? ReplyProblem(byte[] reply, IReadOnlyList<DnsMalformedMessage> sent)
    {
        if (reply.Length < DnsPacket.HeaderLength)
        {
            return $"a reply of {reply.Length} bytes: {Convert.ToHexString(reply)}";
        }
        var id = DnsPacket.Id(reply);
        var cause = id >= 1 && id <= sent.Count ? sent[id - 1] : null;
        var rcode = DnsPacket.Rcode(reply);
        var acceptable = DnsPacket.IsResponse(reply) &&
            (rcode == DnsPacket.RcodeFormErr || (rcode == DnsPacket.RcodeNotImp && cause is { Opcode: not 0 }));
        return acceptable ? null
            : $"reply id {id} rcode {rcode}{(DnsPacket.IsResponse(reply) ? "" : " without QR")} ({reply.Length} bytes) to {(cause?.ToString() ?? "no message with that id")}";
    }

    /// <summary>
    /// Connects, writes <paramref name="chunks"/> (stopping quietly when the server closes), half-closes
    /// or closes, then reads framed replies until the server closes or <see cref="TcpReadDeadline"/> passes.
    /// </summary>
    private async Task<List<byte[]>> ExchangeAsync(IReadOnlyList<byte[]> chunks, bool halfClose)
    {
        using var socket = await ConnectAsync();
        try
        {
            foreach (var chunk in chunks)
            {
                await socket.SendAsync(chunk, SocketFlags.None);
            }
        }
        catch (SocketException)
        {
            // The server closed the connection first: an allowed answer to a malformed message.
            return [];
        }
        if (!halfClose)
        {
            socket.Close(0);
            return [];
        }
        socket.Shutdown(SocketShutdown.Send);
        var received = new List<byte>();
        using var deadline = new CancellationTokenSource(TcpReadDeadline);
        var buffer = new byte[65537];
        try
        {
            while (true)
            {
                var length = await socket.ReceiveAsync(buffer, SocketFlags.None, deadline.Token);
                if (length == 0)
                {
                    break;
                }
                received.AddRange(buffer.AsSpan(0, length));
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException)
        {
            // Kept open or reset: both allowed; the replies read so far still count.
        }
        var replies = new List<byte[]>();
        var bytes = received.ToArray();
        var at = 0;
        while (at + 2 <= bytes.Length)
        {
            var length = (bytes[at] << 8) | bytes[at + 1];
            if (at + 2 + length > bytes.Length)
            {
                replies.Add(bytes[at..]);
                break;
            }
            replies.Add(bytes[(at + 2)..(at + 2 + length)]);
            at += 2 + length;
        }
        return replies;
    }

    private async Task<Socket> ConnectAsync()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using var deadline = new CancellationTokenSource(ConnectDeadline);
        try
        {
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, _agent.DnsPort), deadline.Token);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            socket.Dispose();
            Assert.Fail($"connecting to the agent's DNS port over TCP failed: {e.Message}; the agent's process {(_agent.Agent.Process.HasExited ? "has exited" : "is running")}\n{Context()}");
        }
        return socket;
    }

    /// <summary>How many replies had each RCODE, for the test's output.</summary>
    private static string Rcodes(IEnumerable<byte[]> replies) =>
        string.Join(", ", replies.GroupBy(static r => r.Length >= DnsPacket.HeaderLength ? DnsPacket.Rcode(r).ToString(System.Globalization.CultureInfo.InvariantCulture) : "short")
            .OrderBy(static g => g.Key, StringComparer.Ordinal).Select(static g => $"rcode {g.Key} x {g.Count()}"));

    private static string Context() => $"(seed {Seed}; rerun with PRAETOR_DNS_FUZZ_SEED={Seed})";

    /// <summary>An agent of its own, so nothing done to it here can trouble the other tests.</summary>
    public sealed class Agent : IAsyncLifetime
    {
        private DnsAgent? _dns;

        public DnsAgent Dns => _dns ?? throw new InvalidOperationException("not started");

        public async Task InitializeAsync() => _dns = await DnsAgent.StartAsync("fuzz");

        public async Task DisposeAsync()
        {
            if (_dns is not null)
            {
                await _dns.DisposeAsync();
            }
        }
    }
}
