using Praetor.Gossip.Memberlist;

namespace Praetor.Gossip.Tests.Core;

/// <summary>The pieces the core is built from, pinned to memberlist's arithmetic.</summary>
public class LifeguardPartsTests
{
    [Fact]
    public void Retransmit_limit_is_mult_times_ceil_log10_of_members_plus_one()
    {
        Assert.Equal(4, TransmitLimitedQueue.RetransmitLimit(4, 1));
        Assert.Equal(4, TransmitLimitedQueue.RetransmitLimit(4, 9));
        Assert.Equal(8, TransmitLimitedQueue.RetransmitLimit(4, 10));
        Assert.Equal(12, TransmitLimitedQueue.RetransmitLimit(4, 100));
        Assert.Equal(16, TransmitLimitedQueue.RetransmitLimit(4, 1000));
    }

    [Fact]
    public void A_broadcast_is_sent_exactly_its_retransmit_limit_then_finished()
    {
        var q = new TransmitLimitedQueue(retransmitMult: 4);
        var finished = 0;
        q.Enqueue("x", new Suspect(1, "x", "a"), 30, () => finished++);
        for (var i = 0; i < 4; i++) Assert.Single(q.GetBroadcasts(2, 1400, numMembers: 9));
        Assert.Empty(q.GetBroadcasts(2, 1400, numMembers: 9));
        Assert.Equal(1, finished);
        Assert.Equal(0, q.Count);
    }

    [Fact]
    public void A_newer_broadcast_about_the_same_member_replaces_the_older()
    {
        var q = new TransmitLimitedQueue(4);
        var oldFinished = false;
        q.Enqueue("x", new Suspect(1, "x", "a"), 30, () => oldFinished = true);
        q.Enqueue("x", new Alive(2, "x", [10, 0, 0, 1], 7946, [], ProtocolVersions.Serf09), 60);
        Assert.True(oldFinished);
        var sent = q.GetBroadcasts(2, 1400, 3);
        Assert.IsType<Alive>(Assert.Single(sent));
    }

    [Fact]
    public void Least_transmitted_go_first_then_largest_then_newest()
    {
        var q = new TransmitLimitedQueue(4);
        q.Enqueue("old", new Suspect(1, "old", "a"), 30);
        Assert.Single(q.GetBroadcasts(2, 1400, 9)); // "old" now has 1 transmit
        q.Enqueue("small", new Suspect(1, "small", "a"), 30);
        q.Enqueue("newer-small", new Suspect(1, "newer-small", "a"), 30);
        q.Enqueue("big", new Suspect(1, "big", "a"), 50);
        // room for exactly one message per call: limit 60 − overhead 2 leaves 58
        Assert.Equal("big", ((Suspect)Assert.Single(q.GetBroadcasts(2, 60, 9))).Node);
        Assert.Equal("newer-small", ((Suspect)Assert.Single(q.GetBroadcasts(2, 60, 9))).Node);
        Assert.Equal("small", ((Suspect)Assert.Single(q.GetBroadcasts(2, 60, 9))).Node);
        Assert.Equal(1, q.TransmitsOf("old"));
    }

    [Fact]
    public void GetBroadcasts_fills_the_budget_and_skips_what_does_not_fit()
    {
        var q = new TransmitLimitedQueue(4);
        q.Enqueue("a", new Suspect(1, "a", "z"), 500);
        q.Enqueue("b", new Suspect(1, "b", "z"), 500);
        q.Enqueue("c", new Suspect(1, "c", "z"), 100);
        var sent = q.GetBroadcasts(2, 1000, 9);
        // 502 + 102 fit in 1000; the second 500-byte one does not.
        Assert.Equal(2, sent.Count);
        Assert.Equal(0, q.TransmitsOf("a"));
        Assert.Equal(1, q.TransmitsOf("b")); // the newer of the two equal-sized ones
        Assert.Equal(1, q.TransmitsOf("c"));
    }

    [Fact]
    public void Awareness_score_is_clamped_and_scales_timeouts()
    {
        var a = new LocalHealthAwareness(8);
        Assert.Equal(TimeSpan.FromSeconds(1), a.ScaleTimeout(TimeSpan.FromSeconds(1)));
        a.ApplyDelta(-3);
        Assert.Equal(0, a.Score);
        a.ApplyDelta(3);
        Assert.Equal(TimeSpan.FromSeconds(4), a.ScaleTimeout(TimeSpan.FromSeconds(1)));
        a.ApplyDelta(100);
        Assert.Equal(7, a.Score);
        Assert.Equal(TimeSpan.FromSeconds(8), a.ScaleTimeout(TimeSpan.FromSeconds(1)));
        var off = new LocalHealthAwareness(1);
        off.ApplyDelta(5);
        Assert.Equal(0, off.Score);
    }

    /// <summary>Lifeguard paper, dynamic suspicion: timeout = max − (max − min)·log(C+1)/log(K+1).</summary>
    [Fact]
    public void Suspicion_timeout_shrinks_log_scaled_with_each_independent_confirmation()
    {
        var start = TimeSpan.FromSeconds(100);
        var t = new SuspicionTimer("a", k: 3, min: TimeSpan.FromSeconds(2), max: TimeSpan.FromSeconds(30), start, start);
        Assert.Equal(start + TimeSpan.FromSeconds(30), t.Deadline);
        Assert.True(t.Confirm("b"));
        Assert.Equal(start + TimeSpan.FromSeconds(16), t.Deadline);
        Assert.False(t.Confirm("b"));
        Assert.False(t.Confirm("a"));
        Assert.True(t.Confirm("c"));
        Assert.Equal(start + TimeSpan.FromMilliseconds(7810), t.Deadline);
        Assert.True(t.Confirm("d"));
        Assert.Equal(start + TimeSpan.FromSeconds(2), t.Deadline);
        Assert.False(t.Confirm("e"));
        Assert.Equal(3, t.Confirmations);
    }

    [Fact]
    public void Without_wanted_confirmations_the_suspicion_timeout_is_the_minimum()
    {
        var t = new SuspicionTimer("a", k: 0, min: TimeSpan.FromSeconds(4), max: TimeSpan.FromSeconds(24), TimeSpan.Zero, TimeSpan.Zero);
        Assert.Equal(TimeSpan.FromSeconds(4), t.Deadline);
        Assert.False(t.Confirm("b"));
    }

    [Fact]
    public void Minimum_suspicion_timeout_is_mult_times_log10_members_times_interval()
    {
        Assert.Equal(TimeSpan.FromSeconds(4), SuspicionTimer.MinTimeout(4, 3, TimeSpan.FromSeconds(1)));
        Assert.Equal(TimeSpan.FromSeconds(8), SuspicionTimer.MinTimeout(4, 100, TimeSpan.FromSeconds(1)));
        Assert.Equal(TimeSpan.FromMilliseconds(5204), SuspicionTimer.MinTimeout(4, 20, TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public void Push_pull_interval_scales_with_log2_beyond_32_members()
    {
        var i = TimeSpan.FromSeconds(30);
        Assert.Equal(i, MemberlistCore.PushPullScale(i, 32));
        Assert.Equal(i * 2, MemberlistCore.PushPullScale(i, 33));
        Assert.Equal(i * 2, MemberlistCore.PushPullScale(i, 64));
        Assert.Equal(i * 3, MemberlistCore.PushPullScale(i, 65));
        Assert.Equal(i * 6, MemberlistCore.PushPullScale(i, 1000));
    }
}
