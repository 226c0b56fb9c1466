using Praetor.Raft;

namespace Praetor.State.Tests;

public class InMemoryLogStoreTests
{
    private static InMemoryLogStore StoreOf(int count)
    {
        var store = new InMemoryLogStore();
        for (ulong i = 1; i <= (ulong)count; i++)
        {
            store.Append(new LogEntry(1, i, LogEntryType.Command, [(byte)i]));
        }
        return store;
    }

    [Fact]
    public void Empty_store_has_no_entries_and_index_zero()
    {
        var store = new InMemoryLogStore();

        Assert.Equal((0UL, 0UL, 0), (store.FirstIndex, store.LastIndex, store.Count));
        Assert.Null(store.Get(0));
        Assert.Null(store.Get(1));
    }

    [Fact]
    public void Append_accepts_only_the_next_index()
    {
        var store = StoreOf(2);

        Assert.Throws<InvalidOperationException>(() => store.Append(new LogEntry(1, 4, LogEntryType.Command, [])));
        Assert.Throws<InvalidOperationException>(() => store.Append(new LogEntry(1, 2, LogEntryType.Command, [])));
        Assert.Equal(2UL, store.LastIndex);
    }

    [Fact]
    public void TrimPrefix_keeps_the_newest_entries_and_lookups_follow()
    {
        var store = StoreOf(10);

        store.TrimPrefix(3);

        Assert.Equal((8UL, 10UL, 3), (store.FirstIndex, store.LastIndex, store.Count));
        Assert.Null(store.Get(7));
        Assert.Equal([(byte)8], store.Get(8)!.Command);
        Assert.Null(store.Get(11));
        store.Append(new LogEntry(1, 11, LogEntryType.Command, []));
        Assert.Equal(11UL, store.LastIndex);
    }

    [Fact]
    public void TrimPrefix_to_zero_keeps_the_last_index_for_appends()
    {
        var store = StoreOf(4);

        store.TrimPrefix(0);

        Assert.Equal(0, store.Count);
        Assert.Equal(4UL, store.LastIndex);
        store.Append(new LogEntry(1, 5, LogEntryType.Command, []));
        Assert.Equal(5UL, store.FirstIndex);
    }
}
