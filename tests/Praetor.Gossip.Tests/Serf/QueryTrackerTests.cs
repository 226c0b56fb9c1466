using Praetor.Gossip.Serf;

namespace Praetor.Gossip.Tests.Serf;

public class QueryTrackerTests
{
    private static readonly TimeSpan T0 = TimeSpan.FromSeconds(10);

    private static QueryResponseMessage Ack(string from, ulong ltime = 5, uint id = 7) => new(ltime, id, from, QueryMessage.FlagAck, null);

    private static QueryResponseMessage Answer(string from, string text, ulong ltime = 5, uint id = 7) => new(ltime, id, from, 0, System.Text.Encoding.UTF8.GetBytes(text));

    [Fact]
    public void Acks_and_responses_are_delivered_once_per_node()
    {
        var tracker = new QueryTracker();
        var query = tracker.Register(5, 7, T0 + TimeSpan.FromSeconds(1), requestAck: true, capacity: 3);

        Assert.Equal(QueryResponseVerdict.Ack, tracker.Handle(Ack("a"), T0));
        Assert.Equal(QueryResponseVerdict.DuplicateAck, tracker.Handle(Ack("a"), T0));
        Assert.Equal(QueryResponseVerdict.Response, tracker.Handle(Answer("a", "one"), T0));
        Assert.Equal(QueryResponseVerdict.DuplicateResponse, tracker.Handle(Answer("a", "again"), T0));
        Assert.Equal(QueryResponseVerdict.Response, tracker.Handle(Answer("b", "two"), T0));

        Assert.True(query.Acks!.TryRead(out var acked));
        Assert.Equal("a", acked);
        Assert.False(query.Acks.TryRead(out _));
        Assert.True(query.Responses.TryRead(out var first));
        Assert.True(query.Responses.TryRead(out var second));
        Assert.Equal(("a", "one"), (first.From, System.Text.Encoding.UTF8.GetString(first.Payload!)));
        Assert.Equal("b", second.From);
        Assert.False(query.Responses.TryRead(out _));
    }

    [Fact]
    public void Responses_for_no_open_query_another_id_or_after_the_deadline_are_ignored()
    {
        var tracker = new QueryTracker();
        var query = tracker.Register(5, 7, T0 + TimeSpan.FromSeconds(1), requestAck: false, capacity: 3);

        Assert.Equal(QueryResponseVerdict.NotRunning, tracker.Handle(Answer("a", "x", ltime: 6), T0));
        Assert.Equal(QueryResponseVerdict.IdMismatch, tracker.Handle(Answer("a", "x", id: 8), T0));
        Assert.Equal(QueryResponseVerdict.Dropped, tracker.Handle(Ack("a"), T0)); // no ack was asked for
        Assert.Equal(QueryResponseVerdict.Finished, tracker.Handle(Answer("a", "late"), T0 + TimeSpan.FromSeconds(2)));
        Assert.False(query.Responses.TryRead(out _));
    }

    [Fact]
    public void More_answers_than_the_query_has_room_for_are_dropped()
    {
        var tracker = new QueryTracker();
        tracker.Register(5, 7, T0 + TimeSpan.FromSeconds(1), requestAck: false, capacity: 1);

        Assert.Equal(QueryResponseVerdict.Response, tracker.Handle(Answer("a", "x"), T0));
        Assert.Equal(QueryResponseVerdict.Dropped, tracker.Handle(Answer("b", "y"), T0));
    }

    [Fact]
    public async Task Expire_closes_queries_at_their_deadline_and_forgets_them()
    {
        var tracker = new QueryTracker();
        var early = tracker.Register(5, 7, T0 + TimeSpan.FromSeconds(1), requestAck: true, capacity: 2);
        var late = tracker.Register(6, 8, T0 + TimeSpan.FromSeconds(5), requestAck: false, capacity: 2);
        tracker.Handle(Answer("a", "kept"), T0);
        Assert.Equal(T0 + TimeSpan.FromSeconds(1), tracker.NextDeadline);

        tracker.Expire(T0 + TimeSpan.FromSeconds(1));
        Assert.Equal(T0 + TimeSpan.FromSeconds(5), tracker.NextDeadline);

        Assert.True(early.IsClosed);
        Assert.False(late.IsClosed);
        Assert.Equal(1, tracker.Count);
        var read = new List<string>();
        await foreach (var r in early.Responses.ReadAllAsync()) read.Add(r.From);
        Assert.Equal(["a"], read); // what came before the deadline is still read, then the channel ends
        await early.Acks!.Completion;
        Assert.Equal(QueryResponseVerdict.NotRunning, tracker.Handle(Answer("b", "x"), T0));
    }
}
