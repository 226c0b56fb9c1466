using Praetor.Raft.Core;

namespace Praetor.Raft.Tests;

/// <summary>Leader election (§5.2), its safety rules, pre-vote (thesis §9.6) and check-quorum (thesis §6.2).</summary>
public class ElectionTests
{
    [Theory]
    [InlineData(3, 1)]
    [InlineData(3, 2)]
    [InlineData(5, 1)]
    [InlineData(5, 7)]
    public void A_cluster_elects_exactly_one_leader_and_commits_its_noop(int size, int seed)
    {
        var cluster = new RaftCluster(size, seed);
        var leader = cluster.ElectLeader();
        cluster.Tick(); // a heartbeat carries the commit index to followers that had nothing more to receive

        Assert.Single(cluster.Ids, id => cluster[id].Role == RaftRole.Leader);
        foreach (var id in cluster.Ids)
        {
            Assert.Equal(leader, cluster[id].Leader);
            Assert.Equal(cluster[leader].Term, cluster[id].Term);
            // §8: the leader's first entry in its term is a no-op (after the bootstrap configuration), committed everywhere.
            var noop = (ulong)size + 1;
            Assert.Equal(noop, cluster[id].CommitIndex);
            Assert.Equal(LogEntryType.Noop, cluster.ServerOf(id).Storage.Entries(noop, noop + 1, long.MaxValue)[0].Type);
        }
    }

    [Fact]
    public void The_election_timeout_is_drawn_from_T_to_2T_ticks()
    {
        var cluster = new RaftCluster(3, seed: 3);
        var ticks = cluster.TickUntil(() => cluster.Ids.Any(id => cluster[id].Role != RaftRole.Follower));
        Assert.InRange(ticks, 10, 19);
    }

    [Fact]
    public void A_server_grants_one_vote_per_term_and_only_to_an_up_to_date_log()
    {
        var storage = new MemoryRaftStorage(Configuration.Of(1, 2, 3));
        storage.Append([new LogEntry(2, 1, LogEntryType.Noop, [])]);
        storage.SetHardState(new HardState(2, 0, 0));
        var node = new RaftNode(new RaftOptions { Id = 1 }, storage, new Random(1));
        for (var i = 0; i < 10; i++) node.Tick(); // past the start-up lockout

        // §5.4.1: a log ending in an older term is behind, whatever its length.
        node.Step(new RequestVote(2, 1, 3, LastLogIndex: 5, LastLogTerm: 1, LeadershipTransfer: false));
        node.Step(new RequestVote(3, 1, 3, LastLogIndex: 1, LastLogTerm: 2, LeadershipTransfer: false));
        node.Step(new RequestVote(2, 1, 3, LastLogIndex: 1, LastLogTerm: 2, LeadershipTransfer: false));
        var votes = node.Ready().Messages.Cast<RequestVoteResponse>().ToList();

        Assert.Equal([(2UL, false), (3UL, true), (2UL, false)], votes.Select(v => (v.To, v.Granted)));
        Assert.Equal(3UL, node.Vote);
    }

    [Fact]
    public void A_duplicated_vote_counts_once()
    {
        var outcome = ElectWithDuplicatedVote(RaftFaults.None);
        Assert.Equal(RaftRole.Candidate, outcome);
    }

    [Fact]
    public void The_planted_CountVoteTwice_fault_elects_on_a_duplicated_vote()
    {
        var outcome = ElectWithDuplicatedVote(new RaftFaults { CountVoteTwice = true });
        Assert.Equal(RaftRole.Leader, outcome);
    }

    /// <summary>A candidate of five receives the same granting vote three times: one voter, plus itself, is no quorum.</summary>
    private static RaftRole ElectWithDuplicatedVote(RaftFaults faults)
    {
        var node = new RaftNode(new RaftOptions { Id = 1, Faults = faults }, new MemoryRaftStorage(Configuration.Of(1, 2, 3, 4, 5)), new Random(1));
        node.Step(new TimeoutNow(2, 1, 0)); // campaign now, without pre-vote
        Assert.Equal(RaftRole.Candidate, node.Role);
        for (var i = 0; i < 3; i++) node.Step(new RequestVoteResponse(2, 1, node.Term, true));
        return node.Role;
    }

    [Fact]
    public void A_new_leader_is_elected_in_a_higher_term_when_the_leader_is_cut_off()
    {
        var cluster = new RaftCluster(5, seed: 4);
        var old = cluster.ElectLeader();
        var oldTerm = cluster[old].Term;

        cluster.Isolate(old);
        cluster.TickUntil(() => cluster.Ids.Any(id => id != old && cluster[id].Role == RaftRole.Leader));

        var leader = cluster.Ids.Single(id => id != old && cluster[id].Role == RaftRole.Leader);
        Assert.True(cluster[leader].Term > oldTerm);
    }

    [Fact]
    public void Pre_vote_keeps_a_partitioned_server_from_bumping_its_term_and_disrupting_on_return()
    {
        var cluster = new RaftCluster(3, seed: 5);
        var leader = cluster.ElectLeader();
        var term = cluster[leader].Term;
        var follower = cluster.Ids.First(id => id != leader);

        cluster.Isolate(follower);
        cluster.Tick(100);
        // Pre-campaigns that find no quorum leave its term alone.
        Assert.Equal(term, cluster[follower].Term);
        Assert.NotEqual(RaftRole.Candidate, cluster[follower].Role);

        cluster.Heal();
        cluster.Tick(30);
        Assert.Equal(leader, cluster.Leader);
        Assert.Equal(term, cluster[leader].Term);
        Assert.Equal(leader, cluster[follower].Leader);
    }

    [Fact]
    public void Followers_that_hear_from_a_live_leader_ignore_pre_votes_and_votes()
    {
        var cluster = new RaftCluster(3, seed: 6);
        var leader = cluster.ElectLeader();
        var follower = cluster.Ids.First(id => id != leader);
        var other = cluster.Ids.First(id => id != leader && id != follower);
        var term = cluster[follower].Term;

        var lastIndex = cluster[follower].LastIndex;
        cluster[follower].Step(new PreVote(other, follower, term + 1, lastIndex, term));
        cluster[follower].Step(new RequestVote(other, follower, term + 1, lastIndex, term, LeadershipTransfer: false));

        // Leader stickiness: no answer, no new term, the leader kept.
        Assert.Equal(term, cluster[follower].Term);
        Assert.Equal(leader, cluster[follower].Leader);
        Assert.DoesNotContain(cluster[follower].Ready().Messages, m => m is PreVoteResponse or RequestVoteResponse);
    }

    [Fact]
    public void A_leader_that_hears_from_no_quorum_for_an_election_timeout_steps_down()
    {
        var cluster = new RaftCluster(3, seed: 8);
        var leader = cluster.ElectLeader();
        cluster.Isolate(leader);

        var ticks = cluster.TickUntil(() => cluster[leader].Role != RaftRole.Leader, ticksMax: 30);

        // Check-quorum runs every election timeout (10 ticks): down within two of them.
        Assert.InRange(ticks, 1, 20);
        Assert.Equal(0UL, cluster[leader].Leader);
    }

    [Fact]
    public void A_leader_that_still_hears_from_a_quorum_keeps_leading()
    {
        var cluster = new RaftCluster(5, seed: 8);
        var leader = cluster.ElectLeader();
        var term = cluster[leader].Term;
        cluster.Isolate(cluster.Ids.Where(id => id != leader).Take(2).ToArray());

        cluster.Tick(50);

        Assert.Equal(RaftRole.Leader, cluster[leader].Role);
        Assert.Equal(term, cluster[leader].Term);
    }

    [Fact]
    public void The_same_seed_replays_the_same_run()
    {
        static string Run()
        {
            var cluster = new RaftCluster(5, seed: 11);
            var leader = cluster.ElectLeader();
            cluster.Propose(leader, "a");
            cluster.Isolate(leader);
            cluster.Tick(40);
            return string.Join("\n", cluster.Sent);
        }
        Assert.Equal(Run(), Run());
    }

    [Fact]
    public void Options_report_every_problem()
    {
        var problems = new RaftOptions { Id = 0, ElectionTicks = 1, HeartbeatTicks = 1, InflightAppendsMax = 0 }.Validate();
        Assert.Equal(4, problems.Count);
        Assert.Throws<ArgumentException>(() => new RaftNode(new RaftOptions(), new MemoryRaftStorage(Configuration.Of(1)), new Random(1)));
        Assert.Empty(new RaftOptions { Id = 1 }.Validate());
    }

    [Fact]
    public void Every_planted_fault_is_off_by_default()
    {
        var faults = new RaftOptions { Id = 1 }.Faults;
        Assert.Same(RaftFaults.None, faults);
        Assert.False(faults.AcknowledgeBeforeFsync || faults.AcceptStaleTermAppend || faults.ServeReadWithoutLease || faults.ApplyBeforeCommit || faults.CountVoteTwice);
    }
}
