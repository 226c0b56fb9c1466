using Praetor.Gossip.Memberlist;

namespace Praetor.Gossip.Tests.Core;

/// <summary>SWIM and Lifeguard scenarios on two or three hand-wired nodes, read as transcripts.</summary>
public class SwimScenarioTests
{
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);

    private static HandWiredCluster ThreeNodes(GossipOptions? options = null)
    {
        var c = new HandWiredCluster(options);
        c.Add("a", 1);
        c.Add("b", 2);
        c.Add("c", 3);
        c.JoinAllTo("a");
        return c;
    }

    [Fact]
    public void Join_through_a_seed_makes_both_sides_see_each_other_alive()
    {
        var c = new HandWiredCluster();
        c.Add("a", 1);
        c.Add("b", 2);
        // b: join 10.0.0.1 → push/pull; each side merges the other's state
        c["b"].Join([HandWiredCluster.AddressOf(1)]);
        c.Pump();
        Assert.Equal(NodeState.Alive, c.StateOf("a", "b"));
        Assert.Equal(NodeState.Alive, c.StateOf("b", "a"));
        Assert.Equal(MemberEventKind.Join, Assert.Single(c.EventsAbout("a", "b")).Kind);
        Assert.Equal(MemberEventKind.Join, Assert.Single(c.EventsAbout("b", "a")).Kind);
        // each node also reported its own join at start, as memberlist does
        Assert.Equal(MemberEventKind.Join, Assert.Single(c.EventsAbout("a", "a")).Kind);
    }

    [Fact]
    public void A_joined_third_node_reaches_everyone_by_gossip()
    {
        var c = ThreeNodes();
        // c joined through a only; b learns of c from a's alive broadcast
        c.Advance(Second);
        Assert.Equal(NodeState.Alive, c.StateOf("b", "c"));
        Assert.Equal(NodeState.Alive, c.StateOf("c", "b"));
    }

    [Fact]
    public void Probe_gets_an_ack_and_nothing_is_suspected()
    {
        var c = ThreeNodes();
        c.Advance(3 * Second);
        var ping = c.Sent.First(s => s.From == "a" && s.Packet.Messages[0] is Ping { Node: "b" });
        var seq = ((Ping)ping.Packet.Messages[0]).SeqNo;
        Assert.Contains(c.Sent, s => s.From == "b" && s.Packet.Messages[0] is AckResp ack && ack.SeqNo == seq);
        Assert.DoesNotContain(c.Sent, s => s.Packet.Messages.Any(m => m is Suspect or IndirectPingReq));
        Assert.Equal(0, c["a"].FailedProbes);
        Assert.Equal(0, c["a"].HealthScore);
    }

    [Fact]
    public void Missed_ack_goes_indirect_then_suspect_then_dead()
    {
        var c = ThreeNodes();
        c.Advance(Second);
        c.Down.Add("c"); // c crashes: no UDP, no TCP
        var mark = c.Sent.Count;
        c.Advance(10 * Second);

        // a → b: indirect ping request for c, asking for a nack (b speaks protocol 5) ...
        var req = c.Sent.Skip(mark).Where(s => s.From == "a").SelectMany(s => s.Packet.Messages).OfType<IndirectPingReq>().First();
        var seq = req.SeqNo;
        Assert.Equal("c", req.Node);
        Assert.True(req.Nack);
        // ... after a's own ping to c with that sequence number got no ack within ProbeTimeout
        var ping = c.Sent.Single(s => s.From == "a" && s.Packet.Messages[0] is Ping { Node: "c" } p && p.SeqNo == seq);
        var reqAt = c.Sent.First(s => s.From == "a" && s.Packet.Messages[0] is IndirectPingReq r && r.SeqNo == seq).At;
        Assert.Equal(c.Options.ProbeTimeout, reqAt - ping.At);
        // a → c over TCP as well (protocol ≥ 3)
        Assert.Contains(c.FallbackPings, f => f.From == "a" && f.Request.Ping.SeqNo == seq);
        // b pings c for a, gets nothing, and tells a so
        Assert.Contains(c.MessagesSent("b"), m => m is Ping { Node: "c", SourceNode: "b" });
        Assert.Contains(c.MessagesSent("b"), m => m is NackResp n && n.SeqNo == seq);
        // the nack arrived, so a's own health is not in doubt
        Assert.Equal(0, c["a"].HealthScore);
        // a suspects c, then declares it dead: 3 members → no confirmations wanted, min timeout 4 s
        Assert.Contains(c.MessagesSent("a"), m => m is Suspect { Node: "c", From: "a" });
        var failed = Assert.Single(c.EventsAbout("a", "c"), e => e.Kind == MemberEventKind.Failed);
        Assert.Equal(NodeState.Dead, failed.Member.State);
        Assert.Equal(NodeState.Dead, c.StateOf("b", "c"));
        Assert.Equal(NodeState.Alive, c.StateOf("a", "b"));
    }

    [Fact]
    public void A_failed_udp_probe_that_reaches_the_node_over_tcp_is_not_a_suspicion()
    {
        var c = ThreeNodes();
        c.Advance(Second);
        c.DropRule = (from, to, _) => from == "c" || to == "c"; // UDP to and from c lost, TCP fine
        c.Advance(10 * Second);
        Assert.Contains(c.FallbackPings, f => f.From == "a" && f.Request.ToNode == "c");
        Assert.DoesNotContain(c.Sent, s => s.Packet.Messages.Any(m => m is Suspect));
        Assert.Equal(NodeState.Alive, c.StateOf("a", "c"));
    }

    [Fact]
    public void A_suspected_node_refutes_with_a_higher_incarnation_and_looks_less_healthy()
    {
        var c = ThreeNodes();
        var a = c["a"];
        var before = a.Incarnation;
        a.Receive(HandWiredCluster.AddressOf(2), new Suspect(before, "a", "b"), c.Now);
        Assert.Equal(before + 1, a.Incarnation);
        Assert.Equal(1, a.Refutations);
        Assert.Equal(1, a.HealthScore); // Lifeguard: being accused counts against us
        Assert.IsType<Alive>(a.Broadcasts.Find("a"));
        c.Advance(Second);
        Assert.Equal(before + 1, c["b"].FindMember("a")!.Incarnation);
        Assert.Equal(NodeState.Alive, c.StateOf("b", "a"));
    }

    [Fact]
    public void A_node_declared_dead_refutes_past_the_accusers_incarnation()
    {
        var c = ThreeNodes();
        var a = c["a"];
        a.Receive(HandWiredCluster.AddressOf(2), new Dead(10, "a", "b"), c.Now);
        Assert.Equal(11u, a.Incarnation);
        Assert.Equal(NodeState.Alive, a.FindMember("a")!.State);
        c.Advance(Second);
        Assert.Equal(NodeState.Alive, c.StateOf("c", "a"));
        Assert.Equal(11u, c["c"].FindMember("a")!.Incarnation);
    }

    [Fact]
    public void Incarnation_rules_for_another_member_follow_memberlist_state_go()
    {
        var c = new HandWiredCluster();
        var b = c.Add("b", 2);
        var from = HandWiredCluster.AddressOf(9);
        byte[] addrA = [10, 0, 0, 1];
        var now = c.Now;
        b.Receive(from, new Alive(1, "a", addrA, 7946, [], ProtocolVersions.Serf09), now);
        Assert.Equal(NodeState.Alive, b.FindMember("a")!.State);

        b.Receive(from, new Suspect(0, "a", "x"), now);           // older incarnation: ignored
        Assert.Equal(NodeState.Alive, b.FindMember("a")!.State);
        b.Receive(from, new Suspect(1, "a", "x"), now);           // same incarnation: suspected
        Assert.Equal(NodeState.Suspect, b.FindMember("a")!.State);
        b.Receive(from, new Alive(1, "a", addrA, 7946, [], ProtocolVersions.Serf09), now); // alive must be newer
        Assert.Equal(NodeState.Suspect, b.FindMember("a")!.State);
        b.Receive(from, new Alive(2, "a", addrA, 7946, [], ProtocolVersions.Serf09), now); // refuted
        Assert.Equal(NodeState.Alive, b.FindMember("a")!.State);
        Assert.Null(b.SuspicionOf("a"));

        b.Receive(from, new Dead(1, "a", "x"), now);              // older: ignored
        Assert.Equal(NodeState.Alive, b.FindMember("a")!.State);
        b.Receive(from, new Dead(2, "a", "x"), now);              // same incarnation: dead
        Assert.Equal(NodeState.Dead, b.FindMember("a")!.State);
        b.Receive(from, new Alive(2, "a", addrA, 7946, [], ProtocolVersions.Serf09), now);
        Assert.Equal(NodeState.Dead, b.FindMember("a")!.State);
        b.Receive(from, new Alive(3, "a", addrA, 7946, [1], ProtocolVersions.Serf09), now); // back: a join
        Assert.Equal(NodeState.Alive, b.FindMember("a")!.State);
        b.Receive(from, new Alive(4, "a", addrA, 7946, [2], ProtocolVersions.Serf09), now); // new meta: an update
        b.Receive(from, new Dead(4, "a", "a"), now);              // dead from itself: left
        Assert.Equal(NodeState.Left, b.FindMember("a")!.State);

        c.Pump();
        var kinds = c.EventsAbout("b", "a").Select(e => e.Kind).ToArray();
        Assert.Equal([MemberEventKind.Join, MemberEventKind.Failed, MemberEventKind.Join, MemberEventKind.Update, MemberEventKind.Leave], kinds);
    }

    [Fact]
    public void An_alive_for_a_live_name_at_another_address_is_a_conflict_and_ignored()
    {
        var c = ThreeNodes();
        c.Advance(Second);
        var b = c["b"];
        b.Receive(HandWiredCluster.AddressOf(9), new Alive(50, "c", [10, 0, 0, 99], 7946, [], ProtocolVersions.Serf09), c.Now);
        Assert.Equal(1, b.NameConflicts);
        Assert.Equal(HandWiredCluster.AddressOf(3), b.FindMember("c")!.Address);
    }

    [Fact]
    public void An_alive_with_impossible_versions_is_ignored()
    {
        var c = new HandWiredCluster();
        var b = c.Add("b", 2);
        b.Receive(HandWiredCluster.AddressOf(9), new Alive(1, "x", [10, 0, 0, 9], 7946, [], new ProtocolVersions(3, 2, 2, 2, 5, 4)), c.Now);
        Assert.Null(b.FindMember("x"));
    }

    [Fact]
    public void Each_independent_confirmation_shortens_the_suspicion_timeout()
    {
        var c = new HandWiredCluster();
        var a = c.Add("a", 1);
        var from = HandWiredCluster.AddressOf(9);
        for (var i = 2; i <= 5; i++) a.Receive(from, new Alive(1, ((char)('a' + i - 1)).ToString(), [10, 0, 0, (byte)i], 7946, [], ProtocolVersions.Serf09), c.Now);
        Assert.Equal(5, a.NumMembers);
        // 5 members: min = 4 × max(1, log10 5) × 1 s = 4 s, max = 6 × min = 24 s, k = SuspicionMult − 2 = 2
        a.Receive(from, new Suspect(1, "e", "b"), c.Now);
        var t = a.SuspicionOf("e")!;
        Assert.Equal(2, t.K);
        Assert.Equal(c.Now + TimeSpan.FromSeconds(24), t.Deadline);
        a.Receive(from, new Suspect(1, "e", "c"), c.Now);
        Assert.Equal(c.Now + TimeSpan.FromMilliseconds(11381), t.Deadline); // 24 − 20·ln2/ln3, floored to ms
        a.Receive(from, new Suspect(1, "e", "c"), c.Now);                   // the same accuser again: no change
        Assert.Equal(1, t.Confirmations);
        a.Receive(from, new Suspect(1, "e", "d"), c.Now);
        Assert.Equal(c.Now + TimeSpan.FromSeconds(4), t.Deadline);
        // each new confirmation was re-gossiped
        Assert.Equal("d", ((Suspect)a.Broadcasts.Find("e")!).From);
    }

    [Fact]
    public void Missed_nacks_raise_the_health_score_which_stretches_each_probe()
    {
        // TCP pings off: here the fallback would reach the others and say a's network is fine
        var c = ThreeNodes(GossipOptions.Lan() with { DisableTcpPings = true });
        c.Advance(Second);
        c.DropRule = (_, to, _) => to == "a"; // a hears nothing: its own network is the problem
        var start = c.Sent.Count;
        c.Advance(8 * Second);
        // reconstruct when a's probe pings went out from the transcript: one per probe
        var probes = c.Sent.Skip(start).Where(s => s.From == "a" && s.Packet.Messages[0] is Ping).ToList();
        Assert.True(probes.Count >= 3, $"only {probes.Count} probes");
        Assert.True(c["a"].HealthScore >= 3, $"health score {c["a"].HealthScore}");
        Assert.True(c["a"].FailedProbes >= 3);
        // each failed probe raised the score by one, so each probe waited one interval longer
        for (var i = 1; i < 4 && i < probes.Count; i++)
        {
            Assert.True(probes[i].At - probes[i - 1].At >= i * Second, $"probe {i} came {probes[i].At - probes[i - 1].At} after the previous");
        }
        // without the score (plain SWIM) the same 8 s hold more probes
        var plain = ThreeNodes(GossipOptions.Lan().WithoutLifeguard() with { DisableTcpPings = true });
        plain.Advance(Second);
        plain.DropRule = (_, to, _) => to == "a";
        var plainStart = plain.Sent.Count;
        plain.Advance(8 * Second);
        var plainProbes = plain.Sent.Skip(plainStart).Count(s => s.From == "a" && s.Packet.Messages[0] is Ping);
        Assert.Equal(0, plain["a"].HealthScore);
        Assert.True(plainProbes > probes.Count, $"{plainProbes} plain vs {probes.Count} with Lifeguard");
    }

    [Fact]
    public void Probing_a_suspected_node_carries_the_suspicion_to_it()
    {
        var c = ThreeNodes();
        c.Advance(Second);
        c.DropRule = (_, to, m) => to == "c" && m is Suspect && c.Now < TimeSpan.FromSeconds(4);
        c["a"].Receive(HandWiredCluster.AddressOf(2), new Suspect(c["a"].FindMember("c")!.Incarnation, "c", "b"), c.Now);
        c.DropRule = (_, to, m) => to == "c" && m is Suspect; // gossip about it never reaches c
        c.Advance(3 * Second);
        var buddy = c.Sent.Where(s => s.From == "a" && s.Packet.ToNode == "c" && s.Packet.Messages[0] is Ping).ToList();
        Assert.Contains(buddy, s => s.Packet.Messages.Count == 2 && s.Packet.Messages[1] is Suspect { Node: "c", From: "a" });
    }

    [Fact]
    public void Push_pull_merge_takes_dead_only_as_a_suspicion_and_left_as_left()
    {
        var c = new HandWiredCluster();
        var a = c.Add("a", 1);
        var vsn = ProtocolVersions.Serf09;
        Assert.Null(a.CompletePushPull([new PushNodeState("x", [10, 0, 0, 7], 7946, [], 1, NodeState.Alive, vsn)], c.Now));
        Assert.Equal(NodeState.Alive, a.FindMember("x")!.State);
        a.CompletePushPull([new PushNodeState("x", [10, 0, 0, 7], 7946, [], 1, NodeState.Dead, vsn)], c.Now);
        Assert.Equal(NodeState.Suspect, a.FindMember("x")!.State); // x gets a chance to refute
        a.CompletePushPull([new PushNodeState("x", [10, 0, 0, 7], 7946, [], 1, NodeState.Left, vsn)], c.Now);
        Assert.Equal(NodeState.Left, a.FindMember("x")!.State);
    }

    [Fact]
    public void Push_pull_with_an_incompatible_protocol_version_is_refused()
    {
        var c = new HandWiredCluster();
        var a = c.Add("a", 1);
        var problem = a.CompletePushPull([new PushNodeState("x", [10, 0, 0, 7], 7946, [], 1, NodeState.Alive, new ProtocolVersions(1, 5, 9, 2, 5, 4))], c.Now);
        Assert.NotNull(problem);
        Assert.Contains("protocol version (9) is incompatible", problem, StringComparison.Ordinal);
        Assert.Null(a.FindMember("x"));
    }

    [Fact]
    public void Leave_is_gossiped_as_dead_from_self_and_seen_as_left()
    {
        var c = ThreeNodes();
        c.Advance(Second);
        Assert.True(c["c"].Leave(c.Now));
        c.Pump();
        Assert.Equal(MemberEventKind.Leave, c.Events["c"].Last().Kind);
        c.Advance(3 * Second);
        Assert.Equal(NodeState.Left, c.StateOf("a", "c"));
        Assert.Equal(NodeState.Left, c.StateOf("b", "c"));
        Assert.Single(c.EventsAbout("a", "c"), e => e.Kind == MemberEventKind.Leave);
        Assert.Contains("c", c.LeaveFinished);
        // a left node does not refute gossip about itself
        var inc = c["c"].Incarnation;
        c["c"].Receive(HandWiredCluster.AddressOf(1), new Suspect(inc, "c", "a"), c.Now);
        Assert.Equal(inc, c["c"].Incarnation);
    }

    [Fact]
    public void Update_meta_bumps_the_incarnation_and_others_see_an_update()
    {
        var c = ThreeNodes();
        c.Advance(Second);
        var inc = c["b"].Incarnation;
        c["b"].UpdateMeta([1, 2, 3], c.Now);
        c.Advance(Second);
        Assert.Equal(inc + 1, c["b"].Incarnation);
        Assert.Equal([1, 2, 3], c["a"].FindMember("b")!.Meta);
        Assert.Single(c.EventsAbout("a", "b"), e => e.Kind == MemberEventKind.Update);
    }

    [Fact]
    public void A_dead_member_is_reaped_after_gossip_to_the_dead_time()
    {
        var c = ThreeNodes(GossipOptions.Local());
        c.Advance(Second);
        c.Down.Add("c");
        c.Advance(10 * Second);
        Assert.Equal(NodeState.Dead, c.StateOf("a", "c"));
        c.Advance(20 * Second, TimeSpan.FromMilliseconds(50)); // GossipToTheDeadTime 15 s, then a probe-round wrap
        Assert.Null(c["a"].FindMember("c"));
        Assert.Equal(2, c["a"].NumMembers);
    }

    [Fact]
    public void A_ping_for_another_node_name_is_not_answered()
    {
        var c = new HandWiredCluster();
        var a = c.Add("a", 1);
        a.TakeOutput();
        a.Receive(HandWiredCluster.AddressOf(2), new Ping(7, "someone-else", null, 0, "b"), c.Now);
        Assert.Empty(a.TakeOutput().Packets);
        Assert.Equal(1, a.DroppedMessages);
        a.Receive(HandWiredCluster.AddressOf(2), new Ping(8, "a", null, 0, "b"), c.Now);
        var reply = Assert.Single(a.TakeOutput().Packets);
        Assert.Equal(HandWiredCluster.AddressOf(2), reply.To);
        Assert.Equal(8u, ((AckResp)reply.Messages[0]).SeqNo);
    }

    [Fact]
    public void Same_seed_same_transcript()
    {
        static string Run()
        {
            var c = ThreeNodes();
            c.Advance(5 * TimeSpan.FromSeconds(1));
            return string.Join("\n", c.Sent.Select(s => $"{s.From}->{s.Packet.ToNode}:{string.Join(",", s.Packet.Messages.Select(m => m.GetType().Name))}"));
        }
        Assert.Equal(Run(), Run());
    }

}
