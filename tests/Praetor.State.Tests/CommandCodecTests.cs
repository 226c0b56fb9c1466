using System.Buffers;
using MessagePack;
using Praetor.State.Commands;

namespace Praetor.State.Tests;

public class CommandCodecTests
{
    public static TheoryData<KvVerb> AllVerbs() => [.. Enum.GetValues<KvVerb>()];

    private static KvOperation Single(Command decoded) =>
        Assert.IsType<KvOperation>(Assert.Single(Assert.IsType<TxnCommand>(decoded).Operations));

    private static void AssertSameOperation(KvOperation expected, KvOperation actual)
    {
        Assert.Equal(expected.Verb, actual.Verb);
        Assert.Equal(expected.Key, actual.Key);
        Assert.Equal(expected.Value, actual.Value);
        Assert.Equal(expected.Flags, actual.Flags);
        Assert.Equal(expected.Index, actual.Index);
        Assert.Equal(expected.Session, actual.Session);
    }

    private static KvOperation RoundTrip(KvOperation op) =>
        Single(CommandCodec.Decode(CommandCodec.Encode(new TxnCommand([op]))));

    [Theory]
    [MemberData(nameof(AllVerbs))]
    public void Every_verb_round_trips_with_all_fields(KvVerb verb)
    {
        var op = new KvOperation(verb, "service/web/config", Kv.Bytes("{\"a\":1}"), 0xDEADBEEF, 12345, "6f0c5a4e-session");

        AssertSameOperation(op, RoundTrip(op));
    }

    [Theory]
    [MemberData(nameof(AllVerbs))]
    public void Every_verb_round_trips_with_null_value_and_session(KvVerb verb)
    {
        var op = new KvOperation(verb, "k");

        var decoded = RoundTrip(op);

        AssertSameOperation(op, decoded);
        Assert.Null(decoded.Value);
        Assert.Null(decoded.Session);
    }

    [Fact]
    public void Empty_value_session_and_key_round_trip_as_empty_not_null()
    {
        var op = new KvOperation(KvVerb.Set, "", [], 0, 0, "");

        var decoded = RoundTrip(op);

        Assert.NotNull(decoded.Value);
        Assert.Empty(decoded.Value);
        Assert.Equal("", decoded.Session);
        Assert.Equal("", decoded.Key);
    }

    [Fact]
    public void Extreme_numbers_and_non_ascii_keys_round_trip()
    {
        var op = new KvOperation(KvVerb.Cas, "ключ/日本/😀/\0/\"q\"", [0, 255, 0], ulong.MaxValue, ulong.MaxValue, "sé");

        AssertSameOperation(op, RoundTrip(op));
    }

    [Theory]
    [InlineData(255)]
    [InlineData(256)]
    [InlineData(65_536)]
    [InlineData(512 * 1024)]
    [InlineData(4 * 1024 * 1024)]
    public void Big_values_round_trip_byte_for_byte(int size)
    {
        var value = new byte[size];
        new Random(size).NextBytes(value);
        var op = new KvOperation(KvVerb.Set, "big", value);

        AssertSameOperation(op, RoundTrip(op));
    }

    [Fact]
    public void Txn_of_many_operations_round_trips_in_order()
    {
        var ops = Enumerable.Range(0, 200)
            .Select(i => new KvOperation((KvVerb)(1 + (i % 13)), $"k/{i}", i % 3 == 0 ? null : Kv.Bytes($"v{i}"), (ulong)i, (ulong)(i * 7), i % 2 == 0 ? null : $"s{i}"))
            .ToArray();

        var decoded = Assert.IsType<TxnCommand>(CommandCodec.Decode(CommandCodec.Encode(new TxnCommand(ops))));

        Assert.Equal(ops.Length, decoded.Operations.Count);
        for (var i = 0; i < ops.Length; i++)
        {
            AssertSameOperation(ops[i], Assert.IsType<KvOperation>(decoded.Operations[i]));
        }
    }

    [Fact]
    public void Txn_without_operations_round_trips()
    {
        var decoded = Assert.IsType<TxnCommand>(CommandCodec.Decode(CommandCodec.Encode(new TxnCommand([]))));

        Assert.Empty(decoded.Operations);
    }

    [Theory]
    [InlineData(0UL)]
    [InlineData(1UL)]
    [InlineData(ulong.MaxValue)]
    public void ReapTombstones_round_trips(ulong upTo)
    {
        var decoded = CommandCodec.Decode(CommandCodec.Encode(new ReapTombstonesCommand(upTo)));

        Assert.Equal(new ReapTombstonesCommand(upTo), decoded);
    }

    [Fact]
    public void Encoding_a_command_without_an_encoding_throws_ArgumentException()
    {
        Assert.Throws<ArgumentException>(() => CommandCodec.Encode(new UnknownCommand()));
        Assert.Throws<ArgumentException>(() => CommandCodec.Encode(new TxnCommand([new UnknownOperation()])));
    }

    [Fact]
    public void Encoding_is_stable_for_the_log_format()
    {
        // [1 (txn), 1 (version), [[1 (kv), 1 (set), "k", bin "v", 2, 3, nil]]]
        byte[] expected = [0x93, 0x01, 0x01, 0x91, 0x97, 0x01, 0x01, 0xA1, (byte)'k', 0xC4, 0x01, (byte)'v', 0x02, 0x03, 0xC0];

        Assert.Equal(expected, CommandCodec.Encode(new TxnCommand([new KvOperation(KvVerb.Set, "k", Kv.Bytes("v"), 2, 3)])));
        Assert.Equal([0x93, 0x02, 0x01, 0x05], CommandCodec.Encode(new ReapTombstonesCommand(5)));
    }

    [Fact]
    public void Every_truncation_of_a_valid_command_raises_CommandDecodeException()
    {
        var encoded = CommandCodec.Encode(new TxnCommand([
            new KvOperation(KvVerb.Set, "a/b", Kv.Bytes("value"), 1, 2, "s"),
            new KvOperation(KvVerb.DeleteTree, "a/", null, 0, 0, null),
        ]));

        for (var length = 0; length < encoded.Length; length++)
        {
            var truncated = encoded.AsMemory(0, length);
            var ex = Record.Exception(() => CommandCodec.Decode(truncated));
            Assert.True(ex is CommandDecodeException, $"prefix of {length}/{encoded.Length} bytes gave {ex?.GetType().Name ?? "a command"}");
        }
    }

    [Fact]
    public void Trailing_bytes_raise_CommandDecodeException()
    {
        var encoded = CommandCodec.Encode(new ReapTombstonesCommand(5));

        Assert.Throws<CommandDecodeException>(() => CommandCodec.Decode((byte[])[.. encoded, 0xC0]));
    }

    public static TheoryData<string, byte[]> MalformedCommands() => new()
    {
        { "empty", [] },
        { "not an array", Msgpack((ref w) => w.Write(1)) },
        { "unknown command type", Msgpack((ref w) => { w.WriteArrayHeader(3); w.Write(99); w.Write(1); w.Write(5); }) },
        { "command type zero", Msgpack((ref w) => { w.WriteArrayHeader(3); w.Write(0); w.Write(1); w.Write(5); }) },
        { "newer version", Msgpack((ref w) => { w.WriteArrayHeader(3); w.Write(2); w.Write(2); w.Write(5); }) },
        { "version zero", Msgpack((ref w) => { w.WriteArrayHeader(3); w.Write(2); w.Write(0); w.Write(5); }) },
        { "too few fields", Msgpack((ref w) => { w.WriteArrayHeader(2); w.Write(2); w.Write(1); }) },
        { "too many fields", Msgpack((ref w) => { w.WriteArrayHeader(4); w.Write(2); w.Write(1); w.Write(5); w.Write(6); }) },
        { "command type too big for a byte", Msgpack((ref w) => { w.WriteArrayHeader(3); w.Write(258); w.Write(1); w.Write(5); }) },
        { "negative reap index", Msgpack((ref w) => { w.WriteArrayHeader(3); w.Write(2); w.Write(1); w.Write(-5); }) },
        { "reap index as string", Msgpack((ref w) => { w.WriteArrayHeader(3); w.Write(2); w.Write(1); w.Write("5"); }) },
        { "operations not an array", Msgpack((ref w) => { w.WriteArrayHeader(3); w.Write(1); w.Write(1); w.Write(7); }) },
        { "operation count beyond the data", Msgpack((ref w) => { w.WriteArrayHeader(3); w.Write(1); w.Write(1); w.WriteArrayHeader(int.MaxValue); }) },
        { "unknown operation kind", Op((ref w) => { w.WriteArrayHeader(7); w.Write(2); w.Write(1); w.Write("k"); w.WriteNil(); w.Write(0); w.Write(0); w.WriteNil(); }) },
        { "operation with six fields", Op((ref w) => { w.WriteArrayHeader(6); w.Write(1); w.Write(1); w.Write("k"); w.WriteNil(); w.Write(0); w.Write(0); }) },
        { "verb zero", Op((ref w) => { w.WriteArrayHeader(7); w.Write(1); w.Write(0); w.Write("k"); w.WriteNil(); w.Write(0); w.Write(0); w.WriteNil(); }) },
        { "verb past the last", Op((ref w) => { w.WriteArrayHeader(7); w.Write(1); w.Write(14); w.Write("k"); w.WriteNil(); w.Write(0); w.Write(0); w.WriteNil(); }) },
        { "nil key", Op((ref w) => { w.WriteArrayHeader(7); w.Write(1); w.Write(1); w.WriteNil(); w.WriteNil(); w.Write(0); w.Write(0); w.WriteNil(); }) },
        { "key as bytes", Op((ref w) => { w.WriteArrayHeader(7); w.Write(1); w.Write(1); w.Write((byte[])[1]); w.WriteNil(); w.Write(0); w.Write(0); w.WriteNil(); }) },
        { "value as integer", Op((ref w) => { w.WriteArrayHeader(7); w.Write(1); w.Write(1); w.Write("k"); w.Write(3); w.Write(0); w.Write(0); w.WriteNil(); }) },
        { "negative flags", Op((ref w) => { w.WriteArrayHeader(7); w.Write(1); w.Write(1); w.Write("k"); w.WriteNil(); w.Write(-1); w.Write(0); w.WriteNil(); }) },
        { "session as integer", Op((ref w) => { w.WriteArrayHeader(7); w.Write(1); w.Write(1); w.Write("k"); w.WriteNil(); w.Write(0); w.Write(0); w.Write(1); }) },
        { "string length beyond the data", Op((ref w) => { w.WriteArrayHeader(7); w.Write(1); w.Write(1); w.WriteStringHeader(1_000_000); }) },
        { "key length beyond int range", [.. Op((ref w) => { w.WriteArrayHeader(7); w.Write(1); w.Write(1); }), 0xDB, 0xFF, 0xFF, 0xFF, 0xFF, 0x00] },
        { "value length beyond int range", [.. Op((ref w) => { w.WriteArrayHeader(7); w.Write(1); w.Write(1); w.Write("k"); }), 0xC6, 0x80, 0x00, 0x00, 0x00, 0x00] },
        { "session length beyond int range", [.. Op((ref w) => { w.WriteArrayHeader(7); w.Write(1); w.Write(1); w.Write("k"); w.WriteNil(); w.Write(0); w.Write(0); }), 0xDB, 0x97, 0x01, 0x01, 0xA1, 0x00] },
        { "operation count beyond int range", [0x93, 0x01, 0x01, 0xDD, 0xFF, 0xFF, 0xFF, 0xFF] },
    };

    [Theory]
    [MemberData(nameof(MalformedCommands))]
    public void Malformed_commands_raise_CommandDecodeException(string why, byte[] encoded)
    {
        var ex = Record.Exception(() => CommandCodec.Decode(encoded));

        Assert.True(ex is CommandDecodeException, $"{why}: got {ex?.GetType().Name ?? "a command"}");
    }

    [Fact]
    public void Random_bytes_either_decode_or_raise_CommandDecodeException()
    {
        var seed = Environment.TickCount;
        var random = new Random(seed);
        for (var i = 0; i < 20_000; i++)
        {
            var bytes = new byte[random.Next(0, 48)];
            random.NextBytes(bytes);
            // Half the inputs start like a real command so the decoder gets past the header.
            if (i % 2 == 0 && bytes.Length >= 3)
            {
                bytes[0] = 0x93;
                bytes[1] = (byte)random.Next(1, 3);
                bytes[2] = 0x01;
            }
            AssertDecodesOrRejects(bytes, $"seed {seed}, input {i}");
        }
    }

    [Fact]
    public void Mutated_valid_commands_either_decode_or_raise_CommandDecodeException()
    {
        var seed = Environment.TickCount;
        var random = new Random(seed);
        var valid = CommandCodec.Encode(new TxnCommand([
            new KvOperation(KvVerb.Cas, "a/b/c", Kv.Bytes("some value"), 7, 99, "session"),
            new KvOperation(KvVerb.GetTree, "a/"),
            new KvOperation(KvVerb.Set, "x", new byte[300], ulong.MaxValue),
        ]));
        for (var i = 0; i < 20_000; i++)
        {
            var bytes = (byte[])valid.Clone();
            for (var flips = random.Next(1, 4); flips > 0; flips--)
            {
                bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
            }
            var length = random.Next(3) == 0 ? random.Next(bytes.Length + 1) : bytes.Length;
            AssertDecodesOrRejects(bytes.AsSpan(0, length).ToArray(), $"seed {seed}, mutation {i}");
        }
    }

    private static void AssertDecodesOrRejects(byte[] bytes, string context)
    {
        try
        {
            var command = CommandCodec.Decode(bytes);
            // Whatever decodes must encode again (the log only ever holds encodable commands).
            _ = CommandCodec.Encode(command);
        }
        catch (CommandDecodeException)
        {
        }
        catch (Exception ex)
        {
            Assert.Fail($"{context}: {Convert.ToHexString(bytes)} raised {ex}");
        }
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

    /// <summary>A txn command holding one operation written by <paramref name="writeOperation"/>.</summary>
    private static byte[] Op(WriteMsgpack writeOperation) => Msgpack((ref MessagePackWriter w) =>
    {
        w.WriteArrayHeader(3);
        w.Write(1);
        w.Write(1);
        w.WriteArrayHeader(1);
        writeOperation(ref w);
    });

    private sealed record UnknownCommand : Command;

    private sealed record UnknownOperation : TxnOperation;
}
