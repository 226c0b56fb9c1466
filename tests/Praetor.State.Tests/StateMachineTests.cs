using Praetor.State.Commands;
using Praetor.State.Kv;
using static Praetor.State.Commands.KvVerb;

namespace Praetor.State.Tests;

public class StateMachineTests
{
    private readonly StateMachine _fsm = new(new StateStore());

    private StateStore Store => _fsm.Store;

    private TxnResult Apply(ulong index, params KvOperation[] ops) =>
        Assert.IsType<TxnResult>(_fsm.Apply(index, CommandCodec.Encode(new TxnCommand(ops))));

    [Fact]
    public void Apply_stamps_writes_with_the_log_index()
    {
        var result = Apply(7, Kv.Op(Set, "k", "v"));

        Assert.True(result.Committed);
        Assert.Equal(7UL, Store.Current.Index);
        Assert.Equal(7UL, Store.Current.Kv.Index);
        var entry = Store.Current.Kv.Get("k")!;
        Assert.Equal((7UL, 7UL), (entry.CreateIndex, entry.ModifyIndex));
        Assert.Equal(7UL, result.Results[0].ModifyIndex);
    }

    [Fact]
    public void Apply_accepts_gaps_in_the_index()
    {
        Apply(3, Kv.Op(Set, "a", "1"));
        Apply(10, Kv.Op(Set, "a", "2"));

        Assert.Equal(10UL, Store.Current.Kv.Get("a")!.ModifyIndex);
        Assert.Equal(3UL, Store.Current.Kv.Get("a")!.CreateIndex);
    }

    [Theory]
    [InlineData(5UL)]
    [InlineData(4UL)]
    [InlineData(0UL)]
    public void Apply_with_an_index_not_above_the_current_one_throws_and_changes_nothing(ulong index)
    {
        Apply(5, Kv.Op(Set, "k", "v"));
        var before = Store.Current;
        using var watch = Store.KvWatches.WatchPrefix("");

        Assert.Throws<InvalidOperationException>(() => Apply(index, Kv.Op(Set, "k", "other")));

        Assert.Same(before, Store.Current);
        Assert.False(watch.HasFired());
    }

    [Fact]
    public void Apply_of_an_undecodable_entry_throws_CommandDecodeException_and_changes_nothing()
    {
        var before = Store.Current;

        Assert.Throws<CommandDecodeException>(() => _fsm.Apply(1, new byte[] { 0x93, 0x09, 0x01, 0x00 }));

        Assert.Same(before, Store.Current);
    }

    [Fact]
    public void Apply_of_a_failed_txn_advances_the_state_index_but_not_the_table()
    {
        Apply(5, Kv.Op(Set, "k", "v"));
        var table = Store.Current.Kv;

        var result = Apply(6, Kv.Op(Set, "k", "new"), Kv.Op(Cas, "k", "x", index: 1));

        Assert.False(result.Committed);
        Assert.Equal(6UL, Store.Current.Index);
        Assert.Same(table, Store.Current.Kv);
    }

    [Fact]
    public void Failed_txn_fires_no_watches()
    {
        Apply(5, Kv.Op(Set, "a", "v"), Kv.Op(Set, "b/1", "v"));
        using var key = Store.KvWatches.WatchKey("a");
        using var prefix = Store.KvWatches.WatchPrefix("b/");
        using var all = Store.KvWatches.WatchPrefix("");

        Apply(6, Kv.Op(Set, "a", "new"), Kv.Op(DeleteTree, "b/"), Kv.Op(Get, "missing"));

        Assert.False(key.HasFired());
        Assert.False(prefix.HasFired());
        Assert.False(all.HasFired());
        Assert.Equal("v", Kv.Text(Store.Current.Kv.Get("a")!.Value));
    }

    [Fact]
    public void Committed_txn_fires_the_watches_of_what_changed_and_only_those()
    {
        Apply(5, Kv.Op(Set, "a", "v"), Kv.Op(Set, "b/1", "v"), Kv.Op(Set, "c", "v"));
        using var a = Store.KvWatches.WatchKey("a");
        using var b = Store.KvWatches.WatchPrefix("b/");
        using var c = Store.KvWatches.WatchKey("c");
        using var unchanged = Store.KvWatches.WatchKey("c2");

        Apply(6, Kv.Op(Set, "a", "new"), Kv.Op(DeleteTree, "b/"), Kv.Op(Set, "c", "v"));

        Assert.True(a.HasFired());
        Assert.True(b.HasFired());
        Assert.False(c.HasFired());
        Assert.False(unchanged.HasFired());
    }

    [Fact]
    public void Watches_fire_once_the_change_is_published()
    {
        using var watch = Store.KvWatches.WatchKey("k");

        Apply(3, Kv.Op(Set, "k", "v"));

        Assert.True(watch.HasFired());
        Assert.Equal("v", Kv.Text(Store.Current.Kv.Get("k")?.Value));
    }

    [Fact]
    public async Task Watch_continuations_never_run_on_the_applying_thread()
    {
        using var watch = Store.KvWatches.WatchKey("k");
        using var applied = new ManualResetEventSlim();
        var sawApplyFinished = watch.Fired.ContinueWith(
            _ => applied.Wait(Kv.Timeout),
            CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

        Apply(3, Kv.Op(Set, "k", "v"));
        applied.Set();

        Assert.True(await sawApplyFinished.WaitAsync(Kv.Timeout),
            "the watch continuation ran inline and blocked the apply");
    }

    [Fact]
    public void ReapTombstones_command_drops_old_tombstones_and_returns_null()
    {
        Apply(3, Kv.Op(Set, "a", "v"), Kv.Op(Set, "b", "v"));
        Apply(4, Kv.Op(Delete, "a"));
        Apply(5, Kv.Op(Delete, "b"));

        var response = _fsm.Apply(6, CommandCodec.Encode(new ReapTombstonesCommand(4)));

        Assert.Null(response);
        Assert.Equal([new KvTombstone("b", 5)], Store.Current.Kv.Tombstones);
        Assert.Equal(6UL, Store.Current.Index);
    }

    [Fact]
    public void ReadTxn_reads_the_snapshot_and_never_changes_it()
    {
        Apply(3, Kv.Op(Set, "a", "v"));
        var snapshot = Store.Current;
        using var watch = Store.KvWatches.WatchPrefix("");

        var read = StateMachine.ReadTxn(snapshot, [Kv.Op(Get, "a"), Kv.Op(CheckIndex, "a", index: 3)]);
        var sneakyWrite = StateMachine.ReadTxn(snapshot, [Kv.Op(Set, "a", "changed"), Kv.Op(Delete, "a")]);

        Assert.True(read.Committed);
        Assert.Equal("v", Kv.Text(read.Results[0].Value));
        Assert.True(sneakyWrite.Committed);
        Assert.Same(snapshot, Store.Current);
        Assert.Equal("v", Kv.Text(snapshot.Kv.Get("a")!.Value));
        Assert.False(watch.HasFired());
    }

    [Fact]
    public void A_captured_snapshot_then_Restore_reproduces_the_state_as_of_the_capture_and_fires_every_watch()
    {
        Apply(3, Kv.Op(Set, "a", "1"), Kv.Op(Set, "b/c", "2", flags: 9));
        Apply(4, Kv.Op(Delete, "a"));
        var write = _fsm.CaptureSnapshot();
        Apply(5, Kv.Op(Set, "later", "x")); // applied after the capture: not in the snapshot
        using var saved = new MemoryStream();
        write(saved);

        var other = new StateMachine(new StateStore());
        using var watch = other.Store.KvWatches.WatchKey("unrelated");
        saved.Position = 0;
        other.Restore(saved);

        Assert.Equal(4UL, other.Store.Current.Index);
        Assert.Equal(["b/c"], other.Store.Current.Kv.Entries.Keys());
        Assert.Equal(9UL, other.Store.Current.Kv.Get("b/c")!.Flags);
        Assert.Equal([new KvTombstone("a", 4)], other.Store.Current.Kv.Tombstones);
        Assert.True(watch.HasFired());
    }

    [Fact]
    public void After_a_restore_applies_continue_above_the_restored_index()
    {
        var source = new StateMachine(new StateStore());
        source.Apply(50, CommandCodec.Encode(new TxnCommand([Kv.Op(Set, "a", "1")])));
        using var saved = new MemoryStream();
        source.CaptureSnapshot()(saved);
        saved.Position = 0;
        _fsm.Restore(saved);

        Assert.Throws<InvalidOperationException>(() => Apply(50, Kv.Op(Set, "b", "2")));
        Apply(51, Kv.Op(Set, "b", "2"));
        Assert.Equal(["a", "b"], Store.Current.Kv.Entries.Keys());
    }

    [Fact]
    public void Restore_of_garbage_raises_InvalidDataException_and_restores_nothing()
    {
        Apply(3, Kv.Op(Set, "a", "1"));
        var before = Store.Current;
        using var watch = Store.KvWatches.WatchPrefix("");
        using var garbage = new MemoryStream("definitely not a snapshot"u8.ToArray());

        Assert.Throws<InvalidDataException>(() => _fsm.Restore(garbage));

        Assert.Same(before, Store.Current);
        Assert.False(watch.HasFired());
    }

    [Fact]
    public void Restore_of_a_truncated_snapshot_restores_nothing()
    {
        Apply(3, Kv.Op(Set, "a", "1"), Kv.Op(Set, "b", "2"));
        using var saved = new MemoryStream();
        _fsm.CaptureSnapshot()(saved);
        var other = new StateMachine(new StateStore());
        using var truncated = new MemoryStream(saved.ToArray()[..^3]);

        Assert.Throws<InvalidDataException>(() => other.Restore(truncated));

        Assert.Same(StateSnapshot.Empty, other.Store.Current);
    }
}
