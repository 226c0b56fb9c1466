using Praetor.Raft.Core;

namespace Praetor.Raft.Tests;

/// <summary>Reads without a log entry (thesis §6.4): the leader lease (default mode) and read-index (<c>?consistent</c>).</summary>
public class ReadTests
{
    [Fact]
    public void A_leader_that_a_quorum_acknowledged_holds_its_lease()
    {
        var cluster = new RaftCluster(3, seed: 31);
        var leader = cluster.ElectLeader();
        cluster.Tick();
        var index = cluster.Propose(leader, "x");

        Assert.True(cluster[leader].TryLeaseRead(out var readIndex));
        Assert.Equal(index, readIndex);
        var follower = cluster.Ids.First(id => id != leader);
        Assert.False(cluster[follower].TryLeaseRead(out _));
    }

    [Fact]
    public void The_lease_expires_before_check_quorum_deposes_the_leader()
    {
        var cluster = new RaftCluster(3, seed: 32);
        var leader = cluster.ElectLeader();
        cluster.Tick();
        cluster.Isolate(leader);

        // The last acknowledged heartbeat went out in this tick; the lease lasts
        // ElectionTicks (10) - LeaseClockDriftTicks (2) ticks from it.
        var held = 0;
        while (cluster[leader].TryLeaseRead(out _))
        {
            cluster.Tick();
            held++;
        }
        Assert.Equal(8, held);
        Assert.Equal(RaftRole.Leader, cluster[leader].Role);
    }

    [Fact]
    public void The_planted_ServeReadWithoutLease_fault_serves_after_the_lease_expired()
    {
        var cluster = new RaftCluster(3, seed: 32, o => o with { Faults = new RaftFaults { ServeReadWithoutLease = true } });
        var leader = cluster.ElectLeader();
        cluster.Isolate(leader);
        cluster.Tick(9);
        Assert.Equal(RaftRole.Leader, cluster[leader].Role);
        Assert.True(cluster[leader].TryLeaseRead(out _));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void No_new_leader_is_elected_while_the_old_leaders_lease_runs(int seed)
    {
        var cluster = new RaftCluster(5, seed);
        var old = cluster.ElectLeader();
        cluster.Tick(3);
        cluster.Isolate(old);

        var lastLeaseTick = -1;
        var tick = 0;
        while (!cluster.Ids.Any(id => id != old && cluster[id].Role == RaftRole.Leader))
        {
            if (cluster[old].TryLeaseRead(out _)) lastLeaseTick = tick;
            cluster.Tick();
            tick++;
            Assert.True(tick < 200, $"no new leader (seed {seed})");
        }
        Assert.True(lastLeaseTick >= 0);
        Assert.True(tick > lastLeaseTick, $"new leader at tick {tick} while the old lease held at {lastLeaseTick} (seed {seed})");
    }

    [Fact]
    public void A_restarted_server_votes_for_nobody_for_an_election_timeout()
    {
        var node = new RaftNode(new RaftOptions { Id = 1 }, new MemoryRaftStorage(Configuration.Of(1, 2, 3)), new Random(1));
        node.Step(new RequestVote(2, 1, 1, 0, 0, LeadershipTransfer: false));
        Assert.Empty(node.Ready().Messages);
    }

    [Fact]
    public void Read_index_confirms_leadership_with_a_heartbeat_round_and_returns_the_commit_index()
    {
        var cluster = new RaftCluster(3, seed: 33);
        var leader = cluster.ElectLeader();
        var index = cluster.Propose(leader, "x");
        cluster.Sent.Clear();

        Assert.True(cluster[leader].ReadIndex(requestId: 42));
        cluster.Settle();

        Assert.Equal([new ReadState(index, 42)], cluster.ServerOf(leader).ReadStates);
        Assert.Equal(2, cluster.Sent.OfType<Heartbeat>().Count());
    }

    [Fact]
    public void Reads_registered_together_share_one_heartbeat_round()
    {
        var cluster = new RaftCluster(5, seed: 33);
        var leader = cluster.ElectLeader();
        cluster.Sent.Clear();
        for (ulong id = 1; id <= 10; id++) Assert.True(cluster[leader].ReadIndex(id));
        cluster.Settle();

        Assert.Equal(10, cluster.ServerOf(leader).ReadStates.Count);
        Assert.Equal(4, cluster.Sent.OfType<Heartbeat>().Count());
    }

    [Fact]
    public void Read_index_on_a_leader_cut_off_from_the_quorum_never_confirms()
    {
        var cluster = new RaftCluster(3, seed: 34);
        var leader = cluster.ElectLeader();
        cluster.Isolate(leader);
        Assert.True(cluster[leader].ReadIndex(7));
        cluster.Tick(5);

        Assert.Equal(RaftRole.Leader, cluster[leader].Role);
        Assert.Empty(cluster.ServerOf(leader).ReadStates);
    }

    [Fact]
    public void A_new_leader_confirms_reads_only_after_its_noop_commits()
    {
        var cluster = new RaftCluster(3, seed: 35);
        cluster.Hold = true;
        // Elect a leader, but hold back replication: its no-op stays uncommitted.
        cluster.TickUntil(() =>
        {
            cluster.Deliver(m => m is not AppendEntries and not AppendResponse);
            return cluster.Leader != 0;
        });
        var leader = cluster.Leader;
        Assert.True(cluster[leader].CommitIndex < cluster[leader].LastIndex);

        Assert.True(cluster[leader].ReadIndex(9));
        while (cluster.Deliver(m => m is Heartbeat or HeartbeatResponse) > 0) { }
        Assert.Empty(cluster.ServerOf(leader).ReadStates);

        cluster.Hold = false;
        cluster.Settle();
        var read = Assert.Single(cluster.ServerOf(leader).ReadStates);
        Assert.Equal(cluster[leader].CommitIndex, read.Index);
    }

    [Fact]
    public void A_follower_serves_no_read_itself()
    {
        var cluster = new RaftCluster(3, seed: 36);
        var leader = cluster.ElectLeader();
        var follower = cluster.Ids.First(id => id != leader);
        Assert.False(cluster[follower].ReadIndex(1));
        Assert.False(cluster[follower].TryLeaseRead(out _));
        Assert.True(cluster[follower].TicksSinceLeaderContact <= 1);
    }
}
