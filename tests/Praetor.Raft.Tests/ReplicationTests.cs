using System.Text;
using Praetor.Raft.Core;

namespace Praetor.Raft.Tests;

/// <summary>Log replication (§5.3): batching, pipelining, log matching and conflict truncation, and the commit rule (§5.4.2).</summary>
public class ReplicationTests
{
    [Theory]
    [InlineData(3)]
    [InlineData(5)]
    public void Proposals_commit_and_apply_in_the_same_order_everywhere(int size)
    {
        var cluster = new RaftCluster(size, seed: 21);
        var leader = cluster.ElectLeader();
        for (var i = 0; i < 20; i++) cluster.Propose(leader, $"cmd-{i}");
        cluster.Tick();

        var expected = Enumerable.Range(0, 20).Select(i => $"cmd-{i}").ToList();
        foreach (var id in cluster.Ids)
        {
            Assert.Equal(expected, cluster.ServerOf(id).Applied);
            Assert.Equal(cluster[leader].LastIndex, cluster[id].CommitIndex);
        }
    }

    [Fact]
    public void Only_the_leader_accepts_proposals()
    {
        var cluster = new RaftCluster(3, seed: 22);
        var leader = cluster.ElectLeader();
        var follower = cluster.Ids.First(id => id != leader);
        Assert.False(cluster[follower].TryPropose([1], out _));
    }

    [Fact]
    public void AppendEntries_are_batched_by_entry_count_and_bytes()
    {
        var cluster = new RaftCluster(3, seed: 23, o => o with { AppendEntriesBatchEntriesMax = 4, AppendEntriesBatchBytesMax = 100 });
        var leader = cluster.ElectLeader();
        cluster.Sent.Clear();
        for (var i = 0; i < 10; i++) Assert.True(cluster[leader].TryPropose([(byte)i], out _));
        cluster.Settle();

        var appends = cluster.Sent.OfType<AppendEntries>().Where(a => a.Entries.Count > 0).ToList();
        // Ten proposals made before one Ready go out as batches, not one message each.
        Assert.All(appends, a => Assert.InRange(a.Entries.Count, 1, 4));
        Assert.Equal(6, appends.Count); // 4 + 4 + 2 to each of two followers

        cluster.Sent.Clear();
        Assert.True(cluster[leader].TryPropose(new byte[60], out _));
        Assert.True(cluster[leader].TryPropose(new byte[60], out _));
        cluster.Settle();
        // (60 + 24) × 2 bytes is over 100: one entry per message, but never zero.
        Assert.All(cluster.Sent.OfType<AppendEntries>().Where(a => a.Entries.Count > 0), a => Assert.Single(a.Entries));
    }

    [Fact]
    public void A_replicating_follower_gets_AppendEntries_pipelined_up_to_the_inflight_window()
    {
        var cluster = new RaftCluster(3, seed: 24, o => o with { InflightAppendsMax = 3 });
        var leader = cluster.ElectLeader();
        var follower = cluster.Ids.First(id => id != leader);
        cluster.Hold = true;
        cluster.Sent.Clear();

        for (var i = 0; i < 5; i++)
        {
            Assert.True(cluster[leader].TryPropose([(byte)i], out _));
            cluster.Settle(); // one Ready per proposal: each would be its own AppendEntries
        }

        // Three sent before any answer (optimistic next index), then the window is full.
        Assert.Equal(3, cluster.InFlight.OfType<AppendEntries>().Count(a => a.To == follower && a.Entries.Count > 0));
        cluster.Hold = false;
        cluster.Settle();
        cluster.Tick();
        Assert.Equal(5, cluster.ServerOf(follower).Applied.Count);
    }

    [Fact]
    public void A_stale_leaders_uncommitted_entries_are_truncated_and_replaced()
    {
        var cluster = new RaftCluster(5, seed: 25);
        var old = cluster.ElectLeader();
        cluster.Propose(old, "committed");
        cluster.Isolate(old);
        for (var i = 0; i < 30; i++) Assert.True(cluster[old].TryPropose(Encoding.UTF8.GetBytes($"lost-{i}"), out _));
        cluster.Settle();

        cluster.TickUntil(() => cluster.Ids.Any(id => id != old && cluster[id].Role == RaftRole.Leader && cluster[id].CommitIndex == cluster[id].LastIndex));
        var second = cluster.Ids.Single(id => id != old && cluster[id].Role == RaftRole.Leader);
        var expected = new List<string> { "committed" };
        for (var i = 0; i < 30; i++)
        {
            cluster.Propose(second, $"new-{i}");
            expected.Add($"new-{i}");
        }
        // A third leader, whose log is longer than the common prefix with the old leader's.
        cluster.Isolate(second);
        cluster.TickUntil(() => cluster.Ids.Any(id => id != old && id != second && cluster[id].Role == RaftRole.Leader && cluster[id].CommitIndex == cluster[id].LastIndex));
        var leader = cluster.Ids.Single(id => id != old && id != second && cluster[id].Role == RaftRole.Leader);
        cluster.Sent.Clear();
        cluster.Heal();
        cluster.Tick(3);

        Assert.Equal(leader, cluster[old].Leader);
        Assert.Equal(expected, cluster.ServerOf(old).Applied);
        Assert.Equal(cluster[leader].LastIndex, cluster[old].LastIndex);
        // Log matching: the same term at the same index, everywhere.
        Assert.True(cluster.ServerOf(old).Storage.TryGetTerm(cluster[leader].LastIndex, out var term));
        Assert.Equal(cluster[leader].Term, term);
        // Fast backtracking: 30 conflicting entries of one term cost one reject, not thirty.
        Assert.InRange(cluster.Sent.OfType<AppendResponse>().Count(r => r.From == old && r.Reject), 1, 2);
    }

    [Fact]
    public void A_follower_rejects_an_AppendEntries_from_a_stale_term_and_tells_it_the_term()
    {
        var (node, term) = FollowerInTerm(RaftFaults.None);
        node.Step(new AppendEntries(2, 1, term - 1, 1, 1, [new LogEntry(term - 1, 2, LogEntryType.Command, [9])], 2));

        var response = Assert.IsType<AppendResponse>(Assert.Single(node.Ready().Messages));
        Assert.Equal(term, response.Term);
        Assert.Equal(1UL, node.LastIndex);
    }

    [Fact]
    public void The_planted_AcceptStaleTermAppend_fault_takes_entries_from_a_stale_term()
    {
        var (node, term) = FollowerInTerm(new RaftFaults { AcceptStaleTermAppend = true });
        node.Step(new AppendEntries(2, 1, term - 1, 1, 1, [new LogEntry(term - 1, 2, LogEntryType.Command, [9])], 2));
        Assert.Equal(2UL, node.LastIndex);
    }

    [Fact]
    public void Malformed_AppendEntries_and_impossible_acknowledgements_are_ignored()
    {
        var (node, term) = FollowerInTerm(RaftFaults.None);
        // A gap in the indexes; an entry from a later term than the message's; terms going back.
        node.Step(new AppendEntries(3, 1, term, 1, 1, [new LogEntry(term, 3, LogEntryType.Command, [1])], 1));
        node.Step(new AppendEntries(3, 1, term, 1, 1, [new LogEntry(term + 1, 2, LogEntryType.Command, [1])], 1));
        node.Step(new AppendEntries(3, 1, term, 1, 1, [new LogEntry(term, 2, LogEntryType.Command, [1]), new LogEntry(term - 1, 3, LogEntryType.Command, [1])], 1));
        Assert.False(node.HasReady);
        Assert.Equal(1UL, node.LastIndex);

        var cluster = new RaftCluster(3, seed: 28);
        var leader = cluster.ElectLeader();
        var follower = cluster.Ids.First(id => id != leader);
        var commit = cluster[leader].CommitIndex;
        cluster[leader].Step(new AppendResponse(follower, leader, cluster[leader].Term, 1_000, false, 0, 0));
        cluster.Settle();
        Assert.Equal(commit, cluster[leader].CommitIndex);
        cluster.Propose(leader, "still-fine");
        Assert.Equal(["still-fine"], cluster.ServerOf(follower).Applied);
    }

    /// <summary>A follower of server 3 in term 5 holding one entry of term 1.</summary>
    private static (RaftNode Node, ulong Term) FollowerInTerm(RaftFaults faults)
    {
        var storage = new MemoryRaftStorage(Configuration.Of(1, 2, 3));
        var node = new RaftNode(new RaftOptions { Id = 1, Faults = faults }, storage, new Random(1));
        node.Step(new AppendEntries(3, 1, 5, 0, 0, [new LogEntry(1, 1, LogEntryType.Noop, [])], 0));
        Persist(node, storage);
        return (node, 5);
    }

    [Fact]
    public void An_entry_of_an_older_term_is_not_committed_by_counting_replicas_Figure_8()
    {
        // §5.4.2, Figure 8: server 1 holds an entry of term 2 that nobody else has. Elected in
        // term 4, it replicates that entry to a majority before its own no-op; the entry still
        // must not commit until the no-op of term 4 does.
        var storages = new Dictionary<ulong, MemoryRaftStorage>();
        for (ulong id = 1; id <= 3; id++)
        {
            var storage = new MemoryRaftStorage(Configuration.Of(1, 2, 3));
            storage.Append([new LogEntry(1, 1, LogEntryType.Noop, [])]);
            if (id == 1) storage.Append([new LogEntry(2, 2, LogEntryType.Command, Encoding.UTF8.GetBytes("old"))]);
            storage.SetHardState(new HardState(3, 0, 1));
            storages[id] = storage;
        }
        var cluster = new RaftCluster(0, seed: 26, o => o with { AppendEntriesBatchEntriesMax = 1 });
        foreach (var (id, storage) in storages) cluster.AddServer(id, storage);
        cluster.Hold = true;
        cluster.ServerOf(1).Node.Step(new TimeoutNow(2, 1, 3));
        cluster.Settle();
        while (cluster.Deliver(m => m is RequestVote or RequestVoteResponse) > 0) { }
        Assert.Equal(RaftRole.Leader, cluster[1].Role);
        Assert.Equal(4UL, cluster[1].Term);

        // Deliver everything but the no-op (index 3) to a follower that would accept it (the
        // first probe carries it and is rejected, which moves the leader back to index 2).
        bool Holds2(ulong id) => cluster.ServerOf(id).Storage.TryGetTerm(2, out _);
        while (cluster.Deliver(m => m is not AppendEntries { Entries: [{ Index: 3 }, ..] } append || !Holds2(append.To)) > 0) { }
        Assert.True(cluster.ServerOf(2).Storage.TryGetTerm(2, out var term) && term == 2);
        Assert.True(cluster.ServerOf(3).Storage.TryGetTerm(2, out term) && term == 2);
        Assert.Equal(1UL, cluster[1].CommitIndex);
        Assert.Empty(cluster.ServerOf(1).Applied);

        cluster.Hold = false;
        cluster.Settle();
        Assert.Equal(3UL, cluster[1].CommitIndex);
        Assert.Equal(["old"], cluster.ServerOf(1).Applied);
    }

    [Fact]
    public void An_entry_is_applied_only_once_committed()
    {
        var applied = ProposeOnIsolatedLeader(RaftFaults.None);
        Assert.Empty(applied);
    }

    [Fact]
    public void The_planted_ApplyBeforeCommit_fault_applies_an_uncommitted_entry()
    {
        var applied = ProposeOnIsolatedLeader(new RaftFaults { ApplyBeforeCommit = true });
        Assert.Equal(["uncommitted"], applied);
    }

    private static List<string> ProposeOnIsolatedLeader(RaftFaults faults)
    {
        var cluster = new RaftCluster(3, seed: 27, o => o with { Faults = faults });
        var leader = cluster.ElectLeader();
        cluster.Isolate(leader);
        cluster.Propose(leader, "uncommitted");
        return cluster.ServerOf(leader).Applied;
    }

    [Fact]
    public void The_leader_counts_its_own_entry_toward_commit_only_once_persisted()
    {
        var (node, storage) = SingleVoter(RaftFaults.None);
        Assert.True(node.TryPropose([1], out var index));
        var ready = node.Ready();
        Assert.Equal(index, ready.Entries[^1].Index);
        Assert.True(node.CommitIndex < index);
        storage.Append(ready.Entries);
        node.Advance(ready);
        Assert.Equal(index, node.CommitIndex);
    }

    [Fact]
    public void The_planted_AcknowledgeBeforeFsync_fault_commits_before_the_entry_is_persisted()
    {
        var (node, _) = SingleVoter(new RaftFaults { AcknowledgeBeforeFsync = true });
        Assert.True(node.TryPropose([1], out var index));
        Assert.Equal(index, node.CommitIndex);
    }

    /// <summary>A single-voter cluster's leader, its no-op committed.</summary>
    private static (RaftNode Node, MemoryRaftStorage Storage) SingleVoter(RaftFaults faults)
    {
        var storage = new MemoryRaftStorage(Configuration.Of(1));
        var node = new RaftNode(new RaftOptions { Id = 1, Faults = faults }, storage, new Random(1));
        for (var i = 0; i < 20 && node.Role != RaftRole.Leader; i++) node.Tick();
        Assert.Equal(RaftRole.Leader, node.Role);
        Persist(node, storage);
        return (node, storage);
    }

    /// <summary>A host's minimum for one node without a network: persist every Ready and advance.</summary>
    internal static void Persist(RaftNode node, MemoryRaftStorage storage)
    {
        while (node.HasReady)
        {
            var ready = node.Ready();
            if (ready.HardState is { } hardState) storage.SetHardState(hardState);
            storage.Append(ready.Entries);
            node.Advance(ready);
        }
    }
}
