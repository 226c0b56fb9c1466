using Praetor.Gossip.Serf;
using Praetor.Gossip.Serf.Wire;

namespace Praetor.Gossip.Tests.Serf;

public class SerfCodecTests
{
    private static T RoundTrip<T>(T message) where T : SerfMessage
    {
        var bytes = SerfCodec.Encode(message);
        Assert.Equal((byte)message.Type, bytes[0]);
        Assert.True(SerfCodec.TryDecode<T>(bytes, out var decoded, out var error), error.ToString());
        // Encoding what was decoded gives the same bytes: nothing lost, nothing reordered.
        Assert.Equal(Convert.ToHexString(bytes), Convert.ToHexString(SerfCodec.Encode(decoded)));
        return decoded;
    }

    [Fact]
    public void Join_is_type_byte_then_a_map_of_Go_field_names()
    {
        var bytes = SerfCodec.Encode(new JoinIntent(5, "s1"));
        // 01 | fixmap 2 | "LTime" 5 | "Node" "s1"
        Assert.Equal("0182A54C54696D6505A44E6F6465A27331", Convert.ToHexString(bytes));
    }

    [Fact]
    public void Leave_writes_fields_in_Go_sorted_order_with_Prune_last()
    {
        var bytes = SerfCodec.Encode(new LeaveIntent(300, "n", Prune: true));
        // 00 | fixmap 3 | "LTime" uint16 300 | "Node" "n" | "Prune" true
        Assert.Equal("0083A54C54696D65CD012CA44E6F6465A16EA55072756E65C3", Convert.ToHexString(bytes));
    }

    [Fact]
    public void Strings_of_32_bytes_or_more_use_str16_never_str8_as_Go_old_spec_raw()
    {
        var name = new string('a', 40);
        var bytes = SerfCodec.Encode(new UserEventMessage(1, name, new byte[40], false));
        var hex = Convert.ToHexString(bytes);
        Assert.Contains("A44E616D65DA0028", hex, StringComparison.Ordinal); // "Name" str16(40)
        Assert.Contains("A75061796C6F6164DA0028", hex, StringComparison.Ordinal); // "Payload" raw16(40), not bin8
        Assert.DoesNotContain("D9", hex[..20], StringComparison.Ordinal);
    }

    [Fact]
    public void User_event_keeps_nil_payload_apart_from_empty()
    {
        Assert.Null(RoundTrip(new UserEventMessage(2, "restart", null, false)).Payload);
        Assert.Equal([], RoundTrip(new UserEventMessage(2, "restart", [], false)).Payload!);
        var e = RoundTrip(new UserEventMessage(ulong.MaxValue, "deploy", [1, 2, 3], true));
        Assert.Equal(ulong.MaxValue, e.LTime);
        Assert.True(e.CanCoalesce);
        Assert.Equal([1, 2, 3], e.Payload!);
    }

    [Fact]
    public void Query_round_trips_every_field()
    {
        var filters = new List<byte[]> { new NodeQueryFilter(["a", "b"]).Encode(), new TagQueryFilter("role", "^web$").Encode() };
        var q = RoundTrip(new QueryMessage(9, 0xdeadbeef, [127, 0, 0, 1], 7946, "s1", filters,
            QueryMessage.FlagAck | QueryMessage.FlagNoBroadcast, 3, -5_000_000_001, "_serf_ping", [9]));
        Assert.Equal(0xdeadbeefu, q.Id);
        Assert.Equal([127, 0, 0, 1], q.Addr!);
        Assert.Equal(7946, q.Port);
        Assert.True(q.Ack);
        Assert.True(q.NoBroadcast);
        Assert.Equal(3, q.RelayFactor);
        Assert.Equal(-5_000_000_001, q.TimeoutNanoseconds);
        Assert.Equal(2, q.Filters!.Count);
        Assert.True(QueryFilter.TryDecode(q.Filters[0], out var nodes, out _));
        Assert.Equal(["a", "b"], ((NodeQueryFilter)nodes!).Nodes);
        Assert.True(QueryFilter.TryDecode(q.Filters[1], out var tag, out _));
        Assert.Equal(new TagQueryFilter("role", "^web$"), tag);
    }

    [Fact]
    public void Query_response_and_key_messages_round_trip()
    {
        var r = RoundTrip(new QueryResponseMessage(4, 12, "s2", QueryMessage.FlagAck, null));
        Assert.True(r.Ack);
        Assert.Equal("s2", r.From);
        Assert.Equal([1, 2], RoundTrip(new KeyRequest([1, 2])).Key!);
        var k = RoundTrip(new KeyResponse(true, "ok", ["k1", "k2"], "k1"));
        Assert.Equal(["k1", "k2"], k.Keys!);
        Assert.Null(RoundTrip(new KeyResponse(false, "no keyring", null, "")).Keys);
    }

    [Fact]
    public void Conflict_response_round_trips_a_member_and_a_nil_one()
    {
        var member = new ConflictMember("s1", [10, 0, 0, 1], 7946, new Dictionary<string, string> { ["role"] = "web" },
            MemberStatus.Alive, 1, 5, 2, 2, 5, 4);
        var decoded = RoundTrip(new ConflictResponse(member)).Member!;
        Assert.Equal("s1", decoded.Name);
        Assert.Equal(MemberStatus.Alive, decoded.Status);
        Assert.Equal("web", decoded.Tags!["role"]);
        Assert.Equal((byte)4, decoded.DelegateCur);
        Assert.Equal("06C0", Convert.ToHexString(SerfCodec.Encode(new ConflictResponse(null))));
        Assert.Null(RoundTrip(new ConflictResponse(null)).Member);
    }

    [Fact]
    public void Relay_keeps_the_inner_message_bytes_after_the_header()
    {
        var inner = SerfCodec.Encode(new QueryResponseMessage(4, 12, "s2", 0, [7]));
        var relay = RoundTrip(new RelayMessage([127, 0, 0, 1], 8000, "", "origin", inner));
        Assert.Equal(inner, relay.Inner);
        Assert.Equal(8000, relay.DestPort);
        Assert.Equal("origin", relay.DestName);
        Assert.True(SerfCodec.TryDecode<QueryResponseMessage>(relay.Inner, out var response, out _));
        Assert.Equal([7], response.Payload!);
    }

    [Fact]
    public void Push_pull_round_trips_clocks_members_and_the_event_ring_with_empty_slots()
    {
        var events = new UserEventBucket?[4];
        events[1] = new UserEventBucket(5, [new BufferedUserEvent("deploy", [1]), new BufferedUserEvent("deploy", null)]);
        var state = RoundTrip(new PushPullState(10, new Dictionary<string, ulong> { ["b"] = 3, ["a"] = 9 }, ["gone"], 6, events, 2));
        Assert.Equal(10ul, state.LTime);
        Assert.Equal(9ul, state.StatusLTimes["a"]);
        Assert.Equal(["gone"], state.LeftMembers);
        Assert.Equal(4, state.Events.Count);
        Assert.Null(state.Events[0]);
        Assert.Equal(5ul, state.Events[1]!.LTime);
        Assert.Equal(new BufferedUserEvent("deploy", null), state.Events[1]!.Events[1]);
        Assert.Equal(2ul, state.QueryLTime);
    }

    [Fact]
    public void Decoding_takes_any_field_order_skips_unknown_fields_and_reads_nil_as_zero()
    {
        // fixmap 4: "Extra" [1, {"x": 2}], "Node" "n", "LTime" nil, "Prune" 1 (Go reads 1 as true)
        var bytes = Convert.FromHexString("0084A545787472619201" + "81A17802" + "A44E6F6465A16E" + "A54C54696D65C0" + "A55072756E6501");
        Assert.True(SerfCodec.TryDecode<LeaveIntent>(bytes, out var leave, out var error), error.ToString());
        Assert.Equal(new LeaveIntent(0, "n", true), leave);
    }

    [Fact]
    public void A_nil_struct_decodes_as_all_zero_fields_and_trailing_bytes_are_ignored()
    {
        Assert.True(SerfCodec.TryDecode<JoinIntent>([0x01, 0xc0, 0xff, 0xff], out var join, out _));
        Assert.Equal(new JoinIntent(0, ""), join);
    }

    [Theory]
    [InlineData("", SerfDecodeErrorKind.Empty)]
    [InlineData("0A80", SerfDecodeErrorKind.UnknownType)]
    [InlineData("FF80", SerfDecodeErrorKind.UnknownType)]
    [InlineData("01", SerfDecodeErrorKind.Malformed)]
    [InlineData("0192", SerfDecodeErrorKind.Malformed)] // an array where a struct map belongs
    [InlineData("0181A54C54696D65FF", SerfDecodeErrorKind.Malformed)] // negative LTime
    [InlineData("0181A54C54696D65A131", SerfDecodeErrorKind.Malformed)] // string LTime
    [InlineData("0481A4506F7274CE00010000", SerfDecodeErrorKind.Malformed)] // Port 65536 overflows uint16
    [InlineData("0381A2434302", SerfDecodeErrorKind.Malformed)] // 2 is no bool
    [InlineData("0182A54C54696D6501", SerfDecodeErrorKind.Malformed)] // map of 2, one field present
    [InlineData("0181A44E6F6465DA0010", SerfDecodeErrorKind.Malformed)] // string longer than the message
    [InlineData("0281A64576656E7473DD7FFFFFFF", SerfDecodeErrorKind.Malformed)] // array count beyond the bytes
    public void Malformed_input_is_a_typed_error(string hex, SerfDecodeErrorKind expected)
    {
        Assert.False(SerfCodec.TryDecode(Convert.FromHexString(hex), out var message, out var error));
        Assert.Null(message);
        Assert.Equal(expected, error.Kind);
    }

    [Fact]
    public void The_error_names_the_field_that_failed()
    {
        Assert.False(SerfCodec.TryDecode(Convert.FromHexString("0481A4506F7274CE00010000"), out _, out var error));
        Assert.Equal("messageQuery.Port", error.Where);
    }

    [Fact]
    public void Every_truncation_of_every_message_is_rejected_without_throwing()
    {
        SerfMessage[] messages =
        [
            new JoinIntent(123456, "node-1"),
            new LeaveIntent(7, "node-2", true),
            new UserEventMessage(99, "deploy", [1, 2, 3], true),
            new QueryMessage(1, 2, [1, 2, 3, 4], 5, "src", [new NodeQueryFilter(["x"]).Encode()], 1, 2, 3, "q", [4]),
            new QueryResponseMessage(1, 2, "from", 1, [5]),
            new PushPullState(1, new Dictionary<string, ulong> { ["a"] = 1 }, ["b"], 2, [null, new UserEventBucket(3, [new("e", [1])])], 4),
            new ConflictResponse(new ConflictMember("n", [1], 1, new Dictionary<string, string> { ["k"] = "v" }, MemberStatus.Left, 1, 2, 3, 4, 5, 6)),
            new KeyRequest([1, 2, 3]),
            new KeyResponse(true, "m", ["k"], "p"),
        ];
        foreach (var message in messages)
        {
            var bytes = SerfCodec.Encode(message);
            for (var length = 0; length < bytes.Length; length++)
            {
                Assert.False(SerfCodec.TryDecode(bytes.AsSpan(0, length), out _, out var error), $"{message.Type} cut at {length}");
                Assert.NotEqual(SerfDecodeErrorKind.None, error.Kind);
            }
        }
    }
}
