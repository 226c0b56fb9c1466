using Praetor.Gossip.Serf;
using Praetor.State.Catalog;
using Praetor.State.Commands;
using Praetor.State.Coordinates;

namespace Praetor.State.Tests;

/// <summary>The coordinates table through the FSM, the log encoding and snapshots.</summary>
public class CoordinateTableTests
{
    private readonly StateMachine _fsm = new(new StateStore());

    private StateSnapshot Current => _fsm.Store.Current;

    private static Coordinate At(double x)
    {
        var vec = new double[8];
        vec[0] = x;
        return new Coordinate(vec, 0.2, 0.0001, 0.00002);
    }

    private void Register(ulong index, string node) =>
        _fsm.Apply(index, CommandCodec.Encode(new RegisterCommand(new CatalogRegistration(new CatalogNode { Node = node, Address = "10.0.0.1" }, null, []))));

    private void Update(ulong index, params CoordinateEntry[] updates) =>
        _fsm.Apply(index, CommandCodec.Encode(new CoordinateBatchUpdateCommand(updates)));

    [Fact]
    public void A_batch_writes_coordinates_of_catalog_nodes_and_skips_unknown_nodes_and_invalid_coordinates()
    {
        Register(1, "node-a");
        Register(2, "node-b");

        Update(3,
            new CoordinateEntry("NODE-A", "", At(0.001)),
            new CoordinateEntry("ghost", "", At(0.002)),
            new CoordinateEntry("node-b", "", At(double.NaN)),
            new CoordinateEntry("node-b", "", new Coordinate([0.1], 0, 0, 0)));

        var table = Current.Coordinates;
        Assert.Equal(3UL, table.Index);
        var entry = Assert.Single(table.Entries);
        // Stored under the catalog's spelling of the name.
        Assert.Equal(("node-a", ""), (entry.Node, entry.Segment));
        Assert.Equal(At(0.001).Vec, table.Get("node-a")!.Vec);
        Assert.Null(table.Get("node-b"));
    }

    [Fact]
    public void A_batch_with_nothing_to_write_leaves_the_table_index_alone_and_a_later_one_replaces()
    {
        Register(1, "node-a");
        Update(2, new CoordinateEntry("ghost", "", At(0.002)));
        Assert.Equal(0UL, Current.Coordinates.Index);

        Update(3, new CoordinateEntry("node-a", "", At(0.001)));
        Update(4, new CoordinateEntry("node-a", "", At(0.005)));
        Assert.Equal(4UL, Current.Coordinates.Index);
        Assert.Equal(0.005, Current.Coordinates.Get("node-a")!.Vec[0]);
    }

    [Fact]
    public void Deregistering_a_node_removes_its_coordinates_and_fires_their_watch()
    {
        Register(1, "node-a");
        Update(2, new CoordinateEntry("node-a", "", At(0.001)));
        using var watch = _fsm.Store.CatalogWatches.WatchKey(CatalogWatchKeys.Coordinate("node-a"));

        _fsm.Apply(3, CommandCodec.Encode(new DeregisterCommand("node-a")));

        Assert.Empty(Current.Coordinates.Entries);
        Assert.Equal(3UL, Current.Coordinates.Index);
        Assert.True(watch.Fired.IsCompleted);
    }

    [Fact]
    public void The_command_round_trips_and_a_truncated_one_is_a_decode_error()
    {
        var command = new CoordinateBatchUpdateCommand([new CoordinateEntry("n", "seg", At(-0.25)), new CoordinateEntry("m", "", At(0))]);
        var encoded = CommandCodec.Encode(command);

        var decoded = Assert.IsType<CoordinateBatchUpdateCommand>(CommandCodec.Decode(encoded));

        Assert.Equal(["n", "m"], decoded.Updates.Select(u => u.Node));
        Assert.Equal("seg", decoded.Updates[0].Segment);
        Assert.Equal(At(-0.25).Vec, decoded.Updates[0].Coord.Vec);
        Assert.Equal((0.2, 0.0001, 0.00002), (decoded.Updates[0].Coord.Error, decoded.Updates[0].Coord.Adjustment, decoded.Updates[0].Coord.Height));
        Assert.Equal(9, encoded[1]);
        for (var length = 0; length < encoded.Length; length++)
        {
            Assert.Throws<CommandDecodeException>(() => CommandCodec.Decode(encoded.AsMemory(0, length)));
        }
    }

    [Fact]
    public void Snapshots_carry_the_coordinates_and_their_index_and_inspect_counts_them()
    {
        Register(1, "node-a");
        Register(2, "node-b");
        Update(3, new CoordinateEntry("node-a", "", At(0.001)), new CoordinateEntry("node-b", "", At(0.003)));
        using var stream = new MemoryStream();
        SnapshotCodec.Write(Current, stream);

        var restored = SnapshotCodec.Read(stream.ToArray());

        Assert.Equal(3UL, restored.Coordinates.Index);
        Assert.Equal(["node-a", "node-b"], restored.Coordinates.Entries.Select(e => e.Node));
        Assert.Equal(0.003, restored.Coordinates.Get("node-b")!.Vec[0]);
        var row = SnapshotCodec.Statistics(Current).Single(s => s.Name == "Coordinate");
        Assert.Equal(2, row.Count);
        Assert.True(row.Size > 2 * 8 * 9);
    }
}
