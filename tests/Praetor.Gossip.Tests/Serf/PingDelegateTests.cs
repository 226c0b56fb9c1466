using Praetor.Gossip.Serf;

namespace Praetor.Gossip.Tests.Serf;

/// <summary>Serf's ping delegate: ack payloads in, our coordinate and the cache out; bad payloads counted, never thrown.</summary>
public class PingDelegateTests
{
    private static byte[] PayloadAt(double x)
    {
        var vec = new double[8];
        vec[0] = x;
        return PingPayload.Encode(new Coordinate(vec, 1.5, 0, 10e-6));
    }

    [Fact]
    public void Starts_at_the_origin_with_the_origin_in_the_ack_and_the_cache()
    {
        var ping = new PingDelegate("a", VivaldiConfig.Default, new Random(1));
        Assert.Equal(PingPayload.Encode(Coordinate.Origin(VivaldiConfig.Default)), ping.AckPayload);
        Assert.Same(ping.Coordinate, ping.Cached("a"));
        Assert.Null(ping.Cached("b"));
    }

    [Fact]
    public void A_good_ack_moves_our_coordinate_caches_the_peer_and_re_encodes_the_payload()
    {
        var ping = new PingDelegate("a", VivaldiConfig.Default, new Random(1));
        var before = ping.AckPayload;
        Assert.True(ping.OnPingComplete("b", TimeSpan.FromMilliseconds(20), PayloadAt(0.01)));
        Assert.Equal(0.01, ping.Cached("b")!.Vec[0]);
        Assert.Same(ping.Coordinate, ping.Cached("a"));
        Assert.NotEqual(0, ping.Coordinate.Vec[0]);
        Assert.NotEqual(before, ping.AckPayload);
        Assert.True(PingPayload.TryDecode(ping.AckPayload, out var sent, out _));
        Assert.Equal(ping.Coordinate.Vec, sent!.Vec);
        Assert.Equal(1, ping.Updates);
        ping.Forget("b");
        Assert.Null(ping.Cached("b"));
        ping.Forget("a");
        Assert.NotNull(ping.Cached("a"));
    }

    [Fact]
    public void Empty_undecodable_and_refused_payloads_change_nothing_and_are_counted()
    {
        var ping = new PingDelegate("a", VivaldiConfig.Default, new Random(1));
        var payload = ping.AckPayload;
        Assert.False(ping.OnPingComplete("b", TimeSpan.FromMilliseconds(1), []));
        Assert.False(ping.OnPingComplete("b", TimeSpan.FromMilliseconds(1), [2, 0x80]));
        Assert.False(ping.OnPingComplete("b", TimeSpan.FromMilliseconds(1), [1, 0x81, 0xa3, (byte)'V', (byte)'e', (byte)'c', 0xc3]));
        Assert.False(ping.OnPingComplete("b", TimeSpan.FromMilliseconds(1), PingPayload.Encode(new Coordinate([1, 2], 1, 0, 1e-5))));
        Assert.False(ping.OnPingComplete("b", TimeSpan.FromMilliseconds(1), PayloadAt(double.NaN)));
        Assert.False(ping.OnPingComplete("b", TimeSpan.FromSeconds(30), PayloadAt(0.01)));
        Assert.Equal((2L, 3L, 0L), (ping.Malformed, ping.Rejected, ping.Updates));
        Assert.Equal(payload, ping.AckPayload);
        Assert.Null(ping.Cached("b"));
    }

    [Fact]
    public void Random_payloads_never_throw()
    {
        var ping = new PingDelegate("a", VivaldiConfig.Default, new Random(1));
        var random = new Random(42);
        var good = PayloadAt(0.01);
        for (var i = 0; i < 20_000; i++)
        {
            byte[] bytes;
            if (i % 2 == 0)
            {
                bytes = (byte[])good.Clone();
                for (var flips = random.Next(1, 4); flips > 0; flips--) bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
                if (i % 4 == 0) bytes = bytes[..random.Next(bytes.Length)];
            }
            else
            {
                bytes = new byte[random.Next(0, 40)];
                random.NextBytes(bytes);
            }
            ping.OnPingComplete("b", TimeSpan.FromMilliseconds(random.Next(0, 20_000)), bytes);
            Assert.True(ping.Coordinate.IsValid());
        }
    }
}
