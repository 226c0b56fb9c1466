using Praetor.Gossip.Memberlist;

namespace Praetor.Gossip.Tests.Core;

/// <summary>
/// The core's schedule as a host sees it: <see cref="MemberlistCore.NextTickAt"/> is when the next
/// work is due (the pool sleeps until then), and periodic work keeps a fixed rate as Go's tickers do.
/// </summary>
public class TickScheduleTests
{
    private static readonly TimeSpan Ms = TimeSpan.FromMilliseconds(1);

    [Theory]
    [InlineData(900, 1000)]    // not due yet: unchanged
    [InlineData(1000, 1200)]   // on time
    [InlineData(1015, 1200)]   // late: the lateness is not carried into the next period
    [InlineData(1450, 1600)]   // beats missed by a late tick are dropped, the phase holds
    public void A_periodic_beat_keeps_its_phase_when_ticked_late(int nowMs, int expectedMs) =>
        Assert.Equal(expectedMs * Ms, MemberlistCore.NextPeriod(1000 * Ms, 200 * Ms, nowMs * Ms));

    [Fact]
    public void Gossip_and_probe_beats_do_not_drift_when_every_tick_comes_late()
    {
        var c = new HandWiredCluster();
        c.Add("a", 1);
        c.Add("b", 2);
        c.JoinAllTo("a");
        var a = c["a"];
        var gossipBeats = new List<TimeSpan>();
        var probeBeats = new List<TimeSpan>();
        var now = c.Now;
        for (var i = 0; i < 200; i++)
        {
            gossipBeats.Add(a.NextGossipAt);
            probeBeats.Add(a.NextProbeAt);
            // A host whose ticks always come 15 ms after the core's deadline (a loaded machine).
            now = a.NextTickAt(now) + 15 * Ms;
            a.Tick(now);
            c.Pump();
        }
        var gossipPeriods = gossipBeats.Zip(gossipBeats.Skip(1), (x, y) => y - x).Where(d => d > TimeSpan.Zero).Distinct().ToList();
        Assert.Equal([200 * Ms], gossipPeriods);
        var probePeriods = probeBeats.Zip(probeBeats.Skip(1), (x, y) => y - x).Where(d => d > TimeSpan.Zero).Distinct().ToList();
        Assert.Equal([1000 * Ms], probePeriods);
    }

    [Fact]
    public void Sleeping_until_the_next_deadline_misses_no_work_and_detects_a_failure_as_dense_ticking_does()
    {
        var dense = ThreeNodes();
        var sparse = ThreeNodes();
        dense.Down.Add("c");
        sparse.Down.Add("c");
        var earlyWork = new List<string>();
        dense.Advance(TimeSpan.FromSeconds(25), Ms);
        sparse.AdvanceByDeadlines(TimeSpan.FromSeconds(25), (node, output) =>
        {
            if (!output.IsEmpty) earlyWork.Add(node);
        });

        // A tick just before a node's deadline never had work to do: the deadline is a true lower bound.
        Assert.Empty(earlyWork);
        foreach (var cluster in new[] { dense, sparse })
        {
            Assert.Equal(NodeState.Dead, cluster.StateOf("a", "c"));
            Assert.Equal(NodeState.Dead, cluster.StateOf("b", "c"));
            Assert.Equal(NodeState.Alive, cluster.StateOf("a", "b"));
            Assert.Equal(NodeState.Alive, cluster.StateOf("b", "a"));
        }
        // ...and no later than dense (1 ms) ticking declares it.
        Assert.True(DeadAt(sparse, "a", "c") <= DeadAt(dense, "a", "c") + 5 * Ms, $"sparse {DeadAt(sparse, "a", "c")}, dense {DeadAt(dense, "a", "c")}");
    }

    private static HandWiredCluster ThreeNodes()
    {
        var c = new HandWiredCluster(GossipOptions.Lan());
        c.Add("a", 1);
        c.Add("b", 2);
        c.Add("c", 3);
        c.JoinAllTo("a");
        return c;
    }

    private static TimeSpan DeadAt(HandWiredCluster c, string observer, string member) =>
        c.Sent.Where(s => s.From == observer && s.Packet.Messages.Any(m => m is Dead d && d.Node == member)).Select(s => s.At).DefaultIfEmpty(TimeSpan.MaxValue).Min();
}
