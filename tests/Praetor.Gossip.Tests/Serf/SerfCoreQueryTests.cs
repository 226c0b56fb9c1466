using Praetor.Gossip.Memberlist;
using Praetor.Gossip.Serf;
using Praetor.Gossip.Serf.Wire;

namespace Praetor.Gossip.Tests.Serf;

public class SerfCoreQueryTests
{
    private static readonly TimeSpan T0 = TimeSpan.FromSeconds(100);

    private static SerfCore NewCore(SerfOptions? options = null)
    {
        var core = new SerfCore("local", options ?? new SerfOptions(), new Random(1), T0);
        core.OnNodeJoin(Node("local", 1), T0);
        core.TakeOutput();
        return core;
    }

    private static SerfNode Node(string name, byte last) =>
        new(name, [10, 0, 0, last], 7946, SerfTags.Encode(new Dictionary<string, string>(), 4), ProtocolVersions.Serf09);

    private static QueryParam Param(bool ack = false, byte relay = 0) => new() { RequestAck = ack, RelayFactor = relay, Timeout = TimeSpan.FromSeconds(2) };

    [Fact]
    public void A_query_is_broadcast_handled_locally_and_collects_answers_until_its_deadline()
    {
        var core = NewCore();

        Assert.True(core.TryQuery("hello", [1], Param(ack: true), T0, out var response, out var error), error);

        var output = core.TakeOutput();
        Assert.True(SerfCodec.TryDecode<QueryMessage>(Assert.Single(output.QueryBroadcasts), out var sent, out _));
        Assert.Equal(("hello", "local", (ushort)7946), (sent.Name, sent.SourceNode, sent.Port));
        Assert.Equal(2_000_000_000, sent.TimeoutNanoseconds);
        // Our own ack goes to ourselves; the query is delivered here too.
        var ack = Assert.Single(output.DirectSends);
        Assert.Equal("local", ack.Node);
        Assert.IsType<SerfQueryEvent>(Assert.Single(output.Events));

        core.OnMessage(ack.Message, T0);
        core.OnMessage(SerfCodec.Encode(new QueryResponseMessage(sent.LTime, sent.Id, "other", 0, [9])), T0 + TimeSpan.FromSeconds(1));
        core.OnMessage(SerfCodec.Encode(new QueryResponseMessage(sent.LTime, sent.Id, "late", 0, [9])), T0 + TimeSpan.FromSeconds(3));
        Assert.True(response!.Acks!.TryRead(out var acked));
        Assert.Equal("local", acked);
        Assert.True(response.Responses.TryRead(out var answer));
        Assert.Equal("other", answer.From);
        Assert.False(response.Responses.TryRead(out _));
        Assert.Equal(1, core.QueryResponsesIgnored);

        core.Tick(T0 + TimeSpan.FromSeconds(3));
        Assert.True(response.IsClosed);
    }

    [Fact]
    public void A_query_over_the_size_limit_or_on_an_old_protocol_is_refused_with_serfs_message()
    {
        var core = NewCore(new SerfOptions { QuerySizeBytesMax = 100 });
        Assert.False(core.TryQuery("big", new byte[200], Param(), T0, out _, out var error));
        Assert.Equal("query exceeds limit of 100 bytes", error);
        Assert.Equal(0, core.OpenQueries.Count);

        var old = NewCore(new SerfOptions { ProtocolVersion = 3 });
        Assert.False(old.TryQuery("q", null, Param(), T0, out _, out error));
        Assert.Equal("Feature not supported", error);
    }

    [Fact]
    public void Respond_sends_once_before_the_deadline_within_the_limit_and_relays_as_asked()
    {
        var core = NewCore();
        core.OnNodeJoin(Node("b", 2), T0);
        core.OnNodeJoin(Node("c", 3), T0);
        core.TakeOutput();
        var query = new SerfQueryEvent(4, "q", null, 77, [10, 0, 0, 9], 7946, "asker", T0 + TimeSpan.FromSeconds(5), RelayFactor: 1);

        Assert.Equal("response exceeds limit of 1024 bytes", core.Respond(query, new byte[1100], T0));
        Assert.Null(core.Respond(query, [42], T0));
        Assert.Equal("response already sent", core.Respond(query, [42], T0));
        Assert.Equal("response is past the deadline", core.Respond(query with { Id = 78 }, [42], T0 + TimeSpan.FromSeconds(6)));

        var sends = core.TakeOutput().DirectSends;
        Assert.Equal(2, sends.Count);
        Assert.Equal("asker", sends[0].Node);
        Assert.True(SerfCodec.TryDecode<QueryResponseMessage>(sends[0].Message, out var direct, out _));
        Assert.Equal((4ul, 77u, "local", (byte)42), (direct.LTime, direct.Id, direct.From, direct.Payload![0]));
        Assert.True(sends[1].Node is "b" or "c", sends[1].Node);
        Assert.True(SerfCodec.TryDecode<RelayMessage>(sends[1].Message, out var relay, out _));
        Assert.Equal("asker", relay.DestName);
        Assert.Equal(sends[0].Message, relay.Inner);
    }
}
