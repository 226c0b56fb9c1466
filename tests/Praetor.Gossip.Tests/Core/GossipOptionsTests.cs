using Praetor.Gossip.Memberlist;

namespace Praetor.Gossip.Tests.Core;

public class GossipOptionsTests
{
    [Fact]
    public void Lan_preset_carries_memberlists_DefaultLANConfig()
    {
        var o = GossipOptions.Lan();
        Assert.Equal(TimeSpan.FromSeconds(10), o.TcpTimeout);
        Assert.Equal(3, o.IndirectChecks);
        Assert.Equal(4, o.RetransmitMult);
        Assert.Equal(4, o.SuspicionMult);
        Assert.Equal(6, o.SuspicionMaxTimeoutMult);
        Assert.Equal(TimeSpan.FromSeconds(30), o.PushPullInterval);
        Assert.Equal(TimeSpan.FromMilliseconds(500), o.ProbeTimeout);
        Assert.Equal(TimeSpan.FromSeconds(1), o.ProbeInterval);
        Assert.Equal(8, o.AwarenessMaxMultiplier);
        Assert.Equal(3, o.GossipNodes);
        Assert.Equal(TimeSpan.FromMilliseconds(200), o.GossipInterval);
        Assert.Equal(TimeSpan.FromSeconds(30), o.GossipToTheDeadTime);
        Assert.Equal(TimeSpan.Zero, o.DeadNodeReclaimTime);
        Assert.Equal(1400, o.UdpBufferSizeBytes);
        Assert.False(o.DisableTcpPings);
        Assert.Empty(o.Validate());
    }

    [Fact]
    public void Wan_preset_stretches_timeouts_as_DefaultWANConfig()
    {
        var o = GossipOptions.Wan();
        Assert.Equal(TimeSpan.FromSeconds(30), o.TcpTimeout);
        Assert.Equal(6, o.SuspicionMult);
        Assert.Equal(TimeSpan.FromSeconds(60), o.PushPullInterval);
        Assert.Equal(TimeSpan.FromSeconds(3), o.ProbeTimeout);
        Assert.Equal(TimeSpan.FromSeconds(5), o.ProbeInterval);
        Assert.Equal(4, o.GossipNodes);
        Assert.Equal(TimeSpan.FromMilliseconds(500), o.GossipInterval);
        Assert.Equal(TimeSpan.FromSeconds(60), o.GossipToTheDeadTime);
        Assert.Equal(3, o.IndirectChecks);
        Assert.Empty(o.Validate());
    }

    [Fact]
    public void Local_preset_tightens_timeouts_as_DefaultLocalConfig()
    {
        var o = GossipOptions.Local();
        Assert.Equal(TimeSpan.FromSeconds(1), o.TcpTimeout);
        Assert.Equal(1, o.IndirectChecks);
        Assert.Equal(2, o.RetransmitMult);
        Assert.Equal(3, o.SuspicionMult);
        Assert.Equal(TimeSpan.FromSeconds(15), o.PushPullInterval);
        Assert.Equal(TimeSpan.FromMilliseconds(200), o.ProbeTimeout);
        Assert.Equal(TimeSpan.FromSeconds(1), o.ProbeInterval);
        Assert.Equal(TimeSpan.FromMilliseconds(100), o.GossipInterval);
        Assert.Equal(TimeSpan.FromSeconds(15), o.GossipToTheDeadTime);
        Assert.Empty(o.Validate());
    }

    [Fact]
    public void Validate_lists_every_problem_not_only_the_first()
    {
        var o = GossipOptions.Lan() with
        {
            TcpTimeout = TimeSpan.Zero,
            IndirectChecks = -1,
            RetransmitMult = 0,
            SuspicionMult = 0,
            ProbeTimeout = TimeSpan.FromSeconds(2),
            AwarenessMaxMultiplier = 0,
            UdpBufferSizeBytes = 100,
        };
        var problems = o.Validate();
        Assert.Equal(7, problems.Count);
        Assert.Contains(problems, p => p.Contains("ProbeTimeout", StringComparison.Ordinal) && p.Contains("shorter than ProbeInterval", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("UdpBufferSizeBytes", StringComparison.Ordinal));
    }

    [Fact]
    public void The_core_refuses_invalid_options_naming_the_problems()
    {
        var bad = GossipOptions.Lan() with { RetransmitMult = 0 };
        var e = Assert.Throws<ArgumentException>(() => new MemberlistCore(bad, new LocalMember("a", HandWiredCluster.AddressOf(1), [], ProtocolVersions.Serf09), new Random(1), TimeSpan.Zero));
        Assert.Contains("RetransmitMult", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WithoutLifeguard_turns_off_awareness_dynamic_suspicion_and_buddy_system()
    {
        var o = GossipOptions.Lan().WithoutLifeguard();
        Assert.Equal(1, o.AwarenessMaxMultiplier);
        Assert.Equal(1, o.SuspicionMaxTimeoutMult);
        Assert.False(o.BuddySystem);
        Assert.Empty(o.Validate());
    }
}
