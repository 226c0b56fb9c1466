using Praetor.Agent.Events;

namespace Praetor.Agent.Tests.Events;

public sealed class EventStoreTests
{
    [Fact]
    public void Keeps_the_newest_256_oldest_first_and_counts_every_one()
    {
        var store = new EventStore();
        for (var i = 0; i < 300; i++)
        {
            store.Add(new UserEvent { Name = "e" + i });
        }
        var view = store.View();
        Assert.Equal(300UL, view.Index);
        Assert.Equal(256, view.Events.Count);
        Assert.Equal("e44", view.Events[0].Name);
        Assert.Equal("e299", view.Events[^1].Name);
        Assert.Equal("e299", store.Last()!.Name);
    }

    [Fact]
    public void An_empty_store_has_no_events_and_index_zero()
    {
        var store = new EventStore();
        Assert.Empty(store.View().Events);
        Assert.Equal(0UL, store.View().Index);
        Assert.Null(store.Last());
    }

    [Fact]
    public void A_views_changed_task_completes_at_the_next_add_only()
    {
        var store = new EventStore(capacity: 2);
        var before = store.View();
        Assert.False(before.Changed.IsCompleted);
        store.Add(new UserEvent { Name = "a" });
        Assert.True(before.Changed.IsCompleted);
        var after = store.View();
        Assert.False(after.Changed.IsCompleted);
        Assert.Single(after.Events);
        Assert.Empty(before.Events);
    }

    [Fact]
    public async Task Concurrent_adds_are_all_counted()
    {
        var store = new EventStore();
        await Task.WhenAll(Enumerable.Range(0, 8).Select(t => Task.Run(() =>
        {
            for (var i = 0; i < 500; i++)
            {
                store.Add(new UserEvent { Name = $"{t}-{i}" });
            }
        })));
        Assert.Equal(4000UL, store.View().Index);
        Assert.Equal(256, store.View().Events.Count);
    }
}
