using Praetor.Raft.Core;

namespace Praetor.Raft.Tests;

/// <summary>Log compaction and InstallSnapshot (§7).</summary>
public class SnapshotTests
{
    [Fact]
    public void A_follower_behind_the_compacted_log_is_sent_the_snapshot_and_then_entries()
    {
        var cluster = new RaftCluster(3, seed: 41);
        var leader = cluster.ElectLeader();
        var lagging = cluster.Ids.First(id => id != leader);
        cluster.Isolate(lagging);
        for (var i = 0; i < 20; i++) cluster.Propose(leader, $"a{i}");
        foreach (var id in cluster.Ids.Where(id => id != lagging)) cluster.ServerOf(id).TakeSnapshot();
        Assert.True(cluster.ServerOf(leader).Storage.FirstIndex > cluster[lagging].LastIndex + 1);

        cluster.Heal();
        cluster.Sent.Clear();
        cluster.Tick(2);
        cluster.Propose(leader, "after");
        cluster.Tick();

        var install = Assert.Single(cluster.Sent.OfType<InstallSnapshot>());
        Assert.Equal(lagging, install.To);
        Assert.Equal(cluster.ServerOf(leader).Applied, cluster.ServerOf(lagging).Applied);
        Assert.Equal("after", cluster.ServerOf(lagging).Applied[^1]);
        Assert.Equal(cluster[leader].CommitIndex, cluster[lagging].CommitIndex);
        Assert.Equal(install.Snapshot.Metadata.Index + 1, cluster.ServerOf(lagging).Storage.FirstIndex);
    }

    [Fact]
    public void A_follower_within_the_trailing_entries_is_sent_entries_not_the_snapshot()
    {
        var cluster = new RaftCluster(3, seed: 44);
        var leader = cluster.ElectLeader();
        var lagging = cluster.Ids.First(id => id != leader);
        cluster.Isolate(lagging);
        for (var i = 0; i < 20; i++) cluster.Propose(leader, $"a{i}");
        foreach (var id in cluster.Ids.Where(id => id != lagging)) cluster.ServerOf(id).TakeSnapshot(trailingLogs: 30);
        var storage = cluster.ServerOf(leader).Storage;
        Assert.True(storage.SnapshotIndex > cluster[lagging].LastIndex);
        Assert.True(storage.FirstIndex <= cluster[lagging].LastIndex + 1);

        cluster.Heal();
        cluster.Sent.Clear();
        cluster.Tick(2);
        cluster.Propose(leader, "after");
        cluster.Tick();

        Assert.Empty(cluster.Sent.OfType<InstallSnapshot>());
        Assert.Equal(cluster.ServerOf(leader).Applied, cluster.ServerOf(lagging).Applied);

        // A restart from storage holding entries below its snapshot restores the snapshot, then applies only what follows it.
        cluster.Restart(leader);
        leader = cluster.ElectLeader();
        cluster.Propose(leader, "after-restart");
        foreach (var id in cluster.Ids) Assert.Equal(cluster.ServerOf(lagging).Applied, cluster.ServerOf(id).Applied);
        Assert.Equal([1UL, 2, 3], cluster[leader].Configuration.Voters);
    }

    [Fact]
    public void A_lost_snapshot_is_sent_again_after_an_election_timeout()
    {
        var cluster = new RaftCluster(3, seed: 42);
        var leader = cluster.ElectLeader();
        var lagging = cluster.Ids.First(id => id != leader);
        cluster.Isolate(lagging);
        for (var i = 0; i < 5; i++) cluster.Propose(leader, $"a{i}");
        cluster.ServerOf(leader).TakeSnapshot();
        cluster.Heal();
        var dropped = 0;
        cluster.Drop = m => m is InstallSnapshot && dropped++ == 0;

        cluster.TickUntil(() => cluster[lagging].CommitIndex == cluster[leader].CommitIndex, ticksMax: 40);

        Assert.Equal(2, cluster.Sent.OfType<InstallSnapshot>().Count());
        Assert.Equal(cluster.ServerOf(leader).Applied, cluster.ServerOf(lagging).Applied);
    }

    [Fact]
    public void A_snapshot_the_follower_already_holds_only_moves_its_commit()
    {
        var cluster = new RaftCluster(3, seed: 43);
        var leader = cluster.ElectLeader();
        cluster.Propose(leader, "x");
        var follower = cluster.Ids.First(id => id != leader);
        var metadata = new SnapshotMetadata(cluster[follower].CommitIndex, cluster[leader].Term, Configuration.Of(1, 2, 3));

        cluster[follower].Step(new InstallSnapshot(leader, follower, cluster[leader].Term, new RaftSnapshot(metadata, [])));
        var ready = cluster[follower].Ready();

        Assert.Null(ready.Snapshot);
        Assert.Equal(metadata.Index, Assert.IsType<InstallSnapshotResponse>(Assert.Single(ready.Messages)).Index);
        cluster[follower].Advance(ready);
    }

    [Fact]
    public void A_server_added_after_compaction_learns_the_configuration_from_the_snapshot()
    {
        var cluster = new RaftCluster(3, seed: 44);
        var leader = cluster.ElectLeader();
        for (var i = 0; i < 5; i++) cluster.Propose(leader, $"a{i}");
        foreach (var id in cluster.Ids.ToList()) cluster.ServerOf(id).TakeSnapshot();
        cluster.AddServer(4, MemoryRaftStorage.Empty());

        Assert.True(cluster[leader].TryProposeConfigChange(new ConfigChange(ConfigChangeType.AddNonVoter, 4, []), out _, out var problem), problem);
        cluster.Settle();
        cluster.Tick(2);

        Assert.Single(cluster.Sent.OfType<InstallSnapshot>(), m => m.To == 4);
        Assert.Equal([1UL, 2, 3], cluster[4].Configuration.Voters);
        Assert.Equal([4UL], cluster[4].Configuration.NonVoters);
        Assert.Equal(cluster.ServerOf(leader).Applied, cluster.ServerOf(4).Applied);
    }
}
