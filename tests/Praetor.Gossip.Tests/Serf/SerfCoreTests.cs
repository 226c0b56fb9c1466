using Praetor.Gossip.Memberlist;
using Praetor.Gossip.Serf;
using Praetor.Gossip.Serf.Wire;

namespace Praetor.Gossip.Tests.Serf;

public class SerfCoreTests
{
    private static readonly TimeSpan T0 = TimeSpan.FromSeconds(100);

    private static SerfCore NewCore(string name = "local", SerfOptions? options = null, RestoredClocks? restored = null) =>
        new(name, options ?? new SerfOptions(), new Random(1), T0, restored);

    private static SerfNode Node(string name, string role = "web") =>
        new(name, [10, 0, 0, 1], 7946, SerfTags.Encode(new Dictionary<string, string> { ["role"] = role }, 4), ProtocolVersions.Serf09);

    private static List<SerfMemberEvent> MemberEvents(SerfCore core) => core.TakeOutput().Events.OfType<SerfMemberEvent>().ToList();

    [Fact]
    public void A_memberlist_join_is_a_member_join_with_decoded_tags()
    {
        var core = NewCore();
        core.OnNodeJoin(Node("a"), T0);
        var e = Assert.Single(MemberEvents(core));
        Assert.Equal(SerfEventType.MemberJoin, e.EventType);
        var member = Assert.Single(e.Members);
        Assert.Equal(MemberStatus.Alive, member.Status);
        Assert.Equal("web", member.Tags["role"]);
    }

    [Fact]
    public void A_member_gone_after_its_leave_intent_left_and_one_gone_without_it_failed()
    {
        var core = NewCore();
        core.OnNodeJoin(Node("a"), T0);
        core.OnNodeJoin(Node("b"), T0);
        core.TakeOutput();
        core.OnMessage(SerfCodec.Encode(new LeaveIntent(10, "a")), T0);
        Assert.Single(core.TakeOutput().IntentBroadcasts); // news: re-broadcast
        Assert.Equal(MemberStatus.Leaving, core.Members.Single(m => m.Name == "a").Status);
        core.OnNodeLeave(Node("a"), T0);
        core.OnNodeLeave(Node("b"), T0);
        var events = MemberEvents(core);
        Assert.Equal([SerfEventType.MemberLeave, SerfEventType.MemberFailed], events.Select(e => e.EventType));
        Assert.Equal(MemberStatus.Left, core.Members.Single(m => m.Name == "a").Status);
        Assert.Equal(MemberStatus.Failed, core.Members.Single(m => m.Name == "b").Status);
    }

    [Fact]
    public void Intents_are_ordered_by_Lamport_time_and_old_ones_are_not_re_broadcast()
    {
        var core = NewCore();
        core.OnNodeJoin(Node("a"), T0);
        core.OnMessage(SerfCodec.Encode(new JoinIntent(5, "a")), T0);
        core.OnMessage(SerfCodec.Encode(new LeaveIntent(5, "a")), T0); // not newer than the join
        Assert.Single(core.TakeOutput().IntentBroadcasts);
        Assert.Equal(MemberStatus.Alive, core.Members[0].Status);

        core.OnMessage(SerfCodec.Encode(new LeaveIntent(6, "a")), T0);
        Assert.Equal(MemberStatus.Leaving, core.Members[0].Status);
        core.OnMessage(SerfCodec.Encode(new JoinIntent(7, "a")), T0); // a later join undoes the leave
        Assert.Equal(MemberStatus.Alive, core.Members[0].Status);
        Assert.Equal(7ul, core.StatusLTime("a"));
        Assert.True(core.Clock.Time > 7);
    }

    [Fact]
    public void An_intent_for_an_unknown_member_waits_for_memberlist_to_report_it()
    {
        var core = NewCore();
        core.OnMessage(SerfCodec.Encode(new LeaveIntent(9, "a")), T0);
        core.OnMessage(SerfCodec.Encode(new LeaveIntent(9, "a")), T0); // the same again: not news
        Assert.Single(core.TakeOutput().IntentBroadcasts);
        core.OnNodeJoin(Node("a"), T0);
        Assert.Equal(MemberStatus.Leaving, core.Members[0].Status);
        Assert.Equal(9ul, core.StatusLTime("a"));
    }

    [Fact]
    public void Buffered_intents_expire_after_the_recent_intent_timeout()
    {
        var core = NewCore();
        core.OnMessage(SerfCodec.Encode(new LeaveIntent(9, "a")), T0);
        core.Tick(T0 + TimeSpan.FromMinutes(6));
        core.OnNodeJoin(Node("a"), T0 + TimeSpan.FromMinutes(6));
        Assert.Equal(MemberStatus.Alive, core.Members[0].Status);
    }

    [Fact]
    public void A_leave_intent_about_the_alive_local_node_is_refuted_with_a_join()
    {
        var core = NewCore("local");
        core.OnNodeJoin(Node("local"), T0);
        core.TakeOutput();
        core.OnMessage(SerfCodec.Encode(new LeaveIntent(50, "local")), T0);
        var broadcast = Assert.Single(core.TakeOutput().IntentBroadcasts);
        Assert.True(SerfCodec.TryDecode<JoinIntent>(broadcast, out var join, out _));
        Assert.Equal("local", join.Node);
        Assert.True(join.LTime > 50);
        Assert.Equal(MemberStatus.Alive, core.Members[0].Status);
    }

    [Fact]
    public void Force_leave_of_a_failed_member_makes_it_left_and_prune_reaps_it()
    {
        var core = NewCore();
        core.OnNodeJoin(Node("a"), T0);
        core.OnNodeJoin(Node("b"), T0);
        core.OnNodeLeave(Node("a"), T0);
        core.TakeOutput();
        core.ForceLeave("a", prune: false, T0);
        var output = core.TakeOutput();
        Assert.Single(output.IntentBroadcasts); // b is alive to hear it
        Assert.Equal(SerfEventType.MemberLeave, Assert.IsType<SerfMemberEvent>(Assert.Single(output.Events)).EventType);

        core.OnNodeLeave(Node("b"), T0);
        core.ForceLeave("b", prune: true, T0);
        Assert.Contains(MemberEvents(core), e => e.EventType == SerfEventType.MemberReap && e.Members[0].Name == "b");
        Assert.DoesNotContain(core.Members, m => m.Name == "b");
    }

    [Fact]
    public void Failed_members_are_reaped_after_the_reconnect_timeout_and_left_ones_after_the_tombstone_timeout()
    {
        var options = new SerfOptions { ReconnectTimeout = TimeSpan.FromMinutes(10), TombstoneTimeout = TimeSpan.FromMinutes(30) };
        var core = NewCore(options: options);
        core.OnNodeJoin(Node("failed"), T0);
        core.OnNodeJoin(Node("left"), T0);
        core.OnMessage(SerfCodec.Encode(new LeaveIntent(10, "left")), T0);
        core.OnNodeLeave(Node("failed"), T0);
        core.OnNodeLeave(Node("left"), T0);
        core.TakeOutput();

        core.Tick(T0 + TimeSpan.FromMinutes(10)); // not past the timeout yet
        Assert.Empty(MemberEvents(core));
        core.Tick(T0 + TimeSpan.FromMinutes(11));
        var reaped = Assert.Single(MemberEvents(core));
        Assert.Equal((SerfEventType.MemberReap, "failed"), (reaped.EventType, reaped.Members[0].Name));
        core.Tick(T0 + TimeSpan.FromMinutes(31));
        Assert.Equal("left", Assert.Single(MemberEvents(core)).Members[0].Name);
        Assert.Empty(core.Members);
    }

    [Fact]
    public void A_failed_member_that_comes_back_is_not_reaped()
    {
        var core = NewCore(options: new SerfOptions { ReconnectTimeout = TimeSpan.FromMinutes(1) });
        core.OnNodeJoin(Node("a"), T0);
        core.OnNodeLeave(Node("a"), T0);
        core.OnNodeJoin(Node("a"), T0 + TimeSpan.FromSeconds(30));
        core.TakeOutput();
        core.Tick(T0 + TimeSpan.FromHours(1));
        Assert.Empty(MemberEvents(core));
        Assert.Equal(MemberStatus.Alive, core.Members[0].Status);
    }

    [Fact]
    public void A_fired_user_event_is_delivered_locally_broadcast_once_and_its_echo_is_a_duplicate()
    {
        var core = NewCore();
        Assert.True(core.TryFireUserEvent("deploy", [1], coalesce: false, T0, out _));
        var output = core.TakeOutput();
        var delivered = Assert.IsType<SerfUserEvent>(Assert.Single(output.Events));
        Assert.Equal(1ul, delivered.LTime); // the clock starts at 1; the event takes that time
        Assert.Equal(2ul, core.EventClock.Time);
        var broadcast = Assert.Single(output.EventBroadcasts);
        core.OnMessage(broadcast, T0);
        Assert.True(core.TakeOutput().IsEmpty);
    }

    [Fact]
    public void User_events_over_the_size_limit_are_refused_with_the_reason()
    {
        var core = NewCore();
        Assert.False(core.TryFireUserEvent("e", new byte[512], false, T0, out var error));
        Assert.Equal("user event exceeds configured limit of 512 bytes before encoding", error);
        Assert.False(core.TryFireUserEvent("e", new byte[500], false, T0, out error));
        Assert.Equal("encoded user event exceeds configured limit of 512 bytes after encoding", error);
        Assert.Equal(1ul, core.EventClock.Time); // nothing was stamped
    }

    [Fact]
    public void A_user_event_gossiped_by_real_serf_is_delivered_and_re_broadcast()
    {
        var core = NewCore();
        foreach (var (_, bytes) in SerfFixtures.Load("serf-gossip")) core.OnMessage(bytes, T0);
        var output = core.TakeOutput();
        Assert.Equal(3, output.Events.Count);
        Assert.Equal(3, output.EventBroadcasts.Count);
    }

    [Fact]
    public void Push_pull_carries_clocks_statuses_left_members_and_events_to_the_peer()
    {
        var a = NewCore("a");
        a.OnNodeJoin(Node("a"), T0);
        a.OnNodeJoin(Node("x"), T0);
        a.OnMessage(SerfCodec.Encode(new LeaveIntent(40, "x")), T0);
        a.OnNodeLeave(Node("x"), T0);
        a.TryFireUserEvent("deploy", [7], false, T0, out _);
        a.TryFireUserEvent("deploy", [8], false, T0, out _);

        var b = NewCore("b");
        b.OnNodeJoin(Node("x"), T0);
        b.TakeOutput();
        b.MergeRemoteState(a.LocalState(), isJoin: false, ignoreOldEvents: false, T0);
        Assert.True(b.Clock.Time >= 40);
        Assert.Equal(a.EventClock.Time, b.EventClock.Time);
        Assert.Equal(MemberStatus.Leaving, b.Members.Single(m => m.Name == "x").Status);
        var events = b.TakeOutput().Events.OfType<SerfUserEvent>().Select(e => e.Payload![0]).ToList();
        Assert.Equal([7, 8], events);

        // The same state again delivers nothing new.
        b.MergeRemoteState(a.LocalState(), isJoin: false, ignoreOldEvents: false, T0);
        Assert.Empty(b.TakeOutput().Events);
    }

    [Fact]
    public void A_join_that_ignores_old_events_delivers_none_of_the_peer_buffer()
    {
        var a = NewCore("a");
        a.TryFireUserEvent("old", null, false, T0, out _);
        var b = NewCore("b");
        b.MergeRemoteState(a.LocalState(), isJoin: true, ignoreOldEvents: true, T0);
        Assert.Empty(b.TakeOutput().Events);
        Assert.Equal(a.EventClock.Time, b.Events.MinTime);
    }

    [Fact]
    public void Restored_clocks_resume_past_the_snapshot_and_ignore_events_from_before_it()
    {
        var core = NewCore(restored: new RestoredClocks(100, 20, 30));
        Assert.Equal(101ul, core.Clock.Time);
        Assert.Equal(21ul, core.Events.MinTime);
        core.OnMessage(SerfCodec.Encode(new UserEventMessage(20, "replayed", null, false)), T0);
        core.OnMessage(SerfCodec.Encode(new UserEventMessage(21, "new", null, false)), T0);
        Assert.Equal("new", Assert.IsType<SerfUserEvent>(Assert.Single(core.TakeOutput().Events)).Name);
    }

    [Fact]
    public void Member_events_are_coalesced_until_the_quiescent_period_passes()
    {
        var core = NewCore(options: SerfOptions.Agent());
        core.OnNodeJoin(Node("a"), T0);
        core.OnNodeJoin(Node("b"), T0 + TimeSpan.FromMilliseconds(500));
        core.OnNodeLeave(Node("b"), T0 + TimeSpan.FromMilliseconds(600)); // b's latest event wins
        core.Tick(T0 + TimeSpan.FromMilliseconds(1500));
        Assert.Empty(core.TakeOutput().Events);
        core.Tick(T0 + TimeSpan.FromMilliseconds(1600));
        var events = MemberEvents(core);
        Assert.Equal([SerfEventType.MemberJoin, SerfEventType.MemberFailed], events.Select(e => e.EventType));
        Assert.Equal("a", Assert.Single(events[0].Members).Name);
    }

    [Fact]
    public void Coalescing_flushes_at_the_quantum_even_while_events_keep_coming_and_drops_repeats()
    {
        var core = NewCore(options: SerfOptions.Agent());
        core.OnNodeJoin(Node("a"), T0);
        core.OnNodeJoin(Node("b"), T0);
        for (var ms = 500; ms <= 3000; ms += 500) core.OnNodeUpdate(Node("b", "db"), T0 + TimeSpan.FromMilliseconds(ms));
        core.Tick(T0 + TimeSpan.FromSeconds(3));
        Assert.Equal([SerfEventType.MemberJoin, SerfEventType.MemberUpdate], MemberEvents(core).Select(e => e.EventType)); // b's update replaced its join
        core.OnNodeLeave(Node("a"), T0 + TimeSpan.FromSeconds(4));
        core.OnNodeJoin(Node("a"), T0 + TimeSpan.FromSeconds(4.1)); // failed then back: a join again, as last flushed
        core.Tick(T0 + TimeSpan.FromSeconds(6));
        Assert.Empty(MemberEvents(core));
    }

    [Fact]
    public void Coalesced_user_events_keep_only_the_latest_time_per_name()
    {
        var core = NewCore(options: SerfOptions.Agent());
        core.OnMessage(SerfCodec.Encode(new UserEventMessage(5, "deploy", [1], true)), T0);
        core.OnMessage(SerfCodec.Encode(new UserEventMessage(6, "deploy", [2], true)), T0);
        core.OnMessage(SerfCodec.Encode(new UserEventMessage(6, "deploy", [3], true)), T0);
        core.OnMessage(SerfCodec.Encode(new UserEventMessage(4, "deploy", [4], true)), T0);
        core.OnMessage(SerfCodec.Encode(new UserEventMessage(4, "restart", [5], false)), T0); // not coalescable: at once
        Assert.Equal("restart", Assert.IsType<SerfUserEvent>(Assert.Single(core.TakeOutput().Events)).Name);
        core.Tick(T0 + TimeSpan.FromSeconds(1));
        var flushed = core.TakeOutput().Events.Cast<SerfUserEvent>().Select(e => e.Payload![0]).ToList();
        Assert.Equal([2, 3], flushed);
    }

    [Fact]
    public void Queries_are_acked_when_asked_filtered_by_node_and_de_duplicated()
    {
        var core = NewCore("local");
        core.OnNodeJoin(Node("local"), T0);
        core.TakeOutput();
        var query = new QueryMessage(3, 99, [10, 0, 0, 9], 7946, "asker", null, QueryMessage.FlagAck, 0, 5_000_000_000, "ping", null);
        core.OnMessage(SerfCodec.Encode(query), T0);
        var output = core.TakeOutput();
        Assert.Single(output.QueryBroadcasts);
        var ack = Assert.Single(output.DirectSends);
        Assert.Equal("asker", ack.Node);
        Assert.True(SerfCodec.TryDecode<QueryResponseMessage>(ack.Message, out var response, out _));
        Assert.True(response.Ack);
        var delivered = Assert.IsType<SerfQueryEvent>(Assert.Single(output.Events));
        Assert.Equal(T0 + TimeSpan.FromSeconds(5), delivered.Deadline);

        core.OnMessage(SerfCodec.Encode(query), T0);
        Assert.True(core.TakeOutput().IsEmpty);

        var notForUs = query with { Id = 100, Filters = [new NodeQueryFilter(["other"]).Encode()] };
        core.OnMessage(SerfCodec.Encode(notForUs), T0);
        output = core.TakeOutput();
        Assert.Single(output.QueryBroadcasts); // still passed on
        Assert.Empty(output.Events);

        var byTag = query with { Id = 101, Flags = 0, Filters = [new TagQueryFilter("role", "^w").Encode()] };
        core.OnMessage(SerfCodec.Encode(byTag), T0);
        Assert.Single(core.TakeOutput().Events);
    }

    [Theory]
    [InlineData(@"(w)\1")]    // a backreference: RE2 has none, the non-backtracking engine refuses it
    [InlineData(@"(?=w)w")]   // a lookaround, likewise
    [InlineData("[w")]        // does not compile
    public void A_tag_filter_Go_could_not_compile_fails_the_filter_without_throwing(string pattern)
    {
        var core = NewCore("local");
        core.OnNodeJoin(Node("local"), T0);
        core.TakeOutput();
        var query = new QueryMessage(3, 102, [10, 0, 0, 9], 7946, "asker", [new TagQueryFilter("role", pattern).Encode()], 0, 0, 5_000_000_000, "ping", null);
        core.OnMessage(SerfCodec.Encode(query), T0);
        var output = core.TakeOutput();
        Assert.Single(output.QueryBroadcasts); // still passed on
        Assert.Empty(output.Events);
    }

    [Fact]
    public void Undecodable_messages_are_dropped_and_reported()
    {
        var core = NewCore();
        core.OnMessage([0x03, 0x81], T0);
        core.OnMessage([0x2a], T0);
        var output = core.TakeOutput();
        Assert.Equal([SerfDecodeErrorKind.Malformed, SerfDecodeErrorKind.UnknownType], output.DecodeErrors.Select(e => e.Kind));
        Assert.Empty(output.Events);
    }

    [Fact]
    public void Leave_broadcasts_only_when_another_member_is_alive()
    {
        var alone = NewCore("local");
        alone.OnNodeJoin(Node("local"), T0);
        alone.TakeOutput();
        Assert.True(alone.Leave(T0));
        Assert.Empty(alone.TakeOutput().IntentBroadcasts);
        Assert.False(alone.Leave(T0));

        var core = NewCore("local");
        core.OnNodeJoin(Node("local"), T0);
        core.OnNodeJoin(Node("a"), T0);
        Assert.True(core.Leave(T0));
        Assert.Single(core.TakeOutput().IntentBroadcasts);
        Assert.Equal(MemberStatus.Leaving, core.Members.Single(m => m.Name == "local").Status);
        core.CompleteLeave();
        Assert.Equal(SerfState.Left, core.State);
    }

    [Fact]
    public void Reconnect_picks_a_failed_member_with_the_seeded_randomness()
    {
        var core = NewCore();
        core.OnNodeJoin(Node("a"), T0);
        core.OnNodeJoin(Node("b"), T0);
        core.OnNodeLeave(Node("b"), T0);
        core.TakeOutput();
        // One failed, one alive: probability 1, so the pick always happens.
        core.Tick(T0 + TimeSpan.FromSeconds(30));
        Assert.Equal("b", Assert.Single(core.TakeOutput().Reconnects).Name);
    }
}
