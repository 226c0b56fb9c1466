using Praetor.Raft.Core;
using Praetor.Raft.Storage;

namespace Praetor.Raft.Tests.Storage;

/// <summary>A 3-server <see cref="RaftCluster"/> whose servers keep their state in <see cref="FileRaftStorage"/> directories and restart from them.</summary>
public sealed class FileRaftStorageClusterTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "praetor-raft-cluster-" + Guid.NewGuid().ToString("N"));
    private readonly List<FileRaftStorage> _open = [];

    public void Dispose()
    {
        foreach (var storage in _open) storage.Dispose();
        if (Directory.Exists(_directory)) Directory.Delete(_directory, recursive: true);
    }

    private string DirectoryOf(ulong id) => Path.Combine(_directory, $"server-{id}");

    private FileRaftStorage Track(FileRaftStorage storage)
    {
        _open.Add(storage);
        return storage;
    }

    private RaftCluster NewCluster(int seed) => new(
        3,
        seed,
        bootstrap: (id, configuration) => Track(FileRaftStorage.Bootstrap(DirectoryOf(id), configuration, new FileRaftStorageOptions { SegmentBytesMax = 512 })),
        reopen: (id, old) =>
        {
            ((FileRaftStorage)old).Dispose();
            _open.Remove((FileRaftStorage)old);
            var reopened = Track(FileRaftStorage.Open(DirectoryOf(id), new FileRaftStorageOptions { SegmentBytesMax = 512 }));
            Assert.Empty(reopened.Warnings);
            return reopened;
        });

    [Fact]
    public void A_cluster_on_disk_elects_commits_snapshots_and_restarts_every_server_from_its_files()
    {
        var cluster = NewCluster(seed: 71);
        var leader = cluster.ElectLeader();
        for (var i = 0; i < 20; i++) cluster.Propose(leader, $"w{i}");
        cluster.ServerOf(leader).TakeSnapshot();
        for (var i = 20; i < 30; i++) cluster.Propose(leader, $"w{i}");
        var expected = cluster.ServerOf(leader).Applied.ToList();
        var term = cluster[leader].Term;

        foreach (var id in cluster.Ids.ToList()) cluster.Restart(id);
        Assert.All(cluster.Ids, id => Assert.True(cluster[id].Term >= term));
        leader = cluster.ElectLeader();
        cluster.Tick();
        foreach (var id in cluster.Ids) Assert.Equal(expected, cluster.ServerOf(id).Applied);

        cluster.Propose(leader, "after-restart");
        cluster.Tick();
        foreach (var id in cluster.Ids) Assert.Equal("after-restart", cluster.ServerOf(id).Applied[^1]);
        Assert.Equal([1UL, 2, 3], cluster[leader].Configuration.Voters);
    }

    [Fact]
    public void A_lagging_server_catches_up_by_snapshot_and_keeps_it_across_a_restart()
    {
        var cluster = NewCluster(seed: 72);
        var leader = cluster.ElectLeader();
        var lagging = cluster.Ids.First(id => id != leader);
        cluster.Isolate(lagging);
        for (var i = 0; i < 30; i++) cluster.Propose(leader, $"w{i}");
        cluster.ServerOf(leader).TakeSnapshot();
        cluster.Propose(leader, "tail");
        cluster.Heal();
        cluster.TickUntil(() => cluster.ServerOf(lagging).Applied.LastOrDefault() == "tail");

        cluster.Restart(lagging);
        cluster.TickUntil(() => cluster.ServerOf(lagging).Applied.LastOrDefault() == "tail");
        Assert.Equal(cluster.ServerOf(leader).Applied, cluster.ServerOf(lagging).Applied);
        Assert.True(cluster.ServerOf(lagging).Storage.Snapshot()!.Metadata.Index > 0);
    }
}
