using System.Text;
using Praetor.Raft.Core;

namespace Praetor.Raft.Tests;

/// <summary>Single-server membership changes (Raft thesis §4.1) and leadership transfer (thesis §3.10).</summary>
public class MembershipTests
{
    private static ConfigChange Change(ConfigChangeType type, ulong id) => new(type, id, Encoding.UTF8.GetBytes($"10.0.0.{id}:8300"));

    private static void ProposeChange(RaftCluster cluster, ulong leader, ConfigChange change)
    {
        Assert.True(cluster[leader].TryProposeConfigChange(change, out _, out var problem), problem);
        cluster.Settle();
        cluster.Tick();
    }

    [Fact]
    public void A_non_voter_catches_up_then_is_promoted_and_counts_toward_the_quorum()
    {
        var cluster = new RaftCluster(3, seed: 51);
        var leader = cluster.ElectLeader();
        cluster.Propose(leader, "before");
        cluster.AddServer(4, MemoryRaftStorage.Empty());

        ProposeChange(cluster, leader, Change(ConfigChangeType.AddNonVoter, 4));
        Assert.Equal(["before"], cluster.ServerOf(4).Applied);
        Assert.Contains(4UL, cluster[4].Configuration.NonVoters);
        // A non-voter never campaigns.
        cluster.Isolate(4);
        cluster.Tick(50);
        Assert.Equal(RaftRole.Follower, cluster[4].Role);
        cluster.Heal();
        cluster.Tick();

        ProposeChange(cluster, leader, Change(ConfigChangeType.AddVoter, 4));
        foreach (var id in cluster.Ids)
        {
            Assert.Equal([1UL, 2, 3, 4], cluster[id].Configuration.Voters);
            Assert.Empty(cluster[id].Configuration.NonVoters);
        }

        // Four voters need three: with two of the others cut off, nothing commits.
        var others = cluster.Ids.Where(id => id != leader && id != 4).ToArray();
        cluster.Isolate(others);
        var index = cluster.Propose(leader, "needs-three");
        Assert.True(cluster[leader].CommitIndex < index);
        cluster.Heal();
        cluster.Tick();
        Assert.True(cluster[leader].CommitIndex >= index);
    }

    [Fact]
    public void A_removed_voter_no_longer_counts_and_cannot_disrupt()
    {
        var cluster = new RaftCluster(3, seed: 52);
        var leader = cluster.ElectLeader();
        var removed = cluster.Ids.First(id => id != leader);
        var term = cluster[leader].Term;

        ProposeChange(cluster, leader, Change(ConfigChangeType.RemoveServer, removed));
        Assert.Equal(2, cluster[leader].Configuration.Voters.Count);
        Assert.DoesNotContain(removed, cluster[leader].Configuration.Voters);

        // Two voters: the leader and the other one commit without the removed server.
        var index = cluster.Propose(leader, "without");
        Assert.True(cluster[leader].CommitIndex >= index);
        cluster.Tick(60);
        Assert.Equal(leader, cluster.Leader);
        Assert.Equal(term, cluster[leader].Term);
    }

    [Fact]
    public void A_leader_that_removes_itself_steps_down_once_the_change_commits()
    {
        var cluster = new RaftCluster(3, seed: 53);
        var leader = cluster.ElectLeader();

        Assert.True(cluster[leader].TryProposeConfigChange(Change(ConfigChangeType.RemoveServer, leader), out _, out var problem), problem);
        cluster.Settle();

        Assert.NotEqual(RaftRole.Leader, cluster[leader].Role);
        cluster.TickUntil(() => cluster.Leader != 0 && cluster.Leader != leader);
        Assert.DoesNotContain(leader, cluster[cluster.Leader].Configuration.Voters);
        Assert.True(cluster[cluster.Leader].TryPropose([1], out _));
    }

    [Fact]
    public void A_server_whose_removal_is_not_committed_still_campaigns_so_the_change_can_finish()
    {
        // Thesis §4.2.2, Figure 4.6: of voters {leader, other}, the leader appends its own
        // removal and loses leadership before the other server has it. Its log is the longer
        // one, so only it can win an election, and it must, to commit the change.
        var cluster = new RaftCluster(2, seed: 59);
        var leader = cluster.ElectLeader();
        var other = cluster.Ids.Single(id => id != leader);
        cluster.Isolate(leader);
        Assert.True(cluster[leader].TryProposeConfigChange(Change(ConfigChangeType.RemoveServer, leader), out _, out var problem), problem);
        cluster.Settle();
        cluster.TickUntil(() => cluster[leader].Role != RaftRole.Leader); // check-quorum

        cluster.Heal();
        cluster.TickUntil(() => cluster.Leader == other && cluster[other].Configuration.Voters.Count == 1);

        Assert.Equal([other], cluster[other].Configuration.Voters);
        Assert.True(cluster[other].TryPropose([1], out _));
    }

    [Fact]
    public void Changes_are_made_one_at_a_time()
    {
        var cluster = new RaftCluster(3, seed: 54);
        var leader = cluster.ElectLeader();
        var follower = cluster.Ids.First(id => id != leader);
        cluster.Isolate(cluster.Ids.Where(id => id != leader).ToArray());

        Assert.True(cluster[leader].TryProposeConfigChange(Change(ConfigChangeType.AddNonVoter, 4), out _, out _));
        cluster.Settle();
        Assert.False(cluster[leader].TryProposeConfigChange(Change(ConfigChangeType.AddNonVoter, 5), out _, out var problem));
        Assert.Contains("not committed", problem, StringComparison.Ordinal);
        Assert.False(cluster[leader].TryProposeConfigChange(Change(ConfigChangeType.RemoveServer, 9), out _, out _));
        Assert.False(cluster[follower].TryProposeConfigChange(Change(ConfigChangeType.AddVoter, 5), out _, out problem));
        Assert.Equal("not the leader", problem);
    }

    [Fact]
    public void An_uncommitted_change_truncated_by_a_new_leader_is_undone()
    {
        var cluster = new RaftCluster(3, seed: 55);
        var old = cluster.ElectLeader();
        cluster.Isolate(old);
        Assert.True(cluster[old].TryProposeConfigChange(Change(ConfigChangeType.AddNonVoter, 9), out _, out _));
        cluster.Settle();
        Assert.Contains(9UL, cluster[old].Configuration.NonVoters);

        cluster.TickUntil(() => cluster.Ids.Any(id => id != old && cluster[id].Role == RaftRole.Leader && cluster[id].CommitIndex == cluster[id].LastIndex));
        cluster.Heal();
        cluster.Tick(3);

        Assert.Equal(Configuration.Of(1, 2, 3).Voters, cluster[old].Configuration.Voters);
        Assert.Empty(cluster[old].Configuration.NonVoters);
    }

    [Fact]
    public void Config_changes_round_trip_and_malformed_ones_are_refused()
    {
        var change = Change(ConfigChangeType.AddNonVoter, 7);
        Assert.True(ConfigChange.TryDecode(change.Encode(), out var decoded, out _));
        Assert.Equal((change.Type, change.NodeId, "10.0.0.7:8300"), (decoded.Type, decoded.NodeId, Encoding.UTF8.GetString(decoded.Context)));

        var bytes = change.Encode();
        Assert.False(ConfigChange.TryDecode(bytes.AsSpan(0, 5), out _, out var problem));
        Assert.Contains("shorter", problem, StringComparison.Ordinal);
        Assert.False(ConfigChange.TryDecode(bytes.AsSpan(0, bytes.Length - 1), out _, out _));
        bytes[0] = 99;
        Assert.False(ConfigChange.TryDecode(bytes, out _, out problem));
        Assert.Contains("unknown", problem, StringComparison.Ordinal);
        Assert.False(Configuration.Of(1).TryApply(Change(ConfigChangeType.RemoveServer, 1), out _, out _));
    }

    [Fact]
    public void Leadership_moves_to_a_caught_up_follower_without_waiting_out_a_timeout()
    {
        var cluster = new RaftCluster(3, seed: 56);
        var leader = cluster.ElectLeader();
        cluster.Propose(leader, "x");
        var target = cluster.Ids.First(id => id != leader);
        var term = cluster[leader].Term;

        Assert.True(cluster[leader].TryTransferLeadership(target, out var problem), problem);
        cluster.Settle();

        Assert.Equal(target, cluster.Leader);
        Assert.Equal(term + 1, cluster[target].Term);
        Assert.Equal(RaftRole.Follower, cluster[leader].Role);
        Assert.Equal(target, cluster[leader].Leader);
    }

    [Fact]
    public void A_lagging_target_is_caught_up_first_and_proposals_wait_meanwhile()
    {
        var cluster = new RaftCluster(3, seed: 57);
        var leader = cluster.ElectLeader();
        var target = cluster.Ids.First(id => id != leader);
        cluster.Isolate(target);
        for (var i = 0; i < 5; i++) cluster.Propose(leader, $"m{i}");
        cluster.Heal();
        cluster.Hold = true;

        Assert.True(cluster[leader].TryTransferLeadership(target, out _));
        Assert.False(cluster[leader].TryPropose([1], out _));
        Assert.False(cluster[leader].TryLeaseRead(out _) && cluster.InFlight.OfType<TimeoutNow>().Any());
        cluster.Hold = false;
        cluster.Settle();

        Assert.Equal(target, cluster.Leader);
        Assert.Equal(5, cluster.ServerOf(target).Applied.Count);
        // The old leader sent TimeoutNow: its lease is gone for the rest of its term.
        Assert.False(cluster[leader].TryLeaseRead(out _));
    }

    [Fact]
    public void A_transfer_to_an_unreachable_target_gives_up_after_an_election_timeout()
    {
        var cluster = new RaftCluster(3, seed: 58);
        var leader = cluster.ElectLeader();
        var target = cluster.Ids.First(id => id != leader);
        cluster.Isolate(target);

        Assert.True(cluster[leader].TryTransferLeadership(target, out _));
        cluster.Tick(11);

        Assert.Equal(0UL, cluster[leader].LeadershipTransferee);
        Assert.True(cluster[leader].TryPropose([1], out _));
        Assert.False(cluster[leader].TryTransferLeadership(9, out var problem));
        Assert.Contains("not a voter", problem, StringComparison.Ordinal);
    }
}
