using Praetor.Gossip.Serf;
using Praetor.Gossip.Serf.Wire;
using Xunit.Abstractions;

namespace Praetor.Gossip.Tests.Serf;

/// <summary>Random and mutated input through every decoder: never an exception, always a verdict. Seeds are printed; re-run one by putting it in <see cref="Seeds"/>.</summary>
public class SerfFuzzTests(ITestOutputHelper output)
{
    public static TheoryData<int> Seeds => new() { 1, 2, 3, Environment.TickCount };

    private static readonly SerfMessage[] Samples =
    [
        new JoinIntent(123456, "node-1"),
        new LeaveIntent(7, "node-2", true),
        new UserEventMessage(99, "deploy", [1, 2, 3], true),
        new QueryMessage(1, 2, [1, 2, 3, 4], 5, "src", [new NodeQueryFilter(["x"]).Encode(), new TagQueryFilter("t", ".*").Encode()], 1, 2, 3, "q", [4]),
        new QueryResponseMessage(1, 2, "from", 1, [5]),
        new PushPullState(1, new Dictionary<string, ulong> { ["a"] = 1, ["b"] = 300 }, ["b"], 2, [null, new UserEventBucket(3, [new("e", [1])])], 4),
        new ConflictResponse(new ConflictMember("n", [1], 1, new Dictionary<string, string> { ["k"] = "v" }, MemberStatus.Left, 1, 2, 3, 4, 5, 6)),
        new KeyRequest([1, 2, 3]),
        new KeyResponse(true, "m", ["k"], "p"),
        new RelayMessage([127, 0, 0, 1], 1, "", "d", SerfCodec.Encode(new JoinIntent(1, "x"))),
    ];

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Random_bytes_never_throw(int seed)
    {
        output.WriteLine($"seed {seed}");
        var random = new Random(seed);
        var buffer = new byte[256];
        for (var i = 0; i < 20_000; i++)
        {
            var length = random.Next(buffer.Length);
            random.NextBytes(buffer.AsSpan(0, length));
            // Mostly valid type bytes, so the struct readers get exercised.
            if (length > 0 && random.Next(4) != 0) buffer[0] = (byte)random.Next(10);
            Decode(buffer.AsSpan(0, length));
        }
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Mutated_valid_messages_never_throw(int seed)
    {
        output.WriteLine($"seed {seed}");
        var random = new Random(seed);
        var encoded = Samples.Select(SerfCodec.Encode).ToArray();
        var mutated = 0;
        for (var i = 0; i < 50_000; i++)
        {
            var bytes = (byte[])encoded[random.Next(encoded.Length)].Clone();
            var flips = 1 + random.Next(4);
            for (var f = 0; f < flips; f++)
            {
                bytes[random.Next(bytes.Length)] = random.Next(3) switch
                {
                    0 => (byte)random.Next(256),
                    1 => (byte)(bytes[random.Next(bytes.Length)] ^ (1 << random.Next(8))),
                    _ => (byte)(0xc0 + random.Next(0x20)), // msgpack's type-code range
                };
            }
            var cut = random.Next(2) == 0 ? bytes.Length : random.Next(bytes.Length + 1);
            if (!Decode(bytes.AsSpan(0, cut))) mutated++;
        }
        Assert.True(mutated > 0);
    }

    [Fact]
    public void Deeply_nested_unknown_fields_are_rejected_not_recursed_into_forever()
    {
        // {"X": [[[[...]]]]} nested far past the skip depth limit
        var bytes = new List<byte> { 0x01, 0x81, 0xa1, (byte)'X' };
        bytes.AddRange(Enumerable.Repeat((byte)0x91, 10_000));
        bytes.Add(0xc0);
        Assert.False(SerfCodec.TryDecode(bytes.ToArray(), out _, out var error));
        Assert.Equal(SerfDecodeErrorKind.Malformed, error.Kind);
    }

    private static bool Decode(ReadOnlySpan<byte> bytes)
    {
        var ok = SerfCodec.TryDecode(bytes, out var message, out var error);
        Assert.Equal(ok, message is not null);
        Assert.Equal(ok, error.Kind == SerfDecodeErrorKind.None);
        SerfTags.TryDecode(bytes, out _, out _);
        PingPayload.TryDecode(bytes, out _, out _);
        QueryFilter.TryDecode(bytes, out _, out _);
        if (ok)
        {
            // Whatever decodes must encode and decode again to an equal message.
            Assert.True(SerfCodec.TryDecode(SerfCodec.Encode(message!), out var again, out _));
            Assert.Equal(message!.Type, again!.Type);
        }
        return ok;
    }
}
