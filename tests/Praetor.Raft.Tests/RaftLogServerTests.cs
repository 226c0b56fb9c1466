using System.Text;
using Praetor.Raft.Core;
using Praetor.Raft.Storage;

namespace Praetor.Raft.Tests;

/// <summary>
/// <see cref="RaftLog"/> as a real server runs it: durable storage, bootstrap, joining with empty
/// storage, snapshots and InstallSnapshot, reads, membership changes and leadership transfer —
/// servers in one process over an in-memory transport, on real time with short ticks.
/// </summary>
public sealed class RaftLogServerTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = Eventually.Deadline;
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(10);

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "praetor-raftlog-" + Guid.NewGuid().ToString("N"));
    private readonly InMemoryTransport _transport = new();
    private readonly Dictionary<ulong, RaftLog> _logs = [];
    private readonly Dictionary<ulong, ListStateMachine> _machines = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var log in _logs.Values) await log.DisposeAsync();
        if (Directory.Exists(_directory)) Directory.Delete(_directory, recursive: true);
    }

    private static string Address(ulong id) => $"10.0.0.{id}:8300";

    private static ReadOnlyMemory<byte> Command(string payload) => Encoding.UTF8.GetBytes(payload);

    private string DataDirectory(ulong id) => Path.Combine(_directory, $"server{id}");

    private RaftLog Start(ulong id, IWritableRaftStorage storage, ulong snapshotThreshold = 16_384, ulong trailingLogs = 0)
    {
        var machine = _machines[id] = new ListStateMachine();
        var log = _logs[id] = new RaftLog(new RaftLogOptions
        {
            ServerId = id,
            Storage = storage,
            StateMachine = machine,
            Transport = _transport,
            TickInterval = Tick,
            SnapshotThreshold = snapshotThreshold,
            SnapshotInterval = Tick,
            TrailingLogs = trailingLogs,
        });
        _transport.Servers[id] = log;
        return log;
    }

    private RaftLog StartDurable(ulong id, ulong snapshotThreshold = 16_384, FileRaftStorageOptions? storageOptions = null) =>
        Start(id, RaftLog.OpenDataDirectory(DataDirectory(id), storageOptions), snapshotThreshold);

    private async Task Stop(ulong id)
    {
        _transport.Servers.TryRemove(id, out _);
        await _logs[id].DisposeAsync();
        _logs.Remove(id);
    }

    private async Task Bootstrap(params ulong[] ids)
    {
        var voters = ids.Select(id => (id, Address(id))).ToList();
        // All at once: a server that campaigns before another bootstrapped would give it a term, and its bootstrap would be refused.
        var bootstrapped = await Task.WhenAll(ids.Select(id => _logs[id].BootstrapAsync(voters, CancellationToken.None).WaitAsync(Deadline)));
        Assert.All(bootstrapped, Assert.True);
    }

    private Task<ulong> LeaderAmong(params ulong[] ids) => Eventually.LeaderAmong(_logs, Address, ids);

    private async Task<ApplyResult[]> ApplyAll(ulong leader, IEnumerable<string> payloads)
    {
        var results = new List<ApplyResult>();
        foreach (var payload in payloads) results.Add(await _logs[leader].ApplyAsync(Command(payload), CancellationToken.None).WaitAsync(Deadline));
        return [.. results];
    }

    [Fact]
    public async Task A_durable_group_restarted_from_its_directories_has_every_applied_command_and_continues_its_indexes()
    {
        ulong[] ids = [1, 2, 3];
        foreach (var id in ids) StartDurable(id);
        await Bootstrap(ids);
        var leader = await LeaderAmong(ids);
        var expected = Enumerable.Range(0, 20).Select(i => $"c{i}").ToArray();
        var results = await ApplyAll(leader, expected);
        await Eventually.True(() => ids.All(id => _machines[id].Payloads.SequenceEqual(expected)), "every server to apply the 20 commands");

        foreach (var id in ids) await Stop(id);
        foreach (var id in ids) StartDurable(id);

        var next = await LeaderAmong(ids);
        await Eventually.True(() => ids.All(id => _machines[id].Payloads.SequenceEqual(expected)), "every restarted server to apply the 20 commands again");
        Assert.All(ids, id => Assert.Equal(results.Select(r => r.Index), _machines[id].Applied.Select(a => a.Index)));
        var after = await _logs[next].ApplyAsync(Command("after"), CancellationToken.None).WaitAsync(Deadline);
        Assert.True(after.Index > results[^1].Index, $"index {after.Index} after the restart does not follow {results[^1].Index}");
        Assert.False(await _logs[next].BootstrapAsync([(next, Address(next))], CancellationToken.None).WaitAsync(Deadline));
    }

    [Fact]
    public async Task A_server_is_bootstrapped_once_and_never_again_after_a_restart()
    {
        var log = StartDurable(1);
        await Assert.ThrowsAsync<ArgumentException>(() => log.BootstrapAsync([(2, Address(2))], CancellationToken.None));

        Assert.True(await log.BootstrapAsync([(1, Address(1))], CancellationToken.None).WaitAsync(Deadline));
        Assert.False(await log.BootstrapAsync([(1, Address(1))], CancellationToken.None).WaitAsync(Deadline));
        await Eventually.True(() => log.Leader.IsLeader, "the only voter to lead");
        var written = await log.ApplyAsync(Command("x"), CancellationToken.None).WaitAsync(Deadline);
        await Stop(1);

        log = StartDurable(1);
        Assert.False(await log.BootstrapAsync([(1, Address(1))], CancellationToken.None).WaitAsync(Deadline));
        await Eventually.True(() => _machines[1].Payloads.SequenceEqual(["x"]) && log.Leader.IsLeader, "the restarted server to lead and apply its command again");
        Assert.Equal([written.Index], _machines[1].Applied.Select(a => a.Index));
        var configuration = log.GetConfiguration();
        Assert.Equal([new RaftServer(1, Address(1), Voter: true, Leader: true)], configuration.Servers);
        Assert.Equal(1UL, configuration.LeaderId);
    }

    [Fact]
    public async Task A_server_with_empty_storage_waits_then_joins_when_the_leader_adds_it_and_learns_every_address_from_the_log()
    {
        foreach (var id in new ulong[] { 1, 2, 3 }) Start(id, MemoryRaftStorage.Empty());
        await Bootstrap(1, 2);
        var leader = await LeaderAmong(1, 2);
        var follower = leader == 1 ? 2UL : 1UL;
        await ApplyAll(leader, ["a"]);
        Assert.Equal(0UL, _logs[3].Term);
        Assert.False(_logs[3].Leader.KnownLeader);
        Assert.Empty(_logs[3].GetConfiguration().Servers);

        await Assert.ThrowsAsync<NotLeaderException>(() => _logs[follower].ChangeConfigurationAsync(ConfigChangeType.AddVoter, 3, Address(3), CancellationToken.None).WaitAsync(Deadline));
        var index = await _logs[leader].ChangeConfigurationAsync(ConfigChangeType.AddVoter, 3, Address(3), CancellationToken.None).WaitAsync(Deadline);
        Assert.True(_logs[leader].CommitIndex >= index);
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => _logs[leader].ChangeConfigurationAsync(ConfigChangeType.AddVoter, 3, Address(3), CancellationToken.None).WaitAsync(Deadline));
        Assert.Contains("already a voter", refused.Message, StringComparison.Ordinal);

        RaftServer[] everyone = [.. new ulong[] { 1, 2, 3 }.Select(id => new RaftServer(id, Address(id), Voter: true, Leader: id == leader))];
        await Eventually.True(() => _logs[3].GetConfiguration().Servers.SequenceEqual(everyone), "the joiner to learn the configuration and every address");
        Assert.Equal([Address(1), Address(2), Address(3)], _logs[3].Peers);
        await ApplyAll(leader, ["b"]);
        await Eventually.True(() => _machines[3].Payloads.SequenceEqual(["a", "b"]), "the joiner to apply every command");
        Assert.Equal(Address(leader), _logs[3].Leader.LeaderAddress);
    }

    /// <summary>
    /// Three servers snapshotting every 10 entries; one is cut off while 30 commands commit and the
    /// leader snapshots past its log, then reconnected and waited for until it has them all.
    /// </summary>
    private async Task<(ulong Leader, ulong Lagging, string[] Expected)> CatchUpAfterSnapshotPastLaggingServer(ulong[] ids, ulong trailingLogs)
    {
        foreach (var id in ids) Start(id, MemoryRaftStorage.Empty(), snapshotThreshold: 10, trailingLogs: trailingLogs);
        await Bootstrap(ids);
        var leader = await LeaderAmong(ids);
        var lagging = ids.First(id => id != leader);
        _transport.Isolated[lagging] = true;
        var lagIndex = _logs[lagging].LastIndex;

        var expected = Enumerable.Range(0, 30).Select(i => $"c{i}").ToArray();
        await ApplyAll(leader, expected);
        await Eventually.True(() => _logs[leader].LastSnapshotIndex > lagIndex + 10, "the leader to snapshot past the lagging server's log");

        _transport.Isolated.TryRemove(lagging, out _);
        await Eventually.True(() => _machines[lagging].Payloads.SequenceEqual(expected), "the lagging server to catch up");
        return (leader, lagging, expected);
    }

    [Fact]
    public async Task After_log_compaction_a_lagging_server_and_a_new_one_catch_up_by_snapshot()
    {
        ulong[] ids = [1, 2, 3];
        var (leader, lagging, expected) = await CatchUpAfterSnapshotPastLaggingServer(ids, trailingLogs: 0);
        Assert.True(_machines[lagging].Restores > 0, "the lagging server caught up without a snapshot");

        Start(4, MemoryRaftStorage.Empty());
        await _logs[leader].ChangeConfigurationAsync(ConfigChangeType.AddNonVoter, 4, Address(4), CancellationToken.None).WaitAsync(Deadline);
        await Eventually.True(() => _machines[4].Payloads.SequenceEqual(expected), "the new server to catch up");
        Assert.True(_machines[4].Restores > 0, "the new server caught up without a snapshot");
        // The snapshot may predate the entry that adds server 4, which then follows it by AppendEntries.
        RaftServer[] everyone = [.. ids.Select(id => new RaftServer(id, Address(id), Voter: true, Leader: id == leader)), new RaftServer(4, Address(4), Voter: false, Leader: false)];
        await Eventually.True(() => _logs[4].GetConfiguration().Servers.SequenceEqual(everyone), "the new server to learn the configuration that adds it");
    }

    [Fact]
    public async Task With_trailing_logs_a_server_a_little_behind_a_snapshot_catches_up_by_entries()
    {
        var (_, lagging, _) = await CatchUpAfterSnapshotPastLaggingServer([1, 2, 3], trailingLogs: 100);
        Assert.Equal(0, _machines[lagging].Restores);
    }

    [Fact]
    public async Task A_snapshot_is_written_off_the_loop_which_keeps_replicating_and_leading_meanwhile()
    {
        ulong[] ids = [1, 2, 3];
        using var gate = new ManualResetEventSlim(false);
        var expected = Enumerable.Range(0, 15).Select(i => $"c{i}").ToList();
        try
        {
            foreach (var id in ids) StartDurable(id, snapshotThreshold: 10);
            foreach (var id in ids) _machines[id].SnapshotGate = gate;
            await Bootstrap(ids);
            var leader = await LeaderAmong(ids);
            var term = _logs[leader].Term;
            await ApplyAll(leader, expected);
            await Eventually.True(() => _machines[leader].SnapshotWritersWaiting == 1, "the leader's snapshot writer to be blocked");

            // The write is stuck; the loop still commits, applies and sends heartbeats for well over an election timeout.
            var more = Enumerable.Range(15, 60).Select(i => $"c{i}").ToList();
            foreach (var payload in more)
            {
                await ApplyAll(leader, [payload]);
                await Task.Delay(Tick);
            }
            expected.AddRange(more);
            Assert.Equal((term, true), (_logs[leader].Term, _logs[leader].Leader.IsLeader));
            Assert.Equal(0UL, _logs[leader].LastSnapshotIndex);
            await Eventually.True(() => ids.All(id => _machines[id].Payloads.SequenceEqual(expected)), "every server to apply all 75 commands");
        }
        finally
        {
            gate.Set();
        }

        var snapshotted = ids.ToDictionary(id => id, id => _logs[id]);
        await Eventually.True(() => ids.All(id => snapshotted[id].LastSnapshotIndex > 0), "the snapshots to be recorded once written");
        foreach (var id in ids) await Stop(id);
        foreach (var id in ids) StartDurable(id);
        await LeaderAmong(ids);
        Assert.All(ids, id => Assert.Equal(1, _machines[id].Restores));
        await Eventually.True(() => ids.All(id => _machines[id].Payloads.SequenceEqual(expected)), "every restarted server to hold each command once");
    }

    [Fact]
    public async Task A_snapshot_from_the_leader_arriving_while_the_follower_writes_its_own_replaces_it()
    {
        ulong[] ids = [1, 2, 3];
        using var gate = new ManualResetEventSlim(false);
        var expected = Enumerable.Range(0, 15).Select(i => $"c{i}").ToList();
        ulong follower;
        // Small segments, so compaction deletes some and the follower cut off needs the snapshot.
        var smallSegments = new FileRaftStorageOptions { SegmentBytesMax = 256 };
        try
        {
            foreach (var id in ids) StartDurable(id, snapshotThreshold: 10, smallSegments);
            await Bootstrap(ids);
            var leader = await LeaderAmong(ids);
            follower = ids.First(id => id != leader);
            _machines[follower].SnapshotGate = gate;
            await ApplyAll(leader, expected);
            await Eventually.True(() => _machines[follower].SnapshotWritersWaiting == 1, "the follower's snapshot writer to be blocked");

            _transport.Isolated[follower] = true;
            var more = Enumerable.Range(15, 30).Select(i => $"c{i}").ToList();
            await ApplyAll(leader, more);
            expected.AddRange(more);
            // 20 past: the segments holding the follower's next entries are surely deleted.
            await Eventually.True(() => _logs[leader].LastSnapshotIndex > _logs[follower].LastIndex + 20, "the leader to compact past the follower");
            _transport.Isolated.TryRemove(follower, out _);
        }
        finally
        {
            gate.Set();
        }

        await Eventually.True(() => _machines[follower].Payloads.SequenceEqual(expected) && _machines[follower].Restores == 1, "the follower to install the leader's snapshot");
        await Stop(follower);
        StartDurable(follower, storageOptions: smallSegments);
        Assert.Equal(1, _machines[follower].Restores);
        await Eventually.True(() => _machines[follower].Payloads.SequenceEqual(expected), "the restarted follower to hold each command once");
    }

    [Fact]
    public async Task A_durable_server_restarts_from_its_snapshot_with_its_state_and_every_address()
    {
        var log = StartDurable(1, snapshotThreshold: 5);
        Assert.True(await log.BootstrapAsync([(1, Address(1))], CancellationToken.None).WaitAsync(Deadline));
        await Eventually.True(() => log.Leader.IsLeader, "the only voter to lead");
        await log.ChangeConfigurationAsync(ConfigChangeType.AddNonVoter, 2, Address(2), CancellationToken.None).WaitAsync(Deadline);
        var expected = Enumerable.Range(0, 20).Select(i => $"c{i}").ToArray();
        await ApplyAll(1, expected);
        await Eventually.True(() => log.LastSnapshotIndex > 10, "a snapshot past the configuration changes");
        await Stop(1);

        log = StartDurable(1, snapshotThreshold: 5);
        Assert.Equal(1, _machines[1].Restores);
        await Eventually.True(() => _machines[1].Payloads.SequenceEqual(expected), "the restarted server to hold every command");
        // Leader only once re-elected, which the snapshot can precede when it holds every command.
        RaftServer[] restored = [new RaftServer(1, Address(1), Voter: true, Leader: true), new RaftServer(2, Address(2), Voter: false, Leader: false)];
        await Eventually.True(() => log.GetConfiguration().Servers.SequenceEqual(restored), "the restarted server to lead with every address");
    }

    [Fact]
    public async Task Reads_on_the_leader_see_every_applied_write_and_followers_refuse_them_but_wait_for_the_index()
    {
        ulong[] ids = [1, 2, 3];
        foreach (var id in ids) Start(id, MemoryRaftStorage.Empty());
        await Bootstrap(ids);
        var leader = await LeaderAmong(ids);
        var follower = ids.First(id => id != leader);
        var written = await _logs[leader].ApplyAsync(Command("w"), CancellationToken.None).WaitAsync(Deadline);

        var leased = await _logs[leader].ReadIndexAsync(allowLease: true, CancellationToken.None).WaitAsync(Deadline);
        Assert.True(leased >= written.Index && _logs[leader].AppliedIndex >= leased, $"lease read at {leased}, write at {written.Index}, applied {_logs[leader].AppliedIndex}");
        var confirmed = await _logs[leader].ReadIndexAsync(allowLease: false, CancellationToken.None).WaitAsync(Deadline);
        Assert.True(confirmed >= written.Index && _logs[leader].AppliedIndex >= confirmed, $"read-index read at {confirmed}, write at {written.Index}");

        foreach (var allowLease in new[] { true, false })
        {
            var error = await Assert.ThrowsAsync<NotLeaderException>(() => _logs[follower].ReadIndexAsync(allowLease, CancellationToken.None).WaitAsync(Deadline));
            Assert.Contains(Address(leader), error.Message, StringComparison.Ordinal);
        }
        await _logs[follower].WaitAppliedAsync(confirmed, CancellationToken.None).WaitAsync(Deadline);
        Assert.Contains("w", _machines[follower].Payloads);
        using var cancelled = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _logs[follower].WaitAppliedAsync(confirmed + 1_000, cancelled.Token));
    }

    [Fact]
    public async Task Leadership_is_handed_to_the_most_caught_up_voter_or_a_named_one()
    {
        ulong[] ids = [1, 2, 3];
        foreach (var id in ids) Start(id, MemoryRaftStorage.Empty());
        await Bootstrap(ids);
        var first = await LeaderAmong(ids);
        await ApplyAll(first, ["a"]);

        await Assert.ThrowsAsync<InvalidOperationException>(() => _logs[first].TransferLeadershipAsync(9, CancellationToken.None).WaitAsync(Deadline));
        await _logs[first].TransferLeadershipAsync(null, CancellationToken.None).WaitAsync(Deadline);
        var second = await LeaderAmong(ids);
        Assert.NotEqual(first, second);
        await Assert.ThrowsAsync<NotLeaderException>(() => _logs[first].TransferLeadershipAsync(null, CancellationToken.None).WaitAsync(Deadline));

        await _logs[second].TransferLeadershipAsync(first, CancellationToken.None).WaitAsync(Deadline);
        Assert.Equal(first, await LeaderAmong(ids));
        await ApplyAll(first, ["b"]);
    }

    [Fact]
    public async Task A_corrupted_write_ahead_log_stops_start_up_with_an_error_naming_the_file()
    {
        var log = StartDurable(1);
        Assert.True(await log.BootstrapAsync([(1, Address(1))], CancellationToken.None).WaitAsync(Deadline));
        await Eventually.True(() => log.Leader.IsLeader, "the only voter to lead");
        await ApplyAll(1, Enumerable.Range(0, 20).Select(i => $"command number {i}"));
        await Stop(1);
        var segment = Directory.GetFiles(Path.Combine(DataDirectory(1), RaftLog.DataDirectoryName, "wal")).Single();
        var bytes = await File.ReadAllBytesAsync(segment);
        bytes[bytes.Length / 2] ^= 0xFF;
        await File.WriteAllBytesAsync(segment, bytes);

        var error = Assert.Throws<RaftStorageException>(() => RaftLog.OpenDataDirectory(DataDirectory(1)));
        Assert.Contains(segment, error.Message, StringComparison.Ordinal);
    }
}
