using System.Buffers;
using System.Text;
using Praetor.Gossip.Memberlist;
using Praetor.Gossip.Memberlist.Wire;
using static Praetor.Gossip.Tests.Wire.WireText;

namespace Praetor.Gossip.Tests.Wire;

/// <summary>
/// Packets and streams captured from real Debian serf 0.9.4 agents (memberlist 0.2.2): each decodes
/// to the values serf sent, and re-encoding those values with the options serf used (compression
/// on, hasCrc where serf added it, the captured nonce) reproduces the captured bytes exactly.
/// </summary>
public class CapturedFixtureTests
{
    private static readonly ProtocolVersions SerfAgent = new(1, 5, 2, 2, 5, 5);
    private static readonly byte[] Loopback = [127, 0, 0, 1];

    // Serf's tag meta: the magic byte 0xff, then a msgpack map of tags.
    private const string MetaA = "ff82a4726f6c65a3776562a26463a3646331"; // {role: web, dc: dc1}
    private const string MetaB = "ff81a4726f6c65a26462";                 // {role: db}
    private const string MetaC = "ff80";                                  // no tags

    private static readonly PacketOptions Serf = new(Compress: true);
    private static readonly PacketOptions SerfWithCrc = new(Compress: true, Crc: true);

    [Fact]
    public void Ping_decodes_and_reencodes_exactly()
    {
        var messages = DecodeOk("udp-ping");
        Assert.Equal("Ping(SeqNo=1, Node=c, SourceAddr=7f000001, SourcePort=17946, SourceNode=a)", Describe(Assert.Single(messages)));
        AssertReencodes("udp-ping", messages, Serf);
    }

    [Fact]
    public void Ack_with_serf_coordinate_payload_decodes_and_reencodes_exactly()
    {
        var ack = Assert.IsType<AckResp>(Assert.Single(DecodeOk("udp-ack-coordinate")));
        Assert.Equal(1u, ack.SeqNo);
        Assert.Equal(130, ack.Payload.Length);
        Assert.Equal(1, ack.Payload[0]); // Serf's PingVersion
        Assert.Equal(0x84, ack.Payload[1]); // the coordinate: a map of Adjustment, Error, Height, Vec
        Assert.Contains("Adjustment", Encoding.ASCII.GetString(ack.Payload));
        AssertReencodes("udp-ack-coordinate", [ack], Serf);
    }

    [Fact]
    public void Compressed_compound_of_alive_messages_with_tag_meta_decodes_and_reencodes_exactly()
    {
        var messages = DecodeOk("udp-crc-compress-compound-alive");
        Assert.Equal(
            $"Alive(Incarnation=1, Node=a, Addr=7f000001, Port=17946, Meta={MetaA}, Vsn={SerfAgent})\n" +
            $"Alive(Incarnation=1, Node=b, Addr=7f000001, Port=17947, Meta={MetaB}, Vsn={SerfAgent})\n" +
            $"Alive(Incarnation=1, Node=c, Addr=7f000001, Port=17948, Meta={MetaC}, Vsn={SerfAgent})\n",
            Describe(messages).ReplaceLineEndings("\n"));
        AssertReencodes("udp-crc-compress-compound-alive", messages, SerfWithCrc);
    }

    [Fact]
    public void Compound_of_user_messages_decodes_and_reencodes_exactly()
    {
        var messages = DecodeOk("udp-crc-compound-user");
        Assert.Equal(2, messages.Count);
        // Serf's join intents: type 1, then {LTime: 1, Node: b|c}.
        Assert.Equal("0182a54c54696d6501a44e6f6465a162", Hex(Assert.IsType<UserMsg>(messages[0]).Payload));
        Assert.Equal("0182a54c54696d6501a44e6f6465a163", Hex(Assert.IsType<UserMsg>(messages[1]).Payload));
        AssertReencodes("udp-crc-compound-user", messages, SerfWithCrc);
    }

    [Fact]
    public void Serf_user_event_decodes_and_reencodes_exactly()
    {
        var user = Assert.IsType<UserMsg>(Assert.Single(DecodeOk("udp-crc-user-event")));
        Assert.Equal(3, user.Payload[0]); // Serf's messageUserEventType
        var text = Encoding.ASCII.GetString(user.Payload);
        Assert.Contains("deploy", text);
        Assert.Contains("v1.2.3", text);
        AssertReencodes("udp-crc-user-event", [user], SerfWithCrc);
    }

    [Fact]
    public void Indirect_ping_decodes_and_reencodes_exactly()
    {
        var messages = DecodeOk("udp-indirect-ping");
        Assert.Equal("IndirectPingReq(SeqNo=8, Target=7f000001, Port=17948, Node=c, Nack=True, SourceAddr=7f000001, SourcePort=17947, SourceNode=b)", Describe(Assert.Single(messages)));
        AssertReencodes("udp-indirect-ping", messages, Serf);
    }

    [Fact]
    public void Ping_with_piggybacked_suspect_decodes_and_reencodes_exactly()
    {
        var messages = DecodeOk("udp-compound-ping-suspect");
        Assert.Equal("Ping(SeqNo=9, Node=c, SourceAddr=7f000001, SourcePort=17947, SourceNode=b)\nSuspect(Incarnation=1, Node=c, From=b)\n", Describe(messages).ReplaceLineEndings("\n"));
        AssertReencodes("udp-compound-ping-suspect", messages, SerfWithCrc);
    }

    [Fact]
    public void Nack_decodes_and_reencodes_exactly()
    {
        var messages = DecodeOk("udp-nack");
        Assert.Equal("NackResp(SeqNo=8)", Describe(Assert.Single(messages)));
        Assert.Equal("0b81a55365714e6f08", Convert.ToHexStringLower(Fixture.Bytes("udp-nack")));
        AssertReencodes("udp-nack", messages, Serf);
    }

    [Theory]
    [InlineData("udp-suspect", "Suspect(Incarnation=1, Node=c, From=b)")]
    [InlineData("udp-dead", "Dead(Incarnation=1, Node=c, From=b)")]
    [InlineData("udp-dead-leave", "Dead(Incarnation=1, Node=b, From=b)")]
    public void Suspect_and_dead_decode_and_reencode_exactly(string fixture, string expected)
    {
        var messages = DecodeOk(fixture);
        Assert.Equal(expected, Describe(Assert.Single(messages)));
        AssertReencodes(fixture, messages, SerfWithCrc);
    }

    [Fact]
    public void Push_pull_join_request_stream_decodes_and_reencodes_exactly()
    {
        var bytes = Fixture.Bytes("tcp-pushpull-join-request");
        var pushPull = DecodeStream(bytes, null);
        Assert.True(pushPull.Join);
        Assert.Equal($"PushNodeState(Name=c, Addr=7f000001, Port=17948, Meta={MetaC}, Incarnation=1, State=Alive, Vsn={SerfAgent})", Describe(Assert.Single(pushPull.Nodes)));
        Assert.Equal(2, pushPull.UserState[0]); // Serf's messagePushPullType
        Assert.Equal(new PushPullHeader(1, pushPull.UserState.Length, true), pushPull.Header);
        AssertStreamReencodes(bytes, pushPull, new StreamOptions(Compress: true));
    }

    [Fact]
    public void Push_pull_join_response_with_two_nodes_decodes_and_reencodes_exactly()
    {
        var bytes = Fixture.Bytes("tcp-pushpull-join-response");
        var pushPull = DecodeStream(bytes, null);
        Assert.Equal(["c", "a"], pushPull.Nodes.Select(n => n.Name));
        Assert.All(pushPull.Nodes, n => Assert.Equal(Loopback, n.Addr));
        Assert.Equal(MetaA, Hex(pushPull.Nodes[1].Meta));
        AssertStreamReencodes(bytes, pushPull, new StreamOptions(Compress: true));
    }

    [Fact]
    public void Encrypted_packets_decrypt_with_the_serf_key_and_reencrypt_exactly_with_the_captured_nonce()
    {
        var keyring = Fixture.Keyring();
        var alive = Decode("udp-encrypted-compound-alive", keyring);
        Assert.Equal(["a", "b"], alive.Select(m => Assert.IsType<Alive>(m).Node));
        Assert.Equal(17966, ((Alive)alive[0]).Port);

        var ping = Decode("udp-encrypted-ping", keyring);
        Assert.Equal("Ping(SeqNo=1, Node=a, SourceAddr=7f000001, SourcePort=17967, SourceNode=b)", Describe(Assert.Single(ping)));

        var ack = Decode("udp-encrypted-ack", keyring);
        Assert.IsType<AckResp>(ack[0]);
        Assert.IsType<UserMsg>(ack[1]);

        foreach (var (name, messages) in new[] { ("udp-encrypted-compound-alive", alive), ("udp-encrypted-ping", ping), ("udp-encrypted-ack", ack) })
        {
            var captured = Fixture.Bytes(name);
            Assert.Equal(1, captured[0]); // encryption version 1: no padding
            var plainHasCrc = PlainOf(captured, keyring)[0] == (byte)MessageType.HasCrc;
            var output = new ArrayBufferWriter<byte>();
            MemberlistCodec.EncodePacket(output, messages, new PacketOptions(Compress: true, Crc: plainHasCrc, Keyring: keyring), captured.AsSpan(1, 12));
            Assert.Equal(Convert.ToHexStringLower(captured), Convert.ToHexStringLower(output.WrittenSpan));
        }
    }

    [Fact]
    public void Encrypted_push_pull_streams_decrypt_and_reencrypt_exactly_with_the_captured_nonce()
    {
        var keyring = Fixture.Keyring();
        foreach (var (name, node) in new[] { ("tcp-encrypted-pushpull-join-request", "b"), ("tcp-encrypted-pushpull-join-response", "a") })
        {
            var bytes = Fixture.Bytes(name);
            Assert.Equal((byte)MessageType.Encrypt, bytes[0]);
            var pushPull = DecodeStream(bytes, keyring);
            Assert.Equal(node, Assert.Single(pushPull.Nodes).Name);
            var output = new ArrayBufferWriter<byte>();
            StreamCodec.WritePushPull(output, pushPull, new StreamOptions(Compress: true, Keyring: keyring), bytes.AsSpan(6, 12));
            Assert.Equal(Convert.ToHexStringLower(bytes), Convert.ToHexStringLower(output.WrittenSpan));
        }
    }

    [Fact]
    public void Encrypted_packets_are_refused_with_a_wrong_key_and_without_a_key()
    {
        var wrong = new Keyring(Encoding.ASCII.GetBytes("abcdefghijklmnopqrstuvwxyz012345"));
        var messages = new List<object>();
        Assert.False(MemberlistCodec.TryDecodePacket(Fixture.Bytes("udp-encrypted-ping"), wrong, messages, out var error));
        Assert.Equal(DecodeError.NoKeyDecrypts, error);
        Assert.False(MemberlistCodec.TryDecodePacket(Fixture.Bytes("udp-encrypted-ping"), null, messages, out error));
        Assert.Empty(messages);
        Assert.NotEqual(DecodeError.None, error);
        // The right key as a secondary key still decrypts (a rotation in progress).
        var rotated = wrong.WithKey(Convert.FromBase64String("MTIzNDU2Nzg5MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTI="));
        Assert.True(MemberlistCodec.TryDecodePacket(Fixture.Bytes("udp-encrypted-ping"), rotated, messages, out error), error.ToString());
    }

    private static byte[] PlainOf(byte[] encrypted, Keyring keyring)
    {
        var plain = new byte[encrypted.Length];
        Assert.True(GossipEncryption.TryDecrypt(keyring, encrypted, default, plain, out var length, out var error), error.ToString());
        return plain[..length];
    }

    private static List<object> DecodeOk(string fixture) => Decode(fixture, null);

    private static List<object> Decode(string fixture, Keyring? keyring)
    {
        var messages = new List<object>();
        var ok = MemberlistCodec.TryDecodePacket(Fixture.Bytes(fixture), keyring, messages, out var error);
        Assert.True(ok, $"{fixture}: {error}");
        Assert.Equal(DecodeError.None, error);
        return messages;
    }

    private static PushPull DecodeStream(byte[] bytes, Keyring? keyring)
    {
        var status = StreamCodec.TryDecode(bytes, keyring, out var message, out var consumed, out var error);
        Assert.Equal(StreamDecodeStatus.Complete, status);
        Assert.Equal(DecodeError.None, error);
        Assert.Equal(bytes.Length, consumed);
        return Assert.IsType<PushPull>(message);
    }

    private static void AssertReencodes(string fixture, IReadOnlyList<object> messages, PacketOptions options)
    {
        var output = new ArrayBufferWriter<byte>();
        MemberlistCodec.EncodePacket(output, messages, options);
        Assert.Equal(Convert.ToHexStringLower(Fixture.Bytes(fixture)), Convert.ToHexStringLower(output.WrittenSpan));
    }

    private static void AssertStreamReencodes(byte[] captured, PushPull pushPull, StreamOptions options)
    {
        var output = new ArrayBufferWriter<byte>();
        StreamCodec.WritePushPull(output, pushPull, options);
        Assert.Equal(Convert.ToHexStringLower(captured), Convert.ToHexStringLower(output.WrittenSpan));
    }
}
