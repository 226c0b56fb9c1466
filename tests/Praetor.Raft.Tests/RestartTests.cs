using Praetor.Raft.Core;

namespace Praetor.Raft.Tests;

/// <summary>What a server keeps across a restart (§5, Figure 2: term, vote and log are persistent) and the Ready contract that makes it so.</summary>
public class RestartTests
{
    [Fact]
    public void A_vote_is_handed_out_with_the_hard_state_that_records_it()
    {
        var storage = MemoryRaftStorage.Bootstrap(Configuration.Of(1, 2, 3));
        var node = new RaftNode(new RaftOptions { Id = 1 }, storage, new Random(1));
        for (var i = 0; i < 10; i++) node.Tick();
        node.Step(new RequestVote(2, 1, 2, 3, 1, LeadershipTransfer: false));

        var ready = node.Ready();
        // The host persists this before sending the grant: a crash cannot forget the vote.
        Assert.Equal(new HardState(2, 2, 3), ready.HardState);
        Assert.True(Assert.IsType<RequestVoteResponse>(Assert.Single(ready.Messages)).Granted);
    }

    [Fact]
    public void A_restarted_server_keeps_its_term_and_vote_and_votes_once_per_term()
    {
        var cluster = new RaftCluster(3, seed: 61);
        cluster.Tick(10);
        cluster[1].Step(new RequestVote(2, 1, 7, 3, 1, LeadershipTransfer: true));
        cluster.Settle();
        cluster.Restart(1);

        Assert.Equal(7UL, cluster[1].Term);
        Assert.Equal(2UL, cluster[1].Vote);
        cluster[1].Step(new RequestVote(3, 1, 7, 3, 1, LeadershipTransfer: true));
        var answer = cluster[1].Ready().Messages.OfType<RequestVoteResponse>().Single();
        Assert.False(answer.Granted);
    }

    [Fact]
    public void Every_committed_entry_survives_a_restart_of_every_server()
    {
        var cluster = new RaftCluster(3, seed: 62);
        var leader = cluster.ElectLeader();
        for (var i = 0; i < 10; i++) cluster.Propose(leader, $"w{i}");
        cluster.ServerOf(leader).TakeSnapshot();
        cluster.Propose(leader, "after-snapshot");
        var expected = cluster.ServerOf(leader).Applied.ToList();

        foreach (var id in cluster.Ids.ToList()) cluster.Restart(id);
        leader = cluster.ElectLeader();
        cluster.Tick();

        foreach (var id in cluster.Ids) Assert.Equal(expected, cluster.ServerOf(id).Applied);
        // A configuration learned from the log comes back from it.
        Assert.Equal([1UL, 2, 3], cluster[leader].Configuration.Voters);
    }
}
