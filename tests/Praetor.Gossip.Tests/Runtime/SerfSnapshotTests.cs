using System.Net;
using Microsoft.Extensions.Logging;
using Praetor.Gossip.Memberlist;
using Praetor.Gossip.Runtime;
using Praetor.Gossip.Serf;

namespace Praetor.Gossip.Tests.Runtime;

/// <summary>Serf's snapshot file: replaying its text, and the writer's records, compaction, leave and bounded queue.</summary>
public sealed class SerfSnapshotTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("praetor-snapshot-").FullName;
    private readonly ListLogger _log = new();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string PathOf(string name) => Path.Combine(_dir, name);

    [Fact]
    public void Replay_keeps_the_last_alive_members_and_clocks()
    {
        var state = SerfSnapshotFormat.Replay(
            "alive: a 10.0.0.1:7946\nalive: b c 10.0.0.2:8301\nclock: 3\nnot-alive: a\nalive: d [::1]:7000\nclock: 9\nevent-clock: 4\nquery-clock: 2\n",
            rejoinAfterLeave: false, _log);

        Assert.Equal(new Dictionary<string, string> { ["b c"] = "10.0.0.2:8301", ["d"] = "[::1]:7000" }, state.AliveNodes);
        Assert.Equal(new RestoredClocks(9, 4, 2), state.Clocks);
        Assert.Empty(_log.Warnings);
    }

    [Fact]
    public void Replay_skips_each_garbage_line_with_a_warning_and_keeps_the_rest()
    {
        var state = SerfSnapshotFormat.Replay(
            "# written by a test\nalive: a 10.0.0.1:7946\nbogus\n\nclock: x\nevent-clock: -1\nquery-clock: 99999999999999999999999\n" +
            "alive: nospace\nalive: c not-an-address\nalive: e 10.0.0.5\ncoordinate: {}\nclock: 5\n\u00ff\u0000junk\n",
            rejoinAfterLeave: false, _log);

        Assert.Equal(new Dictionary<string, string> { ["a"] = "10.0.0.1:7946" }, state.AliveNodes);
        Assert.Equal(new RestoredClocks(5, 0, 0), state.Clocks);
        // bogus, the empty line, three clocks, three addresses, the junk line.
        Assert.Equal(9, _log.Warnings.Count);
    }

    [Fact]
    public void Replay_ignores_a_torn_last_line()
    {
        var state = SerfSnapshotFormat.Replay("alive: a 10.0.0.1:7946\nclock: 5\nalive: b 10.0.", rejoinAfterLeave: false, _log);

        Assert.Equal(["a"], state.AliveNodes.Keys);
        Assert.Equal(5ul, state.Clocks.Clock);
        Assert.Single(_log.Warnings);
    }

    [Fact]
    public void A_leave_forgets_the_members_before_it_but_keeps_the_clocks_unless_rejoining_after_leave()
    {
        const string text = "alive: a 10.0.0.1:7946\nclock: 5\nevent-clock: 3\nleave\nclock: 6\n";

        var left = SerfSnapshotFormat.Replay(text, rejoinAfterLeave: false, _log);
        var rejoining = SerfSnapshotFormat.Replay(text, rejoinAfterLeave: true, _log);
        var rejoinedSince = SerfSnapshotFormat.Replay(text + "alive: b 10.0.0.2:7946\n", rejoinAfterLeave: false, _log);

        Assert.Empty(left.AliveNodes);
        Assert.Equal(new RestoredClocks(6, 3, 0), left.Clocks);
        Assert.Equal(["a"], rejoining.AliveNodes.Keys);
        Assert.Equal(new RestoredClocks(6, 3, 0), rejoining.Clocks);
        Assert.Equal(["b"], rejoinedSince.AliveNodes.Keys);
    }

    [Fact]
    public async Task Recorded_events_round_trip_through_the_file()
    {
        var path = PathOf("serf/local.snapshot");
        var clock = new LamportClock(12);
        var snapshot = SerfSnapshotter.Open(path, rejoinAfterLeave: false, _log, TimeProvider.System);
        Assert.Empty(snapshot.PreviousNodes);
        snapshot.Start(clock);

        Assert.True(snapshot.Record(Join(Member("a", 1), Member("b", 2))));
        Assert.True(snapshot.Record(new SerfMemberEvent(SerfEventType.MemberFailed, [Member("b", 2)])));
        Assert.True(snapshot.Record(new SerfUserEvent(7, "deploy", null, false)));
        Assert.True(snapshot.Record(new SerfUserEvent(6, "older", null, false)));
        Assert.True(snapshot.Record(new SerfQueryEvent(3, "q", null, 1, null, 0, "a", TimeSpan.Zero, 0)));
        await snapshot.DisposeAsync();

        var lines = File.ReadAllLines(path);
        Assert.Equal(["alive: a 10.0.0.1:7946", "alive: b 10.0.0.2:7946", "clock: 11", "not-alive: b", "event-clock: 7", "query-clock: 3"], lines);
        await using var reopened = SerfSnapshotter.Open(path, rejoinAfterLeave: false, _log, TimeProvider.System);
        Assert.Equal([new PreviousNode("a", "10.0.0.1:7946")], reopened.PreviousNodes);
        Assert.Equal(new RestoredClocks(11, 7, 3), reopened.Clocks);
    }

    [Fact]
    public async Task A_name_with_a_line_break_is_not_written()
    {
        var path = PathOf("local.snapshot");
        var snapshot = SerfSnapshotter.Open(path, rejoinAfterLeave: false, _log, TimeProvider.System);
        snapshot.Start(new LamportClock(1));

        snapshot.Record(Join(Member("evil\nleave", 1)));
        await snapshot.DisposeAsync();

        Assert.Equal("", File.ReadAllText(path));
    }

    [Fact]
    public async Task Compaction_bounds_the_file_and_keeps_the_state()
    {
        var path = PathOf("local.snapshot");
        var clock = new LamportClock(1);
        // Time stands still for the writer, so its shutdown flush (250 ms) writes every queued event however slow the machine.
        var snapshot = SerfSnapshotter.Open(path, rejoinAfterLeave: false, _log, new FrozenTimestamps(), minCompactSize: 512);
        snapshot.Start(clock);

        for (var round = 0; round < 200; round++)
        {
            var member = Member($"node-{round % 10}", (byte)(round % 10 + 1));
            snapshot.Record(round % 3 == 2 ? new SerfMemberEvent(SerfEventType.MemberLeave, [member]) : Join(member));
            clock.Increment();
            if (round % 50 == 0) snapshot.Record(new SerfUserEvent((ulong)round + 1, "e", null, false));
        }
        await snapshot.DisposeAsync();

        // 10 members at most: the limit is max(10 * 128 * 2, 512) bytes, a line past it compacts.
        Assert.InRange(new FileInfo(path).Length, 1, 10 * 128 * 2 + 64);
        Assert.False(File.Exists(path + SerfSnapshotter.CompactSuffix));
        var expected = new Dictionary<string, string>();
        for (var round = 0; round < 200; round++)
        {
            var name = $"node-{round % 10}";
            if (round % 3 == 2) expected.Remove(name);
            else expected[name] = $"10.0.0.{round % 10 + 1}:7946";
        }
        await using var reopened = SerfSnapshotter.Open(path, rejoinAfterLeave: false, _log, TimeProvider.System);
        Assert.Equal(expected.OrderBy(p => p.Key), reopened.PreviousNodes.Select(p => KeyValuePair.Create(p.Name, p.Addr)).OrderBy(p => p.Key));
        Assert.Equal(new RestoredClocks(200, 151, 0), reopened.Clocks);
        Assert.Empty(_log.Warnings);
    }

    [Fact]
    public async Task A_leave_is_written_and_synced_and_later_events_are_not_recorded()
    {
        var path = PathOf("local.snapshot");
        var snapshot = SerfSnapshotter.Open(path, rejoinAfterLeave: false, _log, TimeProvider.System);
        snapshot.Start(new LamportClock(1));
        snapshot.Record(Join(Member("a", 1)));
        snapshot.Record(new SerfUserEvent(4, "deploy", null, false));

        await snapshot.LeaveAsync(CancellationToken.None);
        Assert.EndsWith("leave\n", File.ReadAllText(path));
        snapshot.Record(Join(Member("b", 2)));
        await snapshot.DisposeAsync();

        Assert.DoesNotContain("alive: b", File.ReadAllText(path));
        await using (var plain = SerfSnapshotter.Open(path, rejoinAfterLeave: false, _log, TimeProvider.System))
        {
            Assert.Empty(plain.PreviousNodes);
            Assert.Equal(4ul, plain.Clocks.EventClock);
        }
        await using var rejoining = SerfSnapshotter.Open(path, rejoinAfterLeave: true, _log, TimeProvider.System);
        Assert.Equal(["a"], rejoining.PreviousNodes.Select(p => p.Name));
    }

    [Fact]
    public async Task A_writer_that_falls_behind_drops_and_counts_instead_of_growing()
    {
        // Not started: nothing drains the queue, as with a disk that does not keep up.
        await using var snapshot = SerfSnapshotter.Open(PathOf("local.snapshot"), rejoinAfterLeave: false, _log, TimeProvider.System);

        var accepted = 0;
        for (var i = 0; i < SerfSnapshotter.QueueEntriesMax + 100; i++)
        {
            if (snapshot.Record(new SerfUserEvent((ulong)i + 1, "e", null, false))) accepted++;
        }

        Assert.Equal(SerfSnapshotter.QueueEntriesMax, accepted);
        Assert.Equal(100, snapshot.Dropped);
        Assert.NotEmpty(_log.Warnings);
    }

    [Fact]
    public void A_snapshot_path_that_cannot_be_opened_is_a_clear_error()
    {
        var error = Assert.Throws<GossipException>(() => SerfSnapshotter.Open(_dir, rejoinAfterLeave: false, _log, TimeProvider.System));

        Assert.Contains("failed to open the snapshot", error.Message);
    }

    private static SerfMember Member(string name, byte last) =>
        new(name, [10, 0, 0, last], 7946, new Dictionary<string, string>(), MemberStatus.Alive, new ProtocolVersions(1, 5, 2, 2, 5, 5));

    private static SerfMemberEvent Join(params SerfMember[] members) => new(SerfEventType.MemberJoin, members);

    /// <summary>System time for timers, a timestamp that never moves.</summary>
    private sealed class FrozenTimestamps : TimeProvider
    {
        public override long GetTimestamp() => 0;
    }
}
