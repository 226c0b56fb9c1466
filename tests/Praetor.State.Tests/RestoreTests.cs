using System.Buffers;
using MessagePack;
using Praetor.State.Catalog;
using Praetor.State.Commands;
using Praetor.State.Kv;
using static Praetor.State.Commands.KvVerb;

namespace Praetor.State.Tests;

/// <summary>The restore command: its encoding, and the state machine replacing everything with it.</summary>
public class RestoreTests
{
    private readonly StateMachine _fsm = new(new StateStore());

    private StateStore Store => _fsm.Store;

    private static CatalogRegistration Node(string name) =>
        new(new CatalogNode { Node = name, Address = "10.0.0.1" }, null, []);

    /// <summary>A state at index 40: KV entries and a tombstone, and a node in the catalog.</summary>
    private static StateSnapshot Saved()
    {
        var fsm = new StateMachine(new StateStore());
        fsm.Apply(10, CommandCodec.Encode(new TxnCommand([Kv.Op(Set, "app/a", "1"), Kv.Op(Set, "app/gone", "x")])));
        fsm.Apply(20, CommandCodec.Encode(new TxnCommand([Kv.Op(Delete, "app/gone")])));
        fsm.Apply(30, CommandCodec.Encode(new RegisterCommand(Node("saved-node"))));
        fsm.Apply(40, CommandCodec.Encode(new TxnCommand([Kv.Op(Set, "app/b", "2")])));
        return fsm.Store.Current;
    }

    private void Restore(ulong index, StateSnapshot state) => _fsm.Apply(index, CommandCodec.Encode(new RestoreCommand(state)));

    [Fact]
    public void Restore_command_round_trips_its_state_with_version_1()
    {
        var saved = Saved();

        var encoded = CommandCodec.Encode(new RestoreCommand(saved));
        var decoded = Assert.IsType<RestoreCommand>(CommandCodec.Decode(encoded)).State;

        var reader = new MessagePackReader(encoded);
        Assert.Equal(3, reader.ReadArrayHeader());
        Assert.Equal(5, reader.ReadByte());
        Assert.Equal(1, reader.ReadByte());
        Assert.Equal(saved.Index, decoded.Index);
        Assert.Equal(saved.Kv.Entries.Keys(), decoded.Kv.Entries.Keys());
        Assert.Equal(saved.Kv.Tombstones, decoded.Kv.Tombstones);
        Assert.Equal(["saved-node"], decoded.Catalog.Nodes.Select(n => n.Node));
    }

    [Fact]
    public void Restore_command_with_a_bad_state_document_raises_CommandDecodeException()
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        writer.WriteArrayHeader(3);
        writer.Write((byte)5);
        writer.Write((byte)1);
        writer.Write("not a state"u8);
        writer.Flush();

        Assert.Throws<CommandDecodeException>(() => CommandCodec.Decode(buffer.WrittenMemory));
    }

    [Fact]
    public void Restore_replaces_kv_tombstones_and_catalog_and_keeps_their_indexes()
    {
        var saved = Saved();
        _fsm.Apply(100, CommandCodec.Encode(new TxnCommand([Kv.Op(Set, "other", "o"), Kv.Op(Set, "app/a", "changed")])));
        _fsm.Apply(101, CommandCodec.Encode(new RegisterCommand(Node("other-node"))));

        Restore(102, saved);

        var current = Store.Current;
        Assert.Equal(["app/a", "app/b"], current.Kv.Entries.Keys());
        Assert.Equal("1", Kv.Text(current.Kv.Get("app/a")!.Value));
        Assert.Equal(10UL, current.Kv.Get("app/a")!.ModifyIndex);
        Assert.Equal([new KvTombstone("app/gone", 20)], current.Kv.Tombstones);
        Assert.Equal(40UL, current.Kv.Index);
        Assert.Equal(["saved-node"], current.Catalog.Nodes.Select(n => n.Node));
        Assert.Equal(102UL, current.Index);
        Assert.Equal(0UL, current.IndexOffset);
    }

    [Fact]
    public void Restore_of_a_state_past_the_log_moves_every_later_index_past_it()
    {
        var saved = Saved();
        _fsm.Apply(3, CommandCodec.Encode(new TxnCommand([Kv.Op(Set, "fresh", "f")])));

        Restore(4, saved);

        Assert.Equal(41UL, Store.Current.Index);
        Assert.Equal(37UL, Store.Current.IndexOffset);
        Assert.Equal(4UL, Store.Current.LogIndex);
        _fsm.Apply(5, CommandCodec.Encode(new TxnCommand([Kv.Op(Set, "app/c", "3")])));
        Assert.Equal(42UL, Store.Current.Index);
        Assert.Equal(42UL, Store.Current.Kv.Get("app/c")!.ModifyIndex);
        Assert.Equal(42UL, Store.Current.Kv.IndexOfPrefix("app/"));
        Assert.Throws<InvalidOperationException>(() => _fsm.Apply(5, CommandCodec.Encode(new TxnCommand([Kv.Op(Set, "x", "x")]))));
    }

    [Fact]
    public void A_second_restore_never_moves_the_index_back()
    {
        Restore(4, Saved());
        Restore(5, new StateSnapshot(2, KvTable.Empty));

        Assert.Equal(42UL, Store.Current.Index);
        Assert.Equal(5UL, Store.Current.LogIndex);
        Assert.Empty(Store.Current.Kv.Entries);
    }

    [Fact]
    public void Restore_fires_every_watch_and_counts_a_replacement()
    {
        _fsm.Apply(2, CommandCodec.Encode(new TxnCommand([Kv.Op(Set, "unrelated", "u")])));
        using var key = Store.KvWatches.WatchKey("nothing/here");
        using var prefix = Store.KvWatches.WatchPrefix("elsewhere/");
        using var node = Store.CatalogWatches.WatchKey(CatalogWatchKeys.Node("nobody"));
        var replacements = Store.Replacements;

        Restore(3, new StateSnapshot(1, KvTable.Empty));

        Assert.True(key.HasFired());
        Assert.True(prefix.HasFired());
        Assert.True(node.HasFired());
        Assert.Equal(replacements + 1, Store.Replacements);
    }

    [Fact]
    public void Index_offset_round_trips_through_the_snapshot_document()
    {
        Restore(4, Saved());
        using var stream = new MemoryStream();
        SnapshotCodec.Write(Store.Current, stream);

        var read = SnapshotCodec.Read(stream.ToArray());

        Assert.Equal((41UL, 37UL), (read.Index, read.IndexOffset));
    }

    [Fact]
    public void A_version_1_document_reads_with_no_offset()
    {
        var buffer = new ArrayBufferWriter<byte>();
        var w = new MessagePackWriter(buffer);
        w.WriteArrayHeader(7);
        w.Write("praetor-state");
        w.Write(1);
        w.Write(9);
        w.Write(0);
        w.WriteArrayHeader(0);
        w.WriteArrayHeader(0);
        w.WriteArrayHeader(6);
        w.Write(0);
        w.Write(0);
        w.Write(0);
        w.WriteArrayHeader(0);
        w.WriteArrayHeader(0);
        w.WriteArrayHeader(0);
        w.Flush();

        var read = SnapshotCodec.Read(buffer.WrittenMemory);

        Assert.Equal((9UL, 0UL), (read.Index, read.IndexOffset));
    }

    [Fact]
    public void A_document_holding_an_index_past_its_own_is_refused()
    {
        var state = new StateSnapshot(5, KvTable.Empty.With("k", 9));
        using var stream = new MemoryStream();
        SnapshotCodec.Write(state, stream);

        var ex = Assert.Throws<InvalidDataException>(() => SnapshotCodec.Read(stream.ToArray()));
        Assert.Contains("past its own index 5", ex.Message, StringComparison.Ordinal);
    }
}
