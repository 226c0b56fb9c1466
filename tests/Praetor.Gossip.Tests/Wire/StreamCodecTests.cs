using System.Buffers;
using Praetor.Gossip.Memberlist;
using Praetor.Gossip.Memberlist.Wire;
using static Praetor.Gossip.Tests.Wire.WireText;

namespace Praetor.Gossip.Tests.Wire;

/// <summary>TCP stream messages: push/pull, user messages, ping/ack and errors, plain, compressed and encrypted; read incrementally.</summary>
public class StreamCodecTests
{
    private static readonly Keyring Ring = new([.. Enumerable.Range(1, 32).Select(i => (byte)i)]);

    private static PushPull SampleState() => new(
        true,
        [
            new PushNodeState("a", [127, 0, 0, 1], 7946, [0xff, 0x80], 3, NodeState.Alive, ProtocolVersions.Serf09),
            new PushNodeState("b", [10, 0, 0, 2], 7947, [], 9, NodeState.Suspect, ProtocolVersions.Serf09),
            new PushNodeState("c", [10, 0, 0, 3], 7948, [1], 1, NodeState.Left, ProtocolVersions.Serf09),
        ],
        [2, 0x80, 1, 2, 3]);

    public static TheoryData<bool, bool> Layers() => new() { { false, false }, { true, false }, { false, true }, { true, true } };

    [Theory]
    [MemberData(nameof(Layers))]
    public void Push_pull_round_trips(bool compress, bool encrypt)
    {
        var options = new StreamOptions(compress, encrypt ? Ring : null);
        var output = new ArrayBufferWriter<byte>();
        StreamCodec.WritePushPull(output, SampleState(), options);
        var decoded = DecodeComplete(output.WrittenSpan.ToArray(), options.Keyring);
        Assert.Equal(Describe(SampleState()), Describe(decoded));
    }

    [Fact]
    public void A_plain_push_pull_is_header_then_node_states_then_the_user_state()
    {
        var output = new ArrayBufferWriter<byte>();
        StreamCodec.WritePushPull(output, new PushPull(false, [], [0xAB, 0xCD]), default);
        // 6, {Join: false, Nodes: 0, UserStateLen: 2}, then the two raw bytes.
        Assert.Equal("0683a44a6f696ec2a54e6f64657300ac5573657253746174654c656e02abcd", Convert.ToHexStringLower(output.WrittenSpan));
    }

    [Theory]
    [MemberData(nameof(Layers))]
    public void User_message_ping_ack_and_error_round_trip(bool compress, bool encrypt)
    {
        var options = new StreamOptions(compress, encrypt ? Ring : null);
        var output = new ArrayBufferWriter<byte>();
        StreamCodec.WriteUserMsg(output, [9, 8, 7], options);
        Assert.Equal("UserMsg(090807)", Describe(DecodeComplete(output.WrittenSpan.ToArray(), options.Keyring)));
        foreach (var message in new object[] { new Ping(4, "b", [127, 0, 0, 1], 7946, "a"), new AckResp(4, []), new ErrResp("Encryption is configured but remote state is not encrypted") })
        {
            output.ResetWrittenCount();
            StreamCodec.WriteMessage(output, message, options);
            Assert.Equal(Describe(message), Describe(DecodeComplete(output.WrittenSpan.ToArray(), options.Keyring)));
        }
    }

    [Fact]
    public void The_user_message_header_precedes_the_payload()
    {
        var output = new ArrayBufferWriter<byte>();
        StreamCodec.WriteUserMsg(output, [1, 2], default);
        Assert.Equal("0881aa557365724d73674c656e020102", Convert.ToHexStringLower(output.WrittenSpan));
    }

    [Theory]
    [MemberData(nameof(Layers))]
    public void Every_prefix_needs_more_data_and_trailing_bytes_are_left_for_the_next_message(bool compress, bool encrypt)
    {
        var options = new StreamOptions(compress, encrypt ? Ring : null);
        var output = new ArrayBufferWriter<byte>();
        StreamCodec.WritePushPull(output, SampleState(), options);
        var bytes = output.WrittenSpan.ToArray();
        for (var n = 0; n < bytes.Length; n++)
        {
            var status = StreamCodec.TryDecode(bytes.AsSpan(0, n), options.Keyring, out var message, out var consumed, out var error);
            Assert.True(status == StreamDecodeStatus.NeedMoreData, $"prefix {n}/{bytes.Length}: {status} {error}");
            Assert.Null(message);
            Assert.Equal(0, consumed);
        }
        byte[] withTrailer = [.. bytes, 0xEE, 0xEE];
        Assert.Equal(StreamDecodeStatus.Complete, StreamCodec.TryDecode(withTrailer, options.Keyring, out _, out var used, out _));
        Assert.Equal(bytes.Length, used);
    }

    [Fact]
    public void Encryption_rules_of_read_stream_apply()
    {
        var plain = new ArrayBufferWriter<byte>();
        StreamCodec.WriteUserMsg(plain, [1], default);
        Assert.Equal(StreamDecodeStatus.Invalid, StreamCodec.TryDecode(plain.WrittenSpan, Ring, out _, out _, out var error));
        Assert.Equal(DecodeError.NotEncrypted, error);
        Assert.Equal(StreamDecodeStatus.Complete, StreamCodec.TryDecode(plain.WrittenSpan, Ring, out _, out _, out _, verifyIncoming: false));

        var encrypted = new ArrayBufferWriter<byte>();
        StreamCodec.WriteUserMsg(encrypted, [1], new StreamOptions(Keyring: Ring));
        Assert.Equal(StreamDecodeStatus.Invalid, StreamCodec.TryDecode(encrypted.WrittenSpan, null, out _, out _, out error));
        Assert.Equal(DecodeError.EncryptionNotConfigured, error);
        Assert.Equal(StreamDecodeStatus.Invalid, StreamCodec.TryDecode(encrypted.WrittenSpan, new Keyring(new byte[16]), out _, out _, out error));
        Assert.Equal(DecodeError.NoKeyDecrypts, error);

        // The length prefix is authenticated: changing it breaks decryption even when the bytes are there.
        var tampered = encrypted.WrittenSpan.ToArray();
        tampered[4]--;
        Assert.Equal(StreamDecodeStatus.Invalid, StreamCodec.TryDecode(tampered, Ring, out _, out _, out error));
        Assert.Equal(DecodeError.NoKeyDecrypts, error);
    }

    [Fact]
    public void Oversized_streams_are_refused()
    {
        Assert.Equal(StreamDecodeStatus.Invalid, StreamCodec.TryDecode([(byte)MessageType.Encrypt, 0x02, 0, 0, 0], Ring, out _, out _, out var error));
        Assert.Equal(DecodeError.TooLarge, error);
        // A user message claiming more than the limit.
        Assert.Equal(StreamDecodeStatus.Invalid, StreamCodec.TryDecode(Convert.FromHexString("0881aa557365724d73674c656ece7fffffff"), null, out _, out _, out error));
        Assert.Equal(DecodeError.InvalidValue, error);
    }

    [Fact]
    public void Packet_only_types_are_not_stream_messages()
    {
        Assert.Equal(StreamDecodeStatus.Invalid, StreamCodec.TryDecode([(byte)MessageType.Alive, 0x80], null, out _, out _, out var error));
        Assert.Equal(DecodeError.UnknownMessageType, error);
    }

    private static object DecodeComplete(byte[] bytes, Keyring? keyring)
    {
        var status = StreamCodec.TryDecode(bytes, keyring, out var message, out var consumed, out var error);
        Assert.True(status == StreamDecodeStatus.Complete, $"{status} {error}");
        Assert.Equal(bytes.Length, consumed);
        return message!;
    }
}
