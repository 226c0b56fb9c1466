using System.Buffers;
using System.Net;
using System.Net.Sockets;
using Praetor.Agent.Gossip;
using Praetor.Gossip;
using Praetor.Gossip.Memberlist;
using Praetor.Gossip.Memberlist.Wire;
using Praetor.Gossip.Serf;

namespace Praetor.Agent.Tests.Gossip;

/// <summary>The real pool an agent starts by default.</summary>
public sealed class GossipPoolDefaultsTests
{
    [Fact]
    public async Task An_agents_pool_compresses_what_it_sends_as_Consuls_memberlist_does()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var settings = new GossipPoolSettings(GossipArea.Lan, "compressing", new IPEndPoint(IPAddress.Loopback, 0), null,
            new Dictionary<string, string> { ["role"] = "node", ["dc"] = "dc1" }, GossipOptions.Lan(), new SerfOptions(), null, null);
        await using var pool = await GossipPoolDefaults.Factory(settings, TimeProvider.System, cts.Token);

        // A push/pull as a joining memberlist opens it (uncompressed: the reader accepts both).
        using var client = new TcpClient();
        await client.ConnectAsync(pool.AdvertiseEndpoint, cts.Token);
        var stream = client.GetStream();
        var request = new ArrayBufferWriter<byte>();
        StreamCodec.WritePushPull(request, new PushPull(true, [], []), new StreamOptions());
        await stream.WriteAsync(request.WrittenMemory, cts.Token);

        var first = new byte[1];
        Assert.Equal(1, await stream.ReadAsync(first, cts.Token));
        Assert.Equal((byte)MessageType.Compress, first[0]);
    }
}
