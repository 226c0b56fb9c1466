using System.Buffers;
using Praetor.Gossip.Memberlist;
using Praetor.Gossip.Memberlist.Wire;
using static Praetor.Gossip.Tests.Wire.WireText;

namespace Praetor.Gossip.Tests.Wire;

/// <summary>Each message's encoding as go-msgpack writes it, and decoding as leniently (and no more) as Go reads it.</summary>
public class MessageCodecTests
{
    private static readonly byte[] V4 = [10, 0, 0, 7];
    private static readonly byte[] V6 = [.. new byte[15], 1];

    public static TheoryData<object> Messages() =>
    [
        new Ping(1, "n"),
        new Ping(uint.MaxValue, "node-with-a-name-longer-than-31-bytes", V6, 65535, "source"),
        new IndirectPingReq(7, V4, 7946, "target", true, V4, 7947, "asker"),
        new IndirectPingReq(300, V6, 1, "t", false),
        new AckResp(65536, [1, 2, 3]),
        new AckResp(0, []),
        new AckResp(5, new byte[70000]),
        new NackResp(128),
        new Suspect(255, "a", "b"),
        new Alive(256, "a", V4, 7946, [0xff, 0x80], ProtocolVersions.Serf09),
        new Alive(1, "b", V6, 7946, new byte[300], new ProtocolVersions(1, 5, 2, 2, 5, 5)),
        new Alive(0, "", V4, 0, [], default),
        new Dead(65535, "a", "a"),
        new UserMsg([1, 2, 3, 4]),
        new UserMsg([]),
    ];

    [Theory]
    [MemberData(nameof(Messages))]
    public void Every_message_round_trips(object message)
    {
        var output = new ArrayBufferWriter<byte>();
        MessageCodec.Write(output, message);
        Assert.True(MessageCodec.TryRead(output.WrittenSpan, out var decoded, out var error), error.ToString());
        Assert.Equal(Describe(message), Describe(decoded));
    }

    [Theory]
    [MemberData(nameof(Messages))]
    public void Every_message_round_trips_through_a_packet_alone_and_in_a_compound(object message)
    {
        var size = new ArrayBufferWriter<byte>();
        MessageCodec.Write(size, message);
        var batches = size.WrittenCount <= WireLimits.CompoundPartBytesMax
            ? new[] { new[] { message }, new[] { message, new NackResp(9), message } }
            : [[message]]; // a compound part is at most 65535 bytes
        foreach (var batch in batches)
        {
            var output = new ArrayBufferWriter<byte>();
            MemberlistCodec.EncodePacket(output, batch, new PacketOptions(Compress: true, Crc: true));
            var decoded = new List<object>();
            Assert.True(MemberlistCodec.TryDecodePacket(output.WrittenSpan, null, decoded, out var error), error.ToString());
            Assert.Equal(Describe(batch), Describe(decoded));
        }
    }

    [Fact]
    public void Keys_are_written_in_go_msgpack_sorted_order_and_omitempty_fields_left_out()
    {
        Assert.Equal("0082a44e6f6465a16ea55365714e6f01", Encode(new Ping(1, "n")));
        // Nack < Node < Port < SeqNo < SourceAddr < SourceNode < SourcePort < Target.
        Assert.Equal(
            "0188a44e61636bc3a44e6f6465a174a4506f7274cd1f0aa55365714e6f07aa536f7572636541646472a40a000007aa536f757263654e6f6465a173aa536f75726365506f7274cd1f0ba6546172676574a40a000007",
            Encode(new IndirectPingReq(7, V4, 7946, "t", true, V4, 7947, "s")));
        Assert.Equal("0383a446726f6da162ab496e6361726e6174696f6ecd0100a44e6f6465a161", Encode(new Suspect(256, "a", "b")));
    }

    [Fact]
    public void Byte_slices_and_strings_are_old_spec_raw_never_str8_or_bin_and_an_empty_slice_is_nil()
    {
        // 40 bytes: str8 (d9) would be the new spec; go-msgpack writes str16 (da).
        var ack = Encode(new AckResp(1, new byte[40]));
        Assert.StartsWith("0282a75061796c6f6164da0028", ack);
        Assert.Equal("0282a75061796c6f6164c0a55365714e6f01", Encode(new AckResp(1, [])));
        Assert.Contains("a356736ea6010502020504", Encode(new Alive(1, "a", V4, 1, [], ProtocolVersions.Serf09))); // Vsn: six raw bytes
    }

    [Fact]
    public void Decoding_tolerates_unknown_keys_any_order_bin_str8_wide_ints_and_nil()
    {
        // A ping map: an unknown key with a nested value first, then keys reversed, SeqNo as int32,
        // Node as str8, SourceAddr as bin8, SourceNode as nil.
        var body = Hex(
            "86",
            "a7556e6b6e6f776e", "92" + "81a178c0" + "cb3ff0000000000000", // Unknown: [ {x: nil}, 1.0 ]
            "aa536f757263654e6f6465", "c0",
            "aa536f7572636541646472", "c404" + "7f000001",
            "aa536f75726365506f7274", "d1" + "1f0a",
            "a4" + "4e6f6465", "d901" + "6e",
            "a5" + "5365714e6f", "d2" + "00000005");
        Assert.True(MessageCodec.TryRead([(byte)MessageType.Ping, .. body], out var decoded, out var error), error.ToString());
        Assert.Equal("Ping(SeqNo=5, Node=n, SourceAddr=7f000001, SourcePort=7946, SourceNode=)", Describe(decoded));
    }

    [Fact]
    public void Decoding_reads_booleans_as_go_does_and_missing_fields_as_zero()
    {
        // Nack as fixint 1; no Target, no Port.
        Assert.True(MessageCodec.TryRead([(byte)MessageType.IndirectPing, .. Hex("82", "a44e61636b", "01", "a5" + "5365714e6f", "02")], out var decoded, out _));
        Assert.Equal("IndirectPingReq(SeqNo=2, Target=, Port=0, Node=, Nack=True, SourceAddr=null, SourcePort=0, SourceNode=)", Describe(decoded));
    }

    [Fact]
    public void An_alive_without_six_vsn_bytes_reads_as_versions_not_present()
    {
        Assert.True(MessageCodec.TryRead([(byte)MessageType.Alive, .. Hex("82", "a44e6f6465", "a161", "a3" + "56736e", "a3" + "010502")], out var decoded, out _));
        Assert.Equal(default, Assert.IsType<Alive>(decoded).Vsn);
    }

    [Theory]
    [InlineData("81a55365714e6fa131", DecodeError.WrongType)]          // SeqNo as a string
    [InlineData("81a55365714e6fcb3ff0000000000000", DecodeError.WrongType)] // SeqNo as a float
    [InlineData("81a55365714e6fff", DecodeError.InvalidValue)]         // SeqNo -1
    [InlineData("81a55365714e6fcf0000000100000000", DecodeError.InvalidValue)] // SeqNo over uint32
    [InlineData("81a44e6f6465cd0001", DecodeError.WrongType)]          // Node as an int
    [InlineData("81a44e6f6465a5616263", DecodeError.Truncated)]        // string cut short
    [InlineData("82a55365714e6f01", DecodeError.Truncated)]            // map promises two entries
    [InlineData("9101", DecodeError.WrongType)]                        // an array, not a map
    [InlineData("c1", DecodeError.MalformedMsgpack)]                   // a reserved code
    [InlineData("", DecodeError.Truncated)]                            // nothing after the type byte
    public void Wrong_types_and_truncation_are_typed_errors(string bodyHex, DecodeError expected)
    {
        Assert.False(MessageCodec.TryRead([(byte)MessageType.Ping, .. Convert.FromHexString(bodyHex)], out var decoded, out var error));
        Assert.Null(decoded);
        Assert.Equal(expected, error);
    }

    [Fact]
    public void Unknown_keys_nested_deeper_than_the_skip_limit_are_malformed_not_a_stack_overflow()
    {
        var deep = Enumerable.Repeat((byte)0x91, 10_000).Append((byte)0x01).ToArray();
        byte[] body = [0x81, 0xa1, (byte)'x', .. deep];
        Assert.False(MessageCodec.TryRead([(byte)MessageType.Ping, .. body], out _, out var error));
        Assert.Equal(DecodeError.MalformedMsgpack, error);
    }

    [Theory]
    [InlineData((byte)MessageType.PushPull)]
    [InlineData((byte)MessageType.Encrypt)]
    [InlineData((byte)MessageType.Err)]
    [InlineData((byte)14)]
    [InlineData((byte)255)]
    public void Types_a_packet_never_carries_are_unknown(byte type)
    {
        Assert.False(MessageCodec.TryRead([type, 0x80], out _, out var error));
        Assert.Equal(DecodeError.UnknownMessageType, error);
    }

    private static string Encode(object message)
    {
        var output = new ArrayBufferWriter<byte>();
        MessageCodec.Write(output, message);
        return Convert.ToHexStringLower(output.WrittenSpan);
    }

    private static byte[] Hex(params string[] parts) => Convert.FromHexString(string.Concat(parts));
}
