using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Sockets;
using Praetor.Gossip.Memberlist;
using Praetor.Gossip.Serf;
using static Praetor.Gossip.Tests.Runtime.PoolTestKit;

namespace Praetor.Gossip.Tests.Runtime;

/// <summary>A pool's instruments (meter Praetor.Gossip, Consul's names) measure its traffic, and only its own.</summary>
public sealed class GossipMetricsTests
{
    [Fact]
    public async Task Traffic_joins_and_a_garbage_packet_move_the_pools_own_instruments_only()
    {
        using var metersA = new ScopedMeters();
        using var metersB = new ScopedMeters();
        await using var a = await StartAsync("a", metersA);
        await using var b = await StartAsync("b", metersB);
        await b.JoinAsync([Address(a)], ignoreOldEvents: false, CancellationToken.None);
        await WaitForStatusAsync(a, "b", MemberStatus.Alive);

        using (var udp = new UdpClient(AddressFamily.InterNetwork))
        {
            await udp.SendAsync(new byte[] { 0xff, 0x01, 0x02, 0x03 }, a.AdvertiseEndpoint);
        }

        await WaitUntilAsync(() => metersA.Total("consul.memberlist.udp.dropped") >= 1, "a's udp.dropped to count the garbage packet");
        Assert.Equal(a.Statistics.UdpPacketsDropped, metersA.Total("consul.memberlist.udp.dropped"));
        Assert.Equal(0, metersB.Total("consul.memberlist.udp.dropped"));
        // Join: b connected to a over TCP for the push/pull; a accepted it.
        Assert.True(metersB.Total("consul.memberlist.tcp.connect") >= 1);
        Assert.True(metersA.Total("consul.memberlist.tcp.accept") >= 1);
        await WaitUntilAsync(() => metersA.Total("consul.serf.member.join") >= 1 && metersB.Total("consul.serf.member.join") >= 1, "member joins on both sides");
        // Probes go both ways: bytes sent and received, one measurement per packet.
        await WaitUntilAsync(() => metersA.Total("consul.memberlist.udp.received") > 0 && metersB.Total("consul.memberlist.udp.sent") > 0, "UDP bytes measured");
        Assert.True(metersA.Count("consul.memberlist.udp.received") <= metersA.Total("consul.memberlist.udp.received"), "udp.received sums bytes, so it is at least the packet count");
        Assert.Equal(0, metersA.Last("consul.memberlist.health.score"));
    }

    [Fact]
    public async Task Dropped_serf_messages_and_user_events_are_counted()
    {
        using var meters = new ScopedMeters();
        await using var a = await StartAsync("a", meters);
        await using var b = await StartAsync("b");
        await b.JoinAsync([Address(a)], ignoreOldEvents: false, CancellationToken.None);
        await WaitForStatusAsync(a, "b", MemberStatus.Alive);

        b.FireUserEvent("deploy", [1, 2, 3], coalesce: false);

        await WaitUntilAsync(() => meters.Total("consul.serf.events") >= 1, "a's serf.events to count the user event");
        Assert.Equal(0, meters.Total("consul.serf.queries"));
    }

    private static Task<SerfPool> StartAsync(string name, IMeterFactory? meters = null) =>
        SerfPool.StartAsync(
            new SerfPoolConfig(name, new IPEndPoint(IPAddress.Loopback, 0)) { GossipOptions = PoolTestKit.Options, MeterFactory = meters },
            TimeProvider.System,
            CancellationToken.None);

    /// <summary>A meter factory with a listener on its own meters only: totals, measurement counts and last values per instrument.</summary>
    private sealed class ScopedMeters : IMeterFactory
    {
        private readonly ConcurrentDictionary<string, Meter> _meters = new();
        private readonly ConcurrentDictionary<string, long> _totals = new();
        private readonly ConcurrentDictionary<string, long> _counts = new();
        private readonly ConcurrentDictionary<string, long> _last = new();
        private readonly MeterListener _listener = new();

        public ScopedMeters()
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (ReferenceEquals(instrument.Meter.Scope, this)) listener.EnableMeasurementEvents(instrument);
            };
            _listener.SetMeasurementEventCallback<long>((instrument, value, _, _) => Add(instrument.Name, value));
            _listener.SetMeasurementEventCallback<int>((instrument, value, _, _) => Add(instrument.Name, value));
            _listener.Start();
        }

        public Meter Create(MeterOptions options) =>
            _meters.GetOrAdd(options.Name, name => new Meter(new MeterOptions(name) { Scope = this }));

        public long Total(string name) => _totals.GetValueOrDefault(name);

        public long Count(string name) => _counts.GetValueOrDefault(name);

        public long Last(string name) => _last.TryGetValue(name, out var value) ? value : -1;

        public void Dispose()
        {
            _listener.Dispose();
            foreach (var meter in _meters.Values) meter.Dispose();
        }

        private void Add(string name, long value)
        {
            _totals.AddOrUpdate(name, value, (_, total) => total + value);
            _counts.AddOrUpdate(name, 1, (_, count) => count + 1);
            _last[name] = value;
        }
    }
}
