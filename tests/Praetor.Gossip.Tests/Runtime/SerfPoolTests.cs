using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;
using Praetor.Gossip.Memberlist.Wire;
using Praetor.Gossip.Serf;
using static Praetor.Gossip.Tests.Runtime.PoolTestKit;

namespace Praetor.Gossip.Tests.Runtime;

/// <summary>Real SerfPools on 127.0.0.1 (UDP + TCP, memberlist's local timings) gossiping with one another.</summary>
public sealed class SerfPoolTests
{
    [Fact]
    public async Task Two_pools_join_and_each_sees_the_other_alive_with_its_tags()
    {
        await using var a = await StartAsync("a");
        await using var b = await StartAsync("b");

        var joined = await b.JoinAsync([Address(a)], ignoreOldEvents: false, CancellationToken.None);

        Assert.Equal(1, joined);
        await WaitForStatusAsync(a, "b", MemberStatus.Alive);
        await WaitForStatusAsync(b, "a", MemberStatus.Alive);
        var seenByB = b.Members().Single(m => m.Name == "a");
        Assert.Equal("test", seenByB.Tags["role"]);
        Assert.Equal(a.AdvertiseEndpoint.Port, seenByB.Port);
        Assert.Equal(new Praetor.Gossip.Memberlist.ProtocolVersions(1, 5, 2, 2, 5, 5), seenByB.Vsn);
    }

    [Fact]
    public async Task Probes_move_both_coordinates_off_the_origin_and_each_caches_the_other()
    {
        await using var a = await StartAsync("a");
        await using var b = await StartAsync("b");
        Assert.Equal(Coordinate.Origin(VivaldiConfig.Default).Vec, a.LocalCoordinate.Vec);

        await b.JoinAsync([Address(a)], ignoreOldEvents: false, CancellationToken.None);

        foreach (var (pool, peer) in new[] { (a, "b"), (b, "a") })
        {
            // The error estimate leaves its maximum once the RTT samples agree with the coordinates;
            // one slow sample on a busy machine can send it back there, so it is waited for, not read once.
            await WaitUntilAsync(
                () => pool.LocalCoordinate.Vec.Any(v => v != 0) && pool.CachedCoordinate(peer) is not null && pool.LocalCoordinate.Error < VivaldiConfig.Default.VivaldiErrorMax,
                $"{pool.NodeName} to have a coordinate with an error below the maximum and {peer}'s");
            Assert.Same(pool.LocalCoordinate, pool.CachedCoordinate(pool.NodeName));
        }
        Assert.Equal(0, a.Statistics.CoordinatesRejected + b.Statistics.CoordinatesRejected);
        // Loopback RTTs are well below 50 ms, and so is the estimate.
        Assert.True(a.LocalCoordinate.DistanceTo(b.LocalCoordinate) < 0.05);
    }

    [Fact]
    public async Task Three_pools_joined_through_one_all_see_three_alive()
    {
        await using var a = await StartAsync("a");
        await using var b = await StartAsync("b");
        await using var c = await StartAsync("c");

        await b.JoinAsync([Address(a)], false, CancellationToken.None);
        await c.JoinAsync([Address(b)], false, CancellationToken.None);

        foreach (var pool in new[] { a, b, c })
        {
            await WaitUntilAsync(() => pool.Members().Count(m => m.Status == MemberStatus.Alive) == 3, $"{pool.NodeName} to see 3 alive (sees {Describe(pool)})");
        }
    }

    [Fact]
    public async Task A_user_event_reaches_the_other_pools_events_once()
    {
        await using var a = await StartAsync("a");
        await using var b = await StartAsync("b");
        await b.JoinAsync([Address(a)], false, CancellationToken.None);
        await WaitForStatusAsync(a, "b", MemberStatus.Alive);

        a.FireUserEvent("deploy", Encoding.UTF8.GetBytes("v42"), coalesce: false);

        var received = await NextEventAsync<SerfUserEvent>(b, e => e.Name == "deploy");
        Assert.Equal("v42", Encoding.UTF8.GetString(received.Payload!));
        var local = await NextEventAsync<SerfUserEvent>(a, e => e.Name == "deploy");
        Assert.Equal(received.LTime, local.LTime);
    }

    [Fact]
    public async Task A_user_event_over_the_size_limit_is_refused_with_serfs_message()
    {
        await using var a = await StartAsync("a");

        var error = Assert.Throws<GossipException>(() => a.FireUserEvent("big", new byte[600], coalesce: false));

        Assert.Contains("exceeds configured limit of 512 bytes", error.Message);
    }

    [Fact]
    public async Task A_killed_pool_is_detected_failed()
    {
        await using var a = await StartAsync("a");
        var b = await StartAsync("b");
        await b.JoinAsync([Address(a)], false, CancellationToken.None);
        await WaitForStatusAsync(a, "b", MemberStatus.Alive);

        await b.DisposeAsync();

        await WaitForStatusAsync(a, "b", MemberStatus.Failed);
        await NextEventAsync<SerfMemberEvent>(a, e => e.Type == SerfEventType.MemberFailed && e.Members.Any(m => m.Name == "b"));
    }

    [Fact]
    public async Task Member_events_are_logged_with_serfs_lines()
    {
        var log = new ListLogger();
        await using var a = await StartAsync("a", logger: log);
        await using var b = await StartAsync("b");
        var c = await StartAsync("c");
        await b.JoinAsync([Address(a)], false, CancellationToken.None);
        await c.JoinAsync([Address(a)], false, CancellationToken.None);
        await WaitForStatusAsync(a, "c", MemberStatus.Alive);
        await WaitForStatusAsync(b, "c", MemberStatus.Alive);
        // While b is there to confirm the suspicion, the failure takes the shortest timeout.
        await c.DisposeAsync();
        await WaitForStatusAsync(a, "c", MemberStatus.Failed);
        b.SetTags(new Dictionary<string, string> { ["role"] = "changed" });
        await WaitUntilAsync(() => a.Members().Any(m => m.Name == "b" && m.Tags.GetValueOrDefault("role") == "changed"), "a to see b's new tags");
        await b.LeaveAsync(CancellationToken.None);
        await WaitForStatusAsync(a, "b", MemberStatus.Left);

        var info = log.Lines(LogLevel.Information).Where(l => l.StartsWith("serf: ", StringComparison.Ordinal)).ToList();
        Assert.Equal(
            ["serf: EventMemberJoin: a 127.0.0.1", "serf: EventMemberJoin: b 127.0.0.1", "serf: EventMemberJoin: c 127.0.0.1",
             "serf: EventMemberFailed: c 127.0.0.1", "serf: EventMemberUpdate: b", "serf: EventMemberLeave: b 127.0.0.1"],
            info);
    }

    [Fact]
    public async Task A_graceful_leave_is_seen_as_left_not_failed()
    {
        await using var a = await StartAsync("a");
        await using var b = await StartAsync("b");
        await b.JoinAsync([Address(a)], false, CancellationToken.None);
        await WaitForStatusAsync(a, "b", MemberStatus.Alive);

        await b.LeaveAsync(CancellationToken.None);

        await WaitForStatusAsync(a, "b", MemberStatus.Left);
        Assert.True(b.IsStopped);
        Assert.Throws<GossipException>(() => b.FireUserEvent("late", [], false));
    }

    [Fact]
    public async Task Tags_set_on_one_pool_reach_the_other()
    {
        await using var a = await StartAsync("a");
        await using var b = await StartAsync("b");
        await b.JoinAsync([Address(a)], false, CancellationToken.None);
        await WaitForStatusAsync(a, "b", MemberStatus.Alive);

        b.SetTags(new Dictionary<string, string> { ["role"] = "web", ["dc"] = "dc1" });

        await WaitUntilAsync(() => a.Members().Single(m => m.Name == "b").Tags.GetValueOrDefault("role") == "web", "the new tags of b at a");
        Assert.Throws<GossipException>(() => b.SetTags(new Dictionary<string, string> { ["big"] = new string('x', 600) }));
    }

    [Fact]
    public async Task Encrypted_pools_with_the_same_key_join_and_exchange_events()
    {
        var key = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();
        await using var a = await StartAsync("a", new Keyring(key));
        await using var b = await StartAsync("b", new Keyring(key));

        await b.JoinAsync([Address(a)], false, CancellationToken.None);

        await WaitForStatusAsync(a, "b", MemberStatus.Alive);
        await WaitForStatusAsync(b, "a", MemberStatus.Alive);
        b.FireUserEvent("secret", [1, 2, 3], false);
        await NextEventAsync<SerfUserEvent>(a, e => e.Name == "secret");
    }

    [Fact]
    public async Task Pools_with_different_keys_or_one_without_a_key_do_not_join()
    {
        await using var a = await StartAsync("a", new Keyring(Enumerable.Repeat((byte)1, 16).ToArray()));
        await using var b = await StartAsync("b", new Keyring(Enumerable.Repeat((byte)2, 16).ToArray()));
        await using var plain = await StartAsync("plain");

        var wrongKey = await Assert.ThrowsAsync<GossipException>(() => b.JoinAsync([Address(a)], false, CancellationToken.None));
        await Assert.ThrowsAsync<GossipException>(() => plain.JoinAsync([Address(a)], false, CancellationToken.None));

        Assert.Contains(Address(a), wrongKey.Message);
        await Task.Delay(1500);
        Assert.Equal(["a"], a.Members().Select(m => m.Name));
        Assert.Equal(["b"], b.Members().Select(m => m.Name));
    }

    [Fact]
    public async Task A_join_with_no_one_answering_names_every_address_that_failed()
    {
        await using var a = await StartAsync("a");
        using var closed = new TcpListener(IPAddress.Loopback, 0);
        closed.Start();
        var port = ((IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();

        var error = await Assert.ThrowsAsync<GossipException>(() => a.JoinAsync([$"127.0.0.1:{port}", "not an address:x"], false, CancellationToken.None));

        Assert.Contains($"127.0.0.1:{port}", error.Message);
        Assert.Contains("not an address:x", error.Message);
    }

    [Fact]
    public async Task A_flood_of_garbage_on_udp_and_tcp_is_dropped_and_counted_and_the_pool_stays_healthy()
    {
        await using var a = await StartAsync("a", new Keyring(Enumerable.Repeat((byte)7, 16).ToArray()));
        await using var b = await StartAsync("b", new Keyring(Enumerable.Repeat((byte)7, 16).ToArray()));
        await b.JoinAsync([Address(a)], false, CancellationToken.None);
        await WaitForStatusAsync(a, "b", MemberStatus.Alive);
        var random = new Random(5);
        var wrongKey = new Keyring(Enumerable.Repeat((byte)8, 16).ToArray());

        using (var udp = new UdpClient(AddressFamily.InterNetwork))
        {
            for (var i = 0; i < 3000; i++)
            {
                var packet = GarbagePacket(random, i, wrongKey);
                await udp.SendAsync(packet, a.AdvertiseEndpoint);
                if (i % 200 == 0) await Task.Delay(5);
            }
        }
        var streams = new List<Task>();
        for (var i = 0; i < 200; i++)
        {
            var bytes = new byte[random.Next(1, 3000)];
            random.NextBytes(bytes);
            if (i % 3 == 0) bytes[0] = (byte)i; // plausible and implausible type bytes
            streams.Add(SendStreamAsync(a.AdvertiseEndpoint, bytes, closeEarly: i % 2 == 0));
        }
        await Task.WhenAll(streams);

        await WaitUntilAsync(() => a.Statistics.UdpPacketsDropped >= 2500, $"the garbage packets to be counted (dropped {a.Statistics.UdpPacketsDropped})");
        // Each stream is dropped, or refused at accept while TcpConnectionsMax (128) others are served.
        await WaitUntilAsync(() => a.Statistics.TcpStreamsDropped + a.Statistics.TcpConnectionsRefused >= 180,
            $"the garbage streams to be counted (dropped {a.Statistics.TcpStreamsDropped}, refused {a.Statistics.TcpConnectionsRefused})");
        b.FireUserEvent("after-the-flood", [], false);
        await NextEventAsync<SerfUserEvent>(a, e => e.Name == "after-the-flood");
        Assert.Equal(MemberStatus.Alive, StatusOf(a, "b"));
        Assert.Equal(MemberStatus.Alive, StatusOf(b, "a"));
        await using var c = await StartAsync("c", new Keyring(Enumerable.Repeat((byte)7, 16).ToArray()));
        await c.JoinAsync([Address(a)], false, CancellationToken.None);
        await WaitForStatusAsync(a, "c", MemberStatus.Alive);
    }

    private static byte[] GarbagePacket(Random random, int i, Keyring wrongKey)
    {
        var plain = new byte[random.Next(1, 1400)];
        random.NextBytes(plain);
        switch (i % 4)
        {
            case 0:
                return plain;
            case 1:
                // A plausible memberlist type byte in front of random bytes.
                plain[0] = (byte)(i % 14);
                return plain;
            case 2:
                // Well formed but encrypted with another key.
                var output = new System.Buffers.ArrayBufferWriter<byte>();
                MemberlistCodec.EncodePacket(output, [new Praetor.Gossip.Memberlist.Ping((uint)i, "a")], new PacketOptions(Keyring: wrongKey));
                return output.WrittenSpan.ToArray();
            default:
                // Truncated: a compound header promising more than follows.
                return [(byte)Praetor.Gossip.Memberlist.MessageType.Compound, 3, 0, 50, 0, 50, 0, 50, 4];
        }
    }

    private static async Task SendStreamAsync(IPEndPoint to, byte[] bytes, bool closeEarly)
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(to);
            var stream = client.GetStream();
            await stream.WriteAsync(bytes);
            if (closeEarly) return;
            client.Client.Shutdown(SocketShutdown.Send);
            var buffer = new byte[4096];
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(3));
            while (await stream.ReadAsync(buffer, cts.Token) > 0)
            {
            }
        }
        catch (Exception e) when (e is SocketException or IOException or OperationCanceledException)
        {
            // The pool may close on us; that is the point.
        }
    }
}
