using System.Text;
using Praetor.Raft.Core;
using Praetor.Raft.Storage;

namespace Praetor.Raft.Tests.Storage;

/// <summary><see cref="FileRaftStorage"/>: what survives a restart, what recovery repairs (a torn tail) and what it refuses (any other damage).</summary>
public sealed class FileRaftStorageTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "praetor-raft-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory)) Directory.Delete(_directory, recursive: true);
    }

    private string WalDirectory => Path.Combine(_directory, "wal");

    private static LogEntry Entry(ulong term, ulong index, string command = "") =>
        new(term, index, LogEntryType.Command, Encoding.UTF8.GetBytes(command.Length > 0 ? command : $"cmd-{index}"));

    private static List<LogEntry> Entries(ulong term, ulong from, ulong to) =>
        [.. Enumerable.Range((int)from, (int)(to - from + 1)).Select(i => Entry(term, (ulong)i))];

    private static List<string> Commands(IRaftStorage storage) =>
        [.. storage.Entries(storage.FirstIndex, storage.LastIndex + 1, long.MaxValue).Select(e => Encoding.UTF8.GetString(e.Command))];

    private string[] Segments() => [.. Directory.GetFiles(WalDirectory).Order(StringComparer.Ordinal)];

    [Fact]
    public void Term_and_vote_are_written_at_once_and_a_commit_alone_at_the_next_term_or_close()
    {
        var state = Path.Combine(_directory, "state");
        var storage = FileRaftStorage.Open(_directory);
        storage.Append(Entries(1, 1, 10));
        storage.SetHardState(new HardState(2, 1, 0));
        var written = File.ReadAllBytes(state);
        storage.SetHardState(new HardState(2, 1, 7));
        Assert.Equal(written, File.ReadAllBytes(state));
        Assert.Equal(new HardState(2, 1, 7), storage.HardState);

        // A crash now (the file as it is) restarts with the older commit index: volatile state the leader restores.
        File.Copy(state, state + ".crash");
        storage.SetHardState(new HardState(3, 0, 7));
        Assert.NotEqual(written, File.ReadAllBytes(state));
        storage.SetHardState(new HardState(3, 0, 9));
        storage.Dispose();

        using (var reopened = FileRaftStorage.Open(_directory))
        {
            Assert.Equal(new HardState(3, 0, 9), reopened.InitialState().HardState);
        }
        File.Copy(state + ".crash", state, overwrite: true);
        File.Delete(state + ".crash");
        using var crashed = FileRaftStorage.Open(_directory);
        Assert.Equal(new HardState(2, 1, 0), crashed.InitialState().HardState);
    }

    [Fact]
    public void Entries_hard_state_and_snapshot_survive_a_restart()
    {
        using (var storage = FileRaftStorage.Open(_directory))
        {
            storage.Append(Entries(1, 1, 10));
            storage.SetHardState(new HardState(3, 2, 10));
            storage.CreateSnapshot(5, Configuration.Of(1, 2, 3) with { NonVoters = [4] }, Encoding.UTF8.GetBytes("state@5"), trailingLogs: 0);
            storage.Append(Entries(3, 11, 12));
        }

        using var reopened = FileRaftStorage.Open(_directory);
        Assert.Empty(reopened.Warnings);
        Assert.Equal(new HardState(3, 2, 10), reopened.InitialState().HardState);
        Assert.Equal([1UL, 2, 3], reopened.InitialState().Configuration.Voters);
        Assert.Equal([4UL], reopened.InitialState().Configuration.NonVoters);
        // The one segment holds entries the snapshot covers too: they stay readable.
        Assert.Equal((1UL, 5UL, 12UL), (reopened.FirstIndex, reopened.SnapshotIndex, reopened.LastIndex));
        Assert.True(reopened.TryGetTerm(5, out var term) && term == 1);
        Assert.True(reopened.TryGetTerm(12, out term) && term == 3);
        Assert.True(reopened.TryGetTerm(4, out term) && term == 1);
        Assert.Equal(Enumerable.Range(1, 12).Select(i => $"cmd-{i}"), Commands(reopened));
        var snapshot = reopened.Snapshot()!;
        Assert.Equal((5UL, 1UL), (snapshot.Metadata.Index, snapshot.Metadata.Term));
        Assert.Equal("state@5", Encoding.UTF8.GetString(snapshot.Data));
    }

    [Fact]
    public void Entries_stop_at_the_byte_limit_but_return_at_least_one()
    {
        using var storage = FileRaftStorage.Open(_directory);
        storage.Append([Entry(1, 1, new string('a', 100)), Entry(1, 2, new string('b', 100)), Entry(1, 3, "c")]);
        Assert.Single(storage.Entries(1, 4, 10));
        Assert.Equal(2, storage.Entries(1, 4, 2 * (100 + 24)).Count);
        Assert.Equal(3, storage.Entries(1, 4, long.MaxValue).Count);
    }

    [Fact]
    public void A_conflicting_suffix_is_replaced_and_stays_replaced_after_a_restart()
    {
        var options = new FileRaftStorageOptions { SegmentBytesMax = 200 };
        using (var storage = FileRaftStorage.Open(_directory, options))
        {
            storage.Append(Entries(1, 1, 20));
            Assert.True(Segments().Length > 2);
            storage.Append([Entry(2, 4, "new-4"), Entry(2, 5, "new-5")]);
            Assert.Equal(5UL, storage.LastIndex);
        }

        using var reopened = FileRaftStorage.Open(_directory, options);
        Assert.Empty(reopened.Warnings);
        Assert.Equal(5UL, reopened.LastIndex);
        Assert.Equal(["cmd-1", "cmd-2", "cmd-3", "new-4", "new-5"], Commands(reopened));
        Assert.True(reopened.TryGetTerm(5, out var term) && term == 2);
    }

    [Fact]
    public void Appending_past_a_gap_or_below_the_snapshot_is_refused()
    {
        using var storage = FileRaftStorage.Open(_directory);
        storage.Append(Entries(1, 1, 3));
        Assert.Throws<InvalidOperationException>(() => storage.Append([Entry(1, 5)]));
        storage.CreateSnapshot(2, Configuration.Of(1), [], trailingLogs: 0);
        Assert.Throws<InvalidOperationException>(() => storage.Append([Entry(1, 2)]));
        Assert.Equal(3UL, storage.LastIndex);
    }

    [Fact]
    public void Segments_roll_over_at_the_size_limit_and_are_named_by_their_first_index()
    {
        var options = new FileRaftStorageOptions { SegmentBytesMax = 256 };
        using (var storage = FileRaftStorage.Open(_directory, options))
        {
            storage.Append(Entries(1, 1, 30));
            // A single entry larger than a segment gets one of its own.
            storage.Append([Entry(1, 31, new string('x', 1000))]);
            storage.Append(Entries(1, 32, 33));
        }

        var segments = Segments();
        Assert.True(segments.Length > 3);
        Assert.Equal("00000000000000000001.wal", Path.GetFileName(segments[0]));
        Assert.Contains(segments, s => Path.GetFileName(s) == "00000000000000000031.wal");
        Assert.All(segments.Where(s => Path.GetFileName(s) != "00000000000000000031.wal"), s => Assert.True(new FileInfo(s).Length <= 256));
        using var reopened = FileRaftStorage.Open(_directory, options);
        Assert.Equal(33UL, reopened.LastIndex);
        Assert.Equal(1000, reopened.Entries(31, 32, long.MaxValue)[0].Command.Length);
        Assert.Equal(Enumerable.Range(1, 33).Select(i => i == 31 ? new string('x', 1000) : $"cmd-{i}"), Commands(reopened));
    }

    [Fact]
    public void A_snapshot_deletes_the_segments_wholly_below_it()
    {
        var options = new FileRaftStorageOptions { SegmentBytesMax = 256 };
        using var storage = FileRaftStorage.Open(_directory, options);
        storage.Append(Entries(1, 1, 40));
        var before = Segments().Select(s => ulong.Parse(Path.GetFileNameWithoutExtension(s), System.Globalization.CultureInfo.InvariantCulture)).ToList();
        storage.CreateSnapshot(25, Configuration.Of(1), [], trailingLogs: 0);

        var after = Segments().Select(s => ulong.Parse(Path.GetFileNameWithoutExtension(s), System.Globalization.CultureInfo.InvariantCulture)).ToList();
        // The segment holding 25 stays (26 must remain readable), every one before it goes.
        var holding25 = before.Last(first => first <= 25);
        Assert.Equal(before.Where(first => first >= holding25), after);
        Assert.True(after.Count < before.Count);
        Assert.Equal(holding25, storage.FirstIndex);
        Assert.Equal(Enumerable.Range((int)holding25, 41 - (int)holding25).Select(i => $"cmd-{i}"), Commands(storage));
    }

    [Fact]
    public void A_snapshot_keeps_the_trailing_entries_through_its_index()
    {
        var options = new FileRaftStorageOptions { SegmentBytesMax = 256 };
        using (var storage = FileRaftStorage.Open(_directory, options))
        {
            storage.Append(Entries(1, 1, 40));
            storage.CreateSnapshot(25, Configuration.Of(1), [], trailingLogs: 10);

            // Whole segments go: the one holding 16 (the first of the 10 kept) stays, so at least 10 are readable.
            Assert.Equal(25UL, storage.SnapshotIndex);
            Assert.InRange(storage.FirstIndex, 2UL, 16UL);
            Assert.True(storage.TryGetTerm(16, out var term) && term == 1);
            Assert.Equal(Enumerable.Range((int)storage.FirstIndex, 41 - (int)storage.FirstIndex).Select(i => $"cmd-{i}"), Commands(storage));
            Assert.Throws<InvalidOperationException>(() => storage.Append([Entry(2, 25)]));
        }

        using var reopened = FileRaftStorage.Open(_directory, options);
        Assert.Empty(reopened.Warnings);
        Assert.Equal(25UL, reopened.SnapshotIndex);
        Assert.InRange(reopened.FirstIndex, 2UL, 16UL);
        Assert.Equal(40UL, reopened.LastIndex);

        // More trailing entries than the log holds: nothing is dropped.
        reopened.CreateSnapshot(30, Configuration.Of(1), [], trailingLogs: 1_000);
        Assert.InRange(reopened.FirstIndex, 2UL, 16UL);
    }

    [Fact]
    public void Memory_storage_keeps_exactly_the_trailing_entries()
    {
        var storage = new MemoryRaftStorage(Configuration.Of(1));
        storage.Append(Entries(1, 1, 40));
        storage.CreateSnapshot(25, Configuration.Of(1), [], trailingLogs: 10);
        Assert.Equal((16UL, 25UL, 40UL), (storage.FirstIndex, storage.SnapshotIndex, storage.LastIndex));
        Assert.False(storage.TryGetTerm(15, out _));
        Assert.Equal(Enumerable.Range(16, 25).Select(i => $"cmd-{i}"), Commands(storage));
        Assert.Throws<InvalidOperationException>(() => storage.Append([Entry(2, 25)]));

        storage.CreateSnapshot(40, Configuration.Of(1), [], trailingLogs: 0);
        Assert.Equal((41UL, 40UL), (storage.FirstIndex, storage.LastIndex));
        storage.Append([Entry(2, 41)]);
        Assert.Equal(41UL, storage.LastIndex);
    }

    [Fact]
    public void Only_the_latest_snapshots_are_kept()
    {
        using var storage = FileRaftStorage.Open(_directory, new FileRaftStorageOptions { SnapshotsRetained = 2 });
        storage.Append(Entries(1, 1, 10));
        foreach (var index in new ulong[] { 2, 4, 6, 8 }) storage.CreateSnapshot(index, Configuration.Of(1), [(byte)index], trailingLogs: 0);

        var names = Directory.GetDirectories(Path.Combine(_directory, "snapshots")).Select(Path.GetFileName).Order(StringComparer.Ordinal);
        Assert.Equal(["1-6", "1-8"], names);
    }

    [Fact]
    public void A_snapshot_from_the_leader_replaces_the_log_across_a_restart()
    {
        using (var storage = FileRaftStorage.Open(_directory))
        {
            storage.Append(Entries(1, 1, 5));
            storage.ApplySnapshot(new RaftSnapshot(new SnapshotMetadata(50, 4, Configuration.Of(1, 2)), [7]));
            Assert.Equal((51UL, 50UL), (storage.FirstIndex, storage.LastIndex));
            storage.Append(Entries(4, 51, 52));
        }

        using var reopened = FileRaftStorage.Open(_directory);
        Assert.Equal((51UL, 52UL), (reopened.FirstIndex, reopened.LastIndex));
        Assert.Equal([7], reopened.Snapshot()!.Data);
    }

    [Fact]
    public void A_torn_last_record_is_cut_off_at_every_byte_offset()
    {
        using (var storage = FileRaftStorage.Open(_directory))
        {
            storage.Append(Entries(1, 1, 3));
            storage.Append([Entry(1, 4, "the-last-record")]);
        }
        var segment = Segments().Single();
        var full = File.ReadAllBytes(segment);
        var lastRecordBytes = 9 + 17 + "the-last-record".Length;
        var lastStart = full.Length - lastRecordBytes;

        for (var cut = lastStart; cut < full.Length; cut++)
        {
            File.WriteAllBytes(segment, full.AsSpan(0, cut).ToArray());
            using (var reopened = FileRaftStorage.Open(_directory))
            {
                Assert.Equal(3UL, reopened.LastIndex);
                Assert.Equal(["cmd-1", "cmd-2", "cmd-3"], Commands(reopened));
                if (cut == lastStart) Assert.Empty(reopened.Warnings);
                else Assert.Contains($"offset {lastStart}", Assert.Single(reopened.Warnings));
                // The log continues where the cut left it.
                reopened.Append([Entry(2, 4, "rewritten")]);
            }
            Assert.Equal(lastStart + 9 + 17 + "rewritten".Length, new FileInfo(segment).Length);
        }
    }

    [Fact]
    public void A_last_record_failing_its_checksum_at_the_end_is_cut_off()
    {
        using (var storage = FileRaftStorage.Open(_directory)) storage.Append(Entries(1, 1, 3));
        var segment = Segments().Single();
        var bytes = File.ReadAllBytes(segment);
        bytes[^1] ^= 0xFF;
        File.WriteAllBytes(segment, [.. bytes, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);

        using var reopened = FileRaftStorage.Open(_directory);
        Assert.Equal(2UL, reopened.LastIndex);
        Assert.Single(reopened.Warnings);
    }

    [Fact]
    public void A_bad_checksum_before_the_end_stops_start_up_naming_the_file_and_offset()
    {
        using (var storage = FileRaftStorage.Open(_directory)) storage.Append(Entries(1, 1, 3));
        var segment = Segments().Single();
        var bytes = File.ReadAllBytes(segment);
        var secondRecord = 8 + 9 + 17 + "cmd-1".Length;
        bytes[secondRecord + 9 + 17] ^= 0x01; // a byte of entry 2's command
        File.WriteAllBytes(segment, bytes);

        var error = Assert.Throws<RaftStorageException>(() => FileRaftStorage.Open(_directory));
        Assert.Equal(segment, error.Path);
        Assert.Contains($"offset {secondRecord}", error.Message, StringComparison.Ordinal);
        Assert.Contains("00000000000000000001.wal", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Damage_in_a_segment_that_is_not_the_last_stops_start_up()
    {
        var options = new FileRaftStorageOptions { SegmentBytesMax = 128 };
        using (var storage = FileRaftStorage.Open(_directory, options)) storage.Append(Entries(1, 1, 20));
        var first = Segments()[0];
        var bytes = File.ReadAllBytes(first);
        File.WriteAllBytes(first, bytes.AsSpan(0, bytes.Length - 1).ToArray());

        var error = Assert.Throws<RaftStorageException>(() => FileRaftStorage.Open(_directory, options));
        Assert.Equal(first, error.Path);
    }

    [Fact]
    public void A_missing_segment_is_a_gap_that_stops_start_up()
    {
        var options = new FileRaftStorageOptions { SegmentBytesMax = 128 };
        using (var storage = FileRaftStorage.Open(_directory, options)) storage.Append(Entries(1, 1, 20));
        var segments = Segments();
        File.Delete(segments[1]);

        var error = Assert.Throws<RaftStorageException>(() => FileRaftStorage.Open(_directory, options));
        Assert.Equal(segments[2], error.Path);
        Assert.Contains("gap", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bad_stable_state_file_stops_start_up()
    {
        using (var storage = FileRaftStorage.Open(_directory)) storage.SetHardState(new HardState(5, 1, 0));
        var state = Path.Combine(_directory, "state");
        var bytes = File.ReadAllBytes(state);
        bytes[6] ^= 0x10;
        File.WriteAllBytes(state, bytes);

        var error = Assert.Throws<RaftStorageException>(() => FileRaftStorage.Open(_directory));
        Assert.Equal(state, error.Path);
        Assert.Contains("checksum", error.Message, StringComparison.Ordinal);

        File.WriteAllBytes(state, bytes.AsSpan(0, 10).ToArray());
        Assert.Throws<RaftStorageException>(() => FileRaftStorage.Open(_directory));
    }

    [Fact]
    public void A_bad_snapshot_stops_start_up_and_an_interrupted_one_is_removed()
    {
        using (var storage = FileRaftStorage.Open(_directory))
        {
            storage.Append(Entries(1, 1, 5));
            storage.CreateSnapshot(3, Configuration.Of(1), [1, 2, 3], trailingLogs: 0);
        }
        var interrupted = Path.Combine(_directory, "snapshots", "1-5.tmp");
        Directory.CreateDirectory(interrupted);
        using (var reopened = FileRaftStorage.Open(_directory))
        {
            Assert.Contains(reopened.Warnings, w => w.Contains("1-5.tmp", StringComparison.Ordinal));
            Assert.False(Directory.Exists(interrupted));
        }

        var data = Path.Combine(_directory, "snapshots", "1-3", "data");
        File.WriteAllBytes(data, [1, 2, 4]);
        var error = Assert.Throws<RaftStorageException>(() => FileRaftStorage.Open(_directory));
        Assert.Equal(data, error.Path);
    }

    [Fact]
    public void A_commit_index_past_the_log_falls_back_to_its_end()
    {
        using (var storage = FileRaftStorage.Open(_directory))
        {
            storage.Append(Entries(1, 1, 3));
            // The hard state of a Ready is persisted before its entries; the crash came in between.
            storage.SetHardState(new HardState(1, 0, 5));
        }

        using var reopened = FileRaftStorage.Open(_directory);
        Assert.Equal(new HardState(1, 0, 3), reopened.InitialState().HardState);
        Assert.Single(reopened.Warnings);
    }

    [Fact]
    public void Bootstrap_refuses_a_directory_that_holds_state()
    {
        FileRaftStorage.Bootstrap(_directory, Configuration.Of(1, 2, 3)).Dispose();
        Assert.Throws<InvalidOperationException>(() => FileRaftStorage.Bootstrap(_directory, Configuration.Of(1, 2, 3)));
        using var reopened = FileRaftStorage.Open(_directory);
        Assert.Equal(3UL, reopened.LastIndex);
        Assert.Equal(new HardState(1, 0, 3), reopened.HardState);
    }

    [Fact]
    public void Without_fsync_under_the_planted_fault_the_writes_still_land()
    {
        var options = new FileRaftStorageOptions { Faults = new RaftFaults { AcknowledgeBeforeFsync = true } };
        using (var storage = FileRaftStorage.Open(_directory, options))
        {
            storage.Append(Entries(1, 1, 3));
            storage.SetHardState(new HardState(1, 1, 3));
        }
        using var reopened = FileRaftStorage.Open(_directory);
        Assert.Equal(3UL, reopened.LastIndex);
    }

    [Fact]
    public void A_log_that_disagrees_with_the_snapshot_is_dropped_after_a_crash_inside_a_snapshot_from_the_leader()
    {
        using (var storage = FileRaftStorage.Open(_directory)) storage.Append(Entries(1, 1, 10));
        // The snapshot of term 2 at 5 was written, the crash came before the old segments were deleted.
        var leaderDirectory = _directory + "-leader";
        try
        {
            using (var leader = FileRaftStorage.Open(leaderDirectory))
            {
                leader.Append(Entries(2, 1, 5));
                leader.CreateSnapshot(5, Configuration.Of(1, 2), [5], trailingLogs: 0);
            }
            Directory.Move(Path.Combine(leaderDirectory, "snapshots", "2-5"), Path.Combine(_directory, "snapshots", "2-5"));
        }
        finally
        {
            Directory.Delete(leaderDirectory, recursive: true);
        }

        using var reopened = FileRaftStorage.Open(_directory);
        Assert.Equal((6UL, 5UL), (reopened.FirstIndex, reopened.LastIndex));
        Assert.Contains(reopened.Warnings, w => w.Contains("conflict", StringComparison.Ordinal));
        Assert.Empty(Segments());
        reopened.Append(Entries(2, 6, 7));
        Assert.Equal(7UL, reopened.LastIndex);
    }

    [Fact]
    public void A_log_that_starts_after_the_snapshot_is_a_gap_that_stops_start_up()
    {
        var options = new FileRaftStorageOptions { SegmentBytesMax = 128 };
        using (var storage = FileRaftStorage.Open(_directory, options))
        {
            storage.Append(Entries(1, 1, 20));
            storage.CreateSnapshot(2, Configuration.Of(1), [], trailingLogs: 0);
        }
        var segments = Segments();
        File.Delete(segments[0]);

        var error = Assert.Throws<RaftStorageException>(() => FileRaftStorage.Open(_directory, options));
        Assert.Equal(segments[1], error.Path);
        Assert.Contains("snapshot covers only through 2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_options_are_refused_with_every_problem()
    {
        var error = Assert.Throws<ArgumentException>(() => FileRaftStorage.Open(_directory, new FileRaftStorageOptions { SegmentBytesMax = 10, SnapshotsRetained = 0 }));
        Assert.Contains("SegmentBytesMax", error.Message, StringComparison.Ordinal);
        Assert.Contains("SnapshotsRetained", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_same_snapshot_received_twice_keeps_the_copy_on_disk()
    {
        var snapshot = new RaftSnapshot(new SnapshotMetadata(9, 3, Configuration.Of(1)), [9]);
        using (var storage = FileRaftStorage.Open(_directory))
        {
            storage.ApplySnapshot(snapshot);
            storage.ApplySnapshot(snapshot);
        }
        using var reopened = FileRaftStorage.Open(_directory);
        Assert.Equal([9], reopened.Snapshot()!.Data);
        Assert.Equal(9UL, reopened.LastIndex);
    }
}
