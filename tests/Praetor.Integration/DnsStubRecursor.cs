using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Praetor.Integration;

/// <summary>
/// An upstream DNS server of the test's own on UDP 127.0.0.1 (a port the kernel picks, so it cannot
/// collide): it answers `example.org. A` with <see cref="ExampleOrgAddress"/> (TTL 300, RA set),
/// other names with NXDOMAIN, replies built byte by byte; or, when silent, reads every query and
/// never answers. It counts the queries it gets, so a test can tell the agent really asked it.
/// </summary>
public sealed class DnsStubRecursor : IAsyncDisposable
{
    public const string ExampleOrg = "example.org.";

    /// <summary>192.0.2.10, from TEST-NET-1 (RFC 5737): an address no real resolver would give for example.org.</summary>
    public static readonly IPAddress ExampleOrgAddress = IPAddress.Parse("192.0.2.10");

    public const int ExampleOrgTtlSeconds = 300;

    private readonly Socket _socket;
    private readonly bool _silent;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private int _queries;

    private DnsStubRecursor(bool silent)
    {
        _silent = silent;
        _socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        _socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        Port = ((IPEndPoint)_socket.LocalEndPoint!).Port;
        _loop = Task.Run(ServeAsync);
    }

    /// <summary>A recursor that answers example.org.</summary>
    public static DnsStubRecursor StartAnswering() => new(silent: false);

    /// <summary>A recursor that takes every query and never answers.</summary>
    public static DnsStubRecursor StartSilent() => new(silent: true);

    public int Port { get; }

    /// <summary>`127.0.0.1:PORT`, as `-recursor` and `recursors` take it.</summary>
    public string Address => $"127.0.0.1:{Port}";

    public int Queries => Volatile.Read(ref _queries);

    private async Task ServeAsync()
    {
        var buffer = new byte[65535];
        EndPoint any = new IPEndPoint(IPAddress.Any, 0);
        while (!_stop.IsCancellationRequested)
        {
            SocketReceiveFromResult received;
            try
            {
                received = await _socket.ReceiveFromAsync(buffer, SocketFlags.None, any, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (SocketException)
            {
                // An ICMP error for an earlier reply (the agent gave up on it); keep serving.
                continue;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            Interlocked.Increment(ref _queries);
            if (_silent)
            {
                continue;
            }
            var reply = Reply(buffer.AsSpan(0, received.ReceivedBytes));
            if (reply is null)
            {
                continue;
            }
            try
            {
                await _socket.SendToAsync(reply, SocketFlags.None, received.RemoteEndPoint, _stop.Token);
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // The agent stopped listening, or the test is over.
            }
        }
    }

    /// <summary>The reply to one query: the question copied, then one A record (name by a pointer to offset 12) or none with NXDOMAIN.</summary>
    private static byte[]? Reply(ReadOnlySpan<byte> query)
    {
        if (!DnsPacket.TryReadQuestion(query, out var name, out var type, out var questionEnd) || DnsPacket.IsResponse(query))
        {
            return null;
        }
        var known = name == ExampleOrg;
        var answer = known && type is DnsPacket.TypeA or 255;
        var reply = new byte[questionEnd + (answer ? 16 : 0)];
        query[..questionEnd].CopyTo(reply);
        reply[2] = (byte)(0x80 | (query[2] & 0x01)); // QR, opcode QUERY, RD as asked
        reply[3] = (byte)(0x80 | (known ? DnsPacket.RcodeNoError : DnsPacket.RcodeNxDomain)); // RA
        BinaryPrimitives.WriteUInt16BigEndian(reply.AsSpan(4), 1);
        BinaryPrimitives.WriteUInt16BigEndian(reply.AsSpan(6), (ushort)(answer ? 1 : 0));
        BinaryPrimitives.WriteUInt16BigEndian(reply.AsSpan(8), 0);
        BinaryPrimitives.WriteUInt16BigEndian(reply.AsSpan(10), 0);
        if (answer)
        {
            var record = reply.AsSpan(questionEnd);
            record[0] = 0xC0;
            record[1] = DnsPacket.HeaderLength;
            BinaryPrimitives.WriteUInt16BigEndian(record[2..], DnsPacket.TypeA);
            BinaryPrimitives.WriteUInt16BigEndian(record[4..], DnsPacket.ClassIn);
            BinaryPrimitives.WriteUInt32BigEndian(record[6..], ExampleOrgTtlSeconds);
            BinaryPrimitives.WriteUInt16BigEndian(record[10..], 4);
            ExampleOrgAddress.GetAddressBytes().CopyTo(record[12..]);
        }
        return reply;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _socket.Dispose();
        try
        {
            await _loop;
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // Closing the socket under a pending receive.
        }
        _stop.Dispose();
    }
}
