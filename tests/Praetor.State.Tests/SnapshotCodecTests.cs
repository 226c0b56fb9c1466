using System.Buffers;
using MessagePack;
using Praetor.State.Kv;

namespace Praetor.State.Tests;

public class SnapshotCodecTests
{
    private static byte[] Write(StateSnapshot snapshot)
    {
        using var stream = new MemoryStream();
        SnapshotCodec.Write(snapshot, stream);
        return stream.ToArray();
    }

    private static StateSnapshot Read(byte[] bytes)
    {
        using var stream = new MemoryStream(bytes);
        return SnapshotCodec.Read(stream);
    }

    private static StateSnapshot Sample()
    {
        var big = new byte[700_000];
        new Random(7).NextBytes(big);
        var kv = KvTable.Empty
            .With("a", 3, "alpha", flags: ulong.MaxValue)
            .Set(new KvEntry("empty", [], 0, 4, 4, 0, null), 4)
            .Set(new KvEntry("nil", null, 0, 5, 5, 0, null), 5)
            .Set(new KvEntry("big", big, 1, 6, 6, 0, null), 6)
            .With("locked", 7, "held", session: "0b7a5d3e-1111-2222-3333-444455556666", lockIndex: 3)
            .With("ключ/😀", 8, "unicode")
            .With("gone/1", 9).With("gone/2", 10).DeleteTree("gone/", 11)
            .With("a", 12, "alpha2");
        return new StateSnapshot(15, kv);
    }

    private static void AssertSameState(StateSnapshot expected, StateSnapshot actual)
    {
        Assert.Equal(expected.Index, actual.Index);
        Assert.Equal(expected.Kv.Index, actual.Kv.Index);
        Assert.Equal(expected.Kv.Entries.Keys(), actual.Kv.Entries.Keys());
        for (var i = 0; i < expected.Kv.Count; i++)
        {
            Kv.AssertSameEntry(expected.Kv.Entries[i], actual.Kv.Entries[i]);
        }
        Assert.Equal(expected.Kv.Tombstones, actual.Kv.Tombstones);
    }

    [Fact]
    public void Empty_state_round_trips()
    {
        AssertSameState(StateSnapshot.Empty, Read(Write(StateSnapshot.Empty)));
    }

    [Fact]
    public void State_with_entries_tombstones_and_indexes_round_trips_exactly()
    {
        var snapshot = Sample();

        var restored = Read(Write(snapshot));

        AssertSameState(snapshot, restored);
        Assert.Null(restored.Kv.Get("nil")!.Value);
        Assert.Empty(restored.Kv.Get("empty")!.Value!);
        Assert.Equal(11UL, restored.Kv.IndexOfPrefix("gone/"));
    }

    [Fact]
    public void Restored_table_serves_lookups_and_writes()
    {
        var restored = Read(Write(Sample())).Kv;

        Assert.Equal(["gone/1", "gone/2"], restored.Tombstones.Select(t => t.Key));
        Assert.Equal(["locked"], restored.List("lo").Keys());
        var rewritten = restored.With("gone/1", 20);
        Assert.Equal(["gone/2"], rewritten.Tombstones.Select(t => t.Key));
    }

    [Fact]
    public void Writing_twice_gives_the_same_bytes()
    {
        Assert.Equal(Write(Sample()), Write(Read(Write(Sample()))));
    }

    [Fact]
    public void Every_truncation_of_a_snapshot_raises_InvalidDataException()
    {
        var bytes = Write(new StateSnapshot(9, KvTable.Empty.With("a", 3, "x", session: "s").With("b", 4).Delete("b", 5)));

        for (var length = 0; length < bytes.Length; length++)
        {
            var ex = Record.Exception(() => Read(bytes[..length]));
            Assert.True(ex is InvalidDataException, $"prefix of {length}/{bytes.Length} bytes gave {ex?.GetType().Name ?? "a snapshot"}");
        }
    }

    public static TheoryData<string, byte[]> MalformedSnapshots() => new()
    {
        { "empty", [] },
        { "not msgpack", "hello, world"u8.ToArray() },
        { "wrong magic", Msgpack((ref w) => { w.WriteArrayHeader(6); w.Write("consul-state"); w.Write(1); w.Write(1); w.Write(1); w.WriteArrayHeader(0); w.WriteArrayHeader(0); }) },
        { "newer version", Msgpack((ref w) => { w.WriteArrayHeader(10); w.Write("praetor-state"); w.Write(4); w.Write(1); w.Write(1); w.WriteArrayHeader(0); w.WriteArrayHeader(0); }) },
        { "five fields", Msgpack((ref w) => { w.WriteArrayHeader(5); w.Write("praetor-state"); w.Write(1); w.Write(1); w.Write(1); w.WriteArrayHeader(0); }) },
        { "negative index", Msgpack((ref w) => { w.WriteArrayHeader(6); w.Write("praetor-state"); w.Write(1); w.Write(-1); w.Write(1); w.WriteArrayHeader(0); w.WriteArrayHeader(0); }) },
        { "entry with six fields", Snapshot((ref w) => { w.WriteArrayHeader(1); w.WriteArrayHeader(6); w.Write("k"); w.WriteNil(); w.Write(0); w.Write(1); w.Write(1); w.Write(0); w.WriteArrayHeader(0); }) },
        { "entry without key", Snapshot((ref w) => { w.WriteArrayHeader(1); w.WriteArrayHeader(7); w.WriteNil(); w.WriteNil(); w.Write(0); w.Write(1); w.Write(1); w.Write(0); w.WriteNil(); w.WriteArrayHeader(0); }) },
        { "tombstone without key", Snapshot((ref w) => { w.WriteArrayHeader(0); w.WriteArrayHeader(1); w.WriteArrayHeader(2); w.WriteNil(); w.Write(1); }) },
        { "tombstone with three fields", Snapshot((ref w) => { w.WriteArrayHeader(0); w.WriteArrayHeader(1); w.WriteArrayHeader(3); w.Write("k"); w.Write(1); w.Write(1); }) },
        { "entry count beyond the data", Snapshot((ref w) => w.WriteArrayHeader(1_000_000)) },
        { "key length beyond int range", [.. Snapshot((ref w) => { w.WriteArrayHeader(1); w.WriteArrayHeader(7); }), 0xDB, 0xFF, 0xFF, 0xFF, 0xFF] },
        { "trailing bytes", [.. Snapshot((ref w) => { w.WriteArrayHeader(0); w.WriteArrayHeader(0); }), 0xC0] },
        { "a key twice", Snapshot((ref w) =>
            {
                w.WriteArrayHeader(2);
                for (var i = 0; i < 2; i++)
                {
                    w.WriteArrayHeader(7); w.Write("dup"); w.WriteNil(); w.Write(0); w.Write(1); w.Write(1); w.Write(0); w.WriteNil();
                }
                w.WriteArrayHeader(0);
            }) },
        { "version 3 without its sessions and coordinates", Msgpack((ref w) => { w.WriteArrayHeader(8); w.Write("praetor-state"); w.Write(3); w.Write(1); w.Write(1); w.WriteArrayHeader(0); w.WriteArrayHeader(0); w.WriteArrayHeader(6); w.Write(0); w.Write(0); w.Write(0); w.WriteArrayHeader(0); w.WriteArrayHeader(0); w.WriteArrayHeader(0); w.Write(0); }) },
        { "a coordinate of a node not in the catalog", Msgpack((ref w) =>
            {
                w.WriteArrayHeader(10); w.Write("praetor-state"); w.Write(3); w.Write(5); w.Write(1); w.WriteArrayHeader(0); w.WriteArrayHeader(0);
                w.WriteArrayHeader(6); w.Write(0); w.Write(0); w.Write(0); w.WriteArrayHeader(0); w.WriteArrayHeader(0); w.WriteArrayHeader(0); w.Write(0);
                w.WriteArrayHeader(2); w.Write(0); w.WriteArrayHeader(0); // no sessions
                w.WriteArrayHeader(2); w.Write(1); w.WriteArrayHeader(1); w.WriteArrayHeader(6); w.Write("ghost"); w.Write(""); w.WriteArrayHeader(0); w.Write(0.0); w.Write(0.0); w.Write(0.0);
            }) },
        { "a tombstone twice", Snapshot((ref w) => { w.WriteArrayHeader(0); w.WriteArrayHeader(2); w.WriteArrayHeader(2); w.Write("t"); w.Write(1); w.WriteArrayHeader(2); w.Write("t"); w.Write(2); }) },
    };

    [Fact]
    public void A_version_2_document_reads_with_no_coordinates()
    {
        var bytes = Msgpack((ref w) =>
        {
            w.WriteArrayHeader(8); w.Write("praetor-state"); w.Write(2); w.Write(5); w.Write(1); w.WriteArrayHeader(0); w.WriteArrayHeader(0);
            w.WriteArrayHeader(6); w.Write(0); w.Write(0); w.Write(0); w.WriteArrayHeader(0); w.WriteArrayHeader(0); w.WriteArrayHeader(0); w.Write(2);
        });

        var snapshot = Read(bytes);

        Assert.Equal((5UL, 2UL), (snapshot.Index, snapshot.IndexOffset));
        Assert.Empty(snapshot.Coordinates.Entries);
    }

    [Theory]
    [MemberData(nameof(MalformedSnapshots))]
    public void Malformed_snapshots_raise_InvalidDataException(string why, byte[] bytes)
    {
        var ex = Record.Exception(() => Read(bytes));

        Assert.True(ex is InvalidDataException, $"{why}: got {ex?.GetType().Name ?? "a snapshot"}");
    }

    [Fact]
    public void Random_and_mutated_bytes_raise_InvalidDataException_or_read()
    {
        var seed = Environment.TickCount;
        var random = new Random(seed);
        var valid = Write(new StateSnapshot(9, KvTable.Empty.With("a", 3, "x", session: "s").With("b/c", 4).Delete("b/c", 5).With("d", 6)));
        for (var i = 0; i < 10_000; i++)
        {
            byte[] bytes;
            if (i % 2 == 0)
            {
                bytes = new byte[random.Next(0, 64)];
                random.NextBytes(bytes);
            }
            else
            {
                bytes = (byte[])valid.Clone();
                for (var flips = random.Next(1, 4); flips > 0; flips--)
                {
                    bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
                }
            }
            try
            {
                _ = Read(bytes);
            }
            catch (InvalidDataException)
            {
            }
            catch (Exception ex)
            {
                Assert.Fail($"seed {seed}, input {i}: {Convert.ToHexString(bytes)} raised {ex}");
            }
        }
    }

    [Fact]
    public void Statistics_count_records_as_consul_names_them_and_add_up_to_the_document()
    {
        var snapshot = Sample();

        var stats = SnapshotCodec.Statistics(snapshot);

        Assert.Equal([("KVS", 6), ("Tombstone", 2), ("Register", 0), ("Session", 0), ("Coordinate", 0)], stats.Select(s => (s.Name, s.Count)));
        Assert.True(stats[0].Size > 700_000, "the big value counts");
        Assert.Equal(0, stats[2].Size);
        var document = Write(snapshot).Length;
        Assert.InRange(stats.Sum(s => s.Size), document - 64, document);
    }

    private delegate void WriteMsgpack(ref MessagePackWriter writer);

    private static byte[] Msgpack(WriteMsgpack write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        write(ref writer);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>A valid snapshot header followed by what <paramref name="writeTables"/> writes for the entries and tombstones.</summary>
    private static byte[] Snapshot(WriteMsgpack writeTables) => Msgpack((ref w) =>
    {
        w.WriteArrayHeader(6);
        w.Write("praetor-state");
        w.Write(1);
        w.Write(5);
        w.Write(5);
        writeTables(ref w);
    });
}
