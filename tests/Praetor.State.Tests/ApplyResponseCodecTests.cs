using System.Buffers;
using MessagePack;
using Praetor.State.Commands;
using Praetor.State.Kv;

namespace Praetor.State.Tests;

public sealed class ApplyResponseCodecTests
{
    private static byte[] Encode(object? response)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        ApplyResponseCodec.Write(ref writer, response);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    private static object? Decode(byte[] bytes)
    {
        var reader = new MessagePackReader(bytes);
        return ApplyResponseCodec.Read(ref reader);
    }

    [Fact]
    public void Every_response_of_the_state_machine_round_trips()
    {
        Assert.Null(Decode(Encode(null)));
        Assert.Equal("Node name x is reserved", Decode(Encode("Node name x is reserved")));
        var txn = new TxnResult(
            [new KvEntry("a", [1, 2], 7, 3, 4, 0, null), new KvEntry("b", null, 0, 5, 5, 1, "session-1")],
            [new TxnError(2, "key \"c\" doesn't exist")]);
        var decoded = Assert.IsType<TxnResult>(Decode(Encode(txn)));
        Assert.Equal(txn.Results.Count, decoded.Results.Count);
        Assert.Equal(txn.Results[0] with { Value = null }, decoded.Results[0] with { Value = null });
        Assert.Equal(txn.Results[0].Value, decoded.Results[0].Value);
        Assert.Equal(txn.Results[1], decoded.Results[1]);
        Assert.Equal(txn.Errors, decoded.Errors);
    }

    [Fact]
    public void An_unknown_response_type_cannot_be_written()
    {
        Assert.Throws<ArgumentException>(() => Encode(42));
    }

    [Fact]
    public void Malformed_bytes_are_refused_with_invalid_data()
    {
        var good = Encode(new TxnResult([new KvEntry("a", [1], 0, 1, 1, 0, null)], []));
        var random = new Random(7);
        for (var i = 0; i < 2_000; i++)
        {
            var bytes = i % 2 == 0 ? good[..random.Next(good.Length)] : RandomBytes(random);
            try
            {
                Decode(bytes);
            }
            catch (InvalidDataException)
            {
            }
        }
    }

    private static byte[] RandomBytes(Random random)
    {
        var bytes = new byte[random.Next(1, 40)];
        random.NextBytes(bytes);
        bytes[0] = (byte)(0x90 | random.Next(4));
        return bytes;
    }
}
