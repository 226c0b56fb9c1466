using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Praetor.Agent.Config;
using Praetor.Dns.Wire;

namespace Praetor.Dns;

/// <summary>
/// The agent's DNS interface: UDP and TCP on one port (<c>ports.dns</c>, 8600), answering from
/// <see cref="DnsResolver"/> and forwarding other names to the recursors. Network input never
/// throws out of a loop: a packet that is not a query is dropped, a query that cannot be read gets
/// FORMERR, and the server keeps answering.
/// </summary>
public sealed class DnsServer : IAsyncDisposable
{
    /// <summary>RFC 1035's UDP limit for clients without EDNS.</summary>
    private const int ClassicUdpSize = 512;

    /// <summary>Largest answer in one UDP datagram (65535 less IP and UDP headers), as Consul caps EDNS sizes.</summary>
    private const int MaxUdpSize = ushort.MaxValue - 68;

    /// <summary>Consul never puts more than 8 answers in a UDP reply to a client without EDNS.</summary>
    private const int MaxClassicUdpAnswers = 8;

    /// <summary>UDP receive threads per core: a second one keeps the core busy while the first waits in a send or receive.</summary>
    private const int UdpLoopsPerCore = 2;

    /// <summary>Open TCP connections served at once; more are closed on accept.</summary>
    private const int MaxTcpConnections = 512;

    /// <summary>Recursions in flight at once; questions past it get SERVFAIL instead of piling up.</summary>
    private const int MaxRecursions = 1024;

    /// <summary>How long a TCP connection may sit idle, or take to send a message, before it is closed.</summary>
    private static readonly TimeSpan TcpIdleTimeout = TimeSpan.FromSeconds(10);

    private readonly Agent.Agent _agent;
    private readonly DnsResolver _resolver;
    private readonly Socket _udp;
    private readonly Socket _tcp;
    private readonly ILogger _log;
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _loops = [];
    private readonly List<Thread> _udpThreads = [];
    private int _tcpConnections;
    private int _recursions;

    private DnsServer(Agent.Agent agent, Socket udp, Socket tcp, ILogger log)
    {
        _agent = agent;
        _resolver = new DnsResolver(agent);
        _udp = udp;
        _tcp = tcp;
        _log = log;
        Endpoint = (IPEndPoint)udp.LocalEndPoint!;
    }

    /// <summary>Where the server listens (UDP and TCP).</summary>
    public IPEndPoint Endpoint { get; }

    /// <summary>
    /// Binds UDP and TCP on <paramref name="endpoint"/> (port 0: a free port, the same for both) and
    /// starts serving. A taken port raises <see cref="SocketException"/>.
    /// </summary>
    public static DnsServer Start(Agent.Agent agent, IPEndPoint endpoint, ILogger? log = null)
    {
        var (udp, tcp) = Bind(endpoint);
        var server = new DnsServer(agent, udp, tcp, log ?? NullLogger.Instance);
        var loops = Math.Max(2, Environment.ProcessorCount * UdpLoopsPerCore);
        for (var i = 0; i < loops; i++)
        {
            var thread = new Thread(server.ServeUdp) { IsBackground = true, Name = $"dns-udp-{i}" };
            thread.Start();
            server._udpThreads.Add(thread);
        }
        server._loops.Add(Task.Run(server.AcceptTcpAsync));
        return server;
    }

    private static (Socket Udp, Socket Tcp) Bind(IPEndPoint endpoint)
    {
        // With port 0 the UDP port is picked first; TCP may find it taken, so try a few.
        for (var attempt = 0; ; attempt++)
        {
            var udp = new Socket(endpoint.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            try
            {
                udp.Bind(endpoint);
                var port = ((IPEndPoint)udp.LocalEndPoint!).Port;
                var tcp = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
                try
                {
                    tcp.Bind(new IPEndPoint(endpoint.Address, port));
                    tcp.Listen(128);
                    return (udp, tcp);
                }
                catch
                {
                    tcp.Dispose();
                    throw;
                }
            }
            catch (SocketException) when (endpoint.Port == 0 && attempt < 10)
            {
                udp.Dispose();
            }
            catch
            {
                udp.Dispose();
                throw;
            }
        }
    }

    /// <summary>
    /// One UDP receive loop on a thread of its own: blocking receive, answer, send. Catalog answers
    /// complete without waiting, so a dedicated thread per core serves them without thread-pool
    /// hops (measured: see bench/README.md); recursion is handed off so it never blocks the loop.
    /// </summary>
    private void ServeUdp()
    {
        var request = new byte[ushort.MaxValue];
        var response = new byte[ushort.MaxValue];
        var client = new SocketAddress(_udp.AddressFamily);
        var stopping = _stopping.Token;
        while (!stopping.IsCancellationRequested)
        {
            int length;
            try
            {
                length = _udp.ReceiveFrom(request, SocketFlags.None, client);
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (SocketException)
            {
                // The server is stopping, an ICMP error for an earlier reply, a datagram too big for the buffer.
                continue;
            }

            try
            {
                var pending = AnswerAsync(request.AsMemory(0, length), response, tcp: false, stopping);
                var outcome = pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult();
                if (outcome.Length > 0)
                {
                    _udp.SendTo(response.AsSpan(0, outcome.Length), SocketFlags.None, client);
                }
                else if (outcome.Recurse)
                {
                    StartRecursion(request.AsSpan(0, length).ToArray(), outcome.Query, CopyOf(client));
                }
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                // The client went away, or the server is stopping.
            }
        }
    }

    private static SocketAddress CopyOf(SocketAddress address)
    {
        var copy = new SocketAddress(address.Family, address.Size);
        address.Buffer.CopyTo(copy.Buffer);
        return copy;
    }

    /// <summary>Forwards a UDP question without holding up the receive loop; the reply goes back when it comes.</summary>
    private void StartRecursion(byte[] request, DnsQuery query, SocketAddress client)
    {
        if (Interlocked.Increment(ref _recursions) > MaxRecursions)
        {
            Interlocked.Decrement(ref _recursions);
            Span<byte> failure = stackalloc byte[ClassicUdpSize];
            var length = ServerFailure(failure, query);
            SendQuietly(failure[..length], client);
            return;
        }
        _ = Task.Run(async () =>
        {
            try
            {
                var reply = await RecurseAsync(request, query, tcp: false).ConfigureAwait(false);
                SendQuietly(reply.Span, client);
            }
            finally
            {
                Interlocked.Decrement(ref _recursions);
            }
        });
    }

    /// <summary>
    /// Sends a datagram with the blocking call: an asynchronous operation would switch the UDP
    /// socket to non-blocking mode for good, and the receive threads' blocking calls would then be
    /// emulated, which is slower.
    /// </summary>
    private void SendQuietly(ReadOnlySpan<byte> datagram, SocketAddress client)
    {
        try
        {
            _udp.SendTo(datagram, SocketFlags.None, client);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // The client went away, or the server is stopping.
        }
    }

    /// <summary>The recursors' reply, or SERVFAIL when none answered.</summary>
    private async Task<ReadOnlyMemory<byte>> RecurseAsync(byte[] request, DnsQuery query, bool tcp)
    {
        var config = _agent.Config;
        var recursors = new List<IPEndPoint>(config.Recursors.Count);
        foreach (var text in config.Recursors)
        {
            if (RecursorAddress.TryParse(text, out var endpoint))
            {
                recursors.Add(endpoint);
            }
        }
        var reply = await DnsRecursor.ExchangeAsync(request, recursors, config.Dns.RandomRecursors, config.Dns.RecursorTimeout, tcp, _stopping.Token)
            .ConfigureAwait(false);
        if (reply is not null)
        {
            return reply;
        }
        _log.LogWarning("dns: all recursors failed for {Name} ({Type})", query.Name, (DnsRecordType)query.Type);
        var failure = new byte[ushort.MaxValue];
        return failure.AsMemory(0, ServerFailure(failure, query));
    }

    private static int ServerFailure(Span<byte> buffer, in DnsQuery query)
    {
        var response = new DnsResponse { Code = DnsResponseCode.ServerFailure, RecursionAvailable = true };
        var length = DnsMessageWriter.Write(buffer, query, response, 0, compress: true);
        return length > 0 ? length : DnsMessageWriter.WriteError(buffer, query.Id, query.Opcode, query.RecursionDesired, DnsResponseCode.ServerFailure);
    }

    /// <summary>What to do with one message: send <see cref="Length"/> bytes, forward it (<see cref="Recurse"/>), or drop it.</summary>
    private readonly record struct Outcome(int Length, bool Recurse, DnsQuery Query);

    /// <summary>Reads one message and writes the answer into <paramref name="response"/>.</summary>
    private async ValueTask<Outcome> AnswerAsync(ReadOnlyMemory<byte> request, Memory<byte> response, bool tcp, CancellationToken cancellationToken)
    {
        var parsed = DnsMessageReader.Parse(request.Span, out var query);
        if (parsed == DnsParseResult.Drop)
        {
            return default;
        }
        if (parsed == DnsParseResult.FormatError)
        {
            return new Outcome(DnsMessageWriter.WriteError(response.Span, query.Id, query.Opcode, query.RecursionDesired, DnsResponseCode.FormatError), false, query);
        }

        DnsResponse? answer;
        try
        {
            answer = await _resolver.ResolveAsync(query, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // No leader for a consistent read, or a bug: the client gets SERVFAIL, the server goes on.
            _log.LogWarning(e, "dns: failed to answer {Name} ({Type})", query.Name, (DnsRecordType)query.Type);
            return new Outcome(ServerFailure(response.Span, query), false, query);
        }
        if (answer is null)
        {
            return new Outcome(0, true, query);
        }
        return new Outcome(Encode(response.Span, query, answer, tcp, _agent.Config.Dns), false, query);
    }

    /// <summary>
    /// Writes the answer, trimmed as Consul trims: over UDP a client without EDNS gets at most
    /// min(8, <c>udp_answer_limit</c>) answers in 512 bytes, one with EDNS as many as fit its buffer;
    /// over TCP as many as fit 64 KiB. A cut UDP answer carries TC only with <c>enable_truncate</c>.
    /// </summary>
    internal static int Encode(Span<byte> buffer, in DnsQuery query, DnsResponse answer, bool tcp, DnsSettings dns)
    {
        var size = tcp ? ushort.MaxValue : Math.Clamp((int)(query.EdnsUdpSize ?? 0), ClassicUdpSize, MaxUdpSize);
        var target = buffer[..Math.Min(size, buffer.Length)];
        var total = answer.Answers.Count;
        var count = total;
        if (!tcp && size == ClassicUdpSize)
        {
            count = Math.Min(count, Math.Min(MaxClassicUdpAnswers, dns.UdpAnswerLimit));
        }
        var compress = !dns.DisableCompression;
        var length = DnsMessageWriter.Write(target, query, answer, count, compress);
        if (length < 0)
        {
            // The most answers that fit: a binary search over the count.
            var (fits, tooMany) = (-1, count);
            while (tooMany - fits > 1)
            {
                var middle = (fits + tooMany) / 2;
                if (DnsMessageWriter.Write(target, query, answer, middle, compress) >= 0)
                {
                    fits = middle;
                }
                else
                {
                    tooMany = middle;
                }
            }
            if (fits < 0)
            {
                return ServerFailure(buffer, query);
            }
            count = fits;
            length = DnsMessageWriter.Write(target, query, answer, count, compress);
        }
        if (!tcp && count < total && dns.EnableTruncate)
        {
            buffer[2] |= 0x02;
        }
        return length;
    }

    private async Task AcceptTcpAsync()
    {
        var stopping = _stopping.Token;
        while (!stopping.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _tcp.AcceptAsync(stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (SocketException)
            {
                continue;
            }
            if (Interlocked.Increment(ref _tcpConnections) > MaxTcpConnections)
            {
                Interlocked.Decrement(ref _tcpConnections);
                client.Dispose();
                continue;
            }
            _ = Task.Run(() => ServeTcpAsync(client));
        }
    }

    /// <summary>Answers length-prefixed messages on one connection until the client closes, idles, or sends something unreadable.</summary>
    private async Task ServeTcpAsync(Socket client)
    {
        var prefix = new byte[2];
        var request = new byte[ushort.MaxValue];
        var response = new byte[ushort.MaxValue + 2];
        using var idle = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        try
        {
            while (true)
            {
                idle.CancelAfter(TcpIdleTimeout);
                if (!await DnsTcp.ReadExactlyAsync(client, prefix, idle.Token).ConfigureAwait(false))
                {
                    return;
                }
                var length = BinaryPrimitives.ReadUInt16BigEndian(prefix);
                if (length == 0 || !await DnsTcp.ReadExactlyAsync(client, request.AsMemory(0, length), idle.Token).ConfigureAwait(false))
                {
                    return;
                }
                // The answer is written after room for its length prefix.
                var outcome = await AnswerAsync(request.AsMemory(0, length), response.AsMemory(2), tcp: true, idle.Token).ConfigureAwait(false);
                var replyLength = outcome.Length;
                if (outcome.Recurse)
                {
                    var reply = await RecurseAsync(request[..length], outcome.Query, tcp: true).ConfigureAwait(false);
                    reply.CopyTo(response.AsMemory(2));
                    replyLength = reply.Length;
                }
                else if (replyLength == 0)
                {
                    // Not a query: nothing sensible follows on this stream.
                    return;
                }
                BinaryPrimitives.WriteUInt16BigEndian(response, (ushort)replyLength);
                await client.SendAsync(response.AsMemory(0, replyLength + 2), SocketFlags.None, idle.Token).ConfigureAwait(false);
                if (!idle.TryReset())
                {
                    return;
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Idle too long, the client went away, or the server is stopping.
        }
        finally
        {
            client.Dispose();
            Interlocked.Decrement(ref _tcpConnections);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        _udp.Dispose();
        _tcp.Dispose();
        foreach (var thread in _udpThreads)
        {
            thread.Join();
        }
        try
        {
            await Task.WhenAll(_loops).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }
        _stopping.Dispose();
    }
}
