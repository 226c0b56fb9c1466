using System.Buffers;
using System.Buffers.Binary;
using Praetor.Gossip.Memberlist;
using Praetor.Gossip.Memberlist.Wire;
using static Praetor.Gossip.Tests.Wire.WireText;

namespace Praetor.Gossip.Tests.Wire;

/// <summary>The packet layers: compound, hasCrc, compress (LZW) and encryption, as memberlist's net.go and security.go define them.</summary>
public class PacketLayerTests
{
    private static readonly byte[] Key16 = [.. Enumerable.Range(1, 16).Select(i => (byte)i)];
    private static readonly byte[] Key32 = [.. Enumerable.Range(100, 32).Select(i => (byte)i)];

    [Fact]
    public void Compound_keeps_complete_parts_and_reports_truncated_ones()
    {
        var packet = Encode([new NackResp(1), new NackResp(2), new NackResp(3)], default);
        Assert.Equal((byte)MessageType.Compound, packet[0]);
        Assert.Equal(3, packet[1]);
        var cut = packet[..^3]; // the third part loses its last bytes
        var messages = new List<object>();
        Assert.False(MemberlistCodec.TryDecodePacket(cut, null, messages, out var error));
        Assert.Equal(DecodeError.CompoundPartsTruncated, error);
        Assert.Equal("NackResp(SeqNo=1)\nNackResp(SeqNo=2)\n", Describe(messages).ReplaceLineEndings("\n"));

        var parts = new List<Range>();
        Assert.True(CompoundMessage.TrySplit(cut.AsSpan(1), parts, out var truncated));
        Assert.Equal(2, parts.Count);
        Assert.Equal(1, truncated);
    }

    [Fact]
    public void A_compound_header_cut_short_is_reported()
    {
        var messages = new List<object>();
        Assert.False(MemberlistCodec.TryDecodePacket([(byte)MessageType.Compound, 3, 0, 9], null, messages, out var error));
        Assert.Equal(DecodeError.CompoundHeaderTruncated, error);
        Assert.False(MemberlistCodec.TryDecodePacket([(byte)MessageType.Compound], null, messages, out error));
        Assert.Equal(DecodeError.CompoundHeaderTruncated, error);
    }

    [Fact]
    public void A_bad_part_is_dropped_and_the_good_parts_still_decode()
    {
        var output = new ArrayBufferWriter<byte>();
        CompoundMessage.Write(output, new ReadOnlyMemory<byte>[] { Message(new NackResp(1)), new byte[] { 42, 0x80 }, Message(new NackResp(3)) });
        var messages = new List<object>();
        Assert.False(MemberlistCodec.TryDecodePacket(output.WrittenSpan, null, messages, out var error));
        Assert.Equal(DecodeError.UnknownMessageType, error);
        Assert.Equal(2, messages.Count);
    }

    [Fact]
    public void Crc_covers_the_payload_and_a_flipped_bit_is_caught()
    {
        var packet = Encode([new Suspect(1, "a", "b")], new PacketOptions(Crc: true));
        Assert.Equal((byte)MessageType.HasCrc, packet[0]);
        Assert.Equal(Crc32(packet.AsSpan(5)), BinaryPrimitives.ReadUInt32BigEndian(packet.AsSpan(1)));
        packet[^1] ^= 1;
        Assert.False(MemberlistCodec.TryDecodePacket(packet, null, [], out var error));
        Assert.Equal(DecodeError.CrcMismatch, error);
    }

    [Fact]
    public void Crc32_is_the_ieee_checksum()
    {
        // The standard check value of CRC-32/IEEE ("123456789").
        Assert.Equal(0xCBF43926u, Crc32("123456789"u8));
    }

    [Fact]
    public void Compression_is_used_only_when_it_makes_the_packet_smaller()
    {
        var small = Encode([new NackResp(1)], new PacketOptions(Compress: true));
        Assert.Equal((byte)MessageType.NackResp, small[0]);
        var repetitive = Encode([.. Enumerable.Range(0, 20).Select(i => (object)new Alive(1, "node-with-a-long-name", [127, 0, 0, 1], 7946, [0xff, 0x80], ProtocolVersions.Serf09))], new PacketOptions(Compress: true));
        Assert.Equal((byte)MessageType.Compress, repetitive[0]);
        var messages = new List<object>();
        Assert.True(MemberlistCodec.TryDecodePacket(repetitive, null, messages, out var error), error.ToString());
        Assert.Equal(20, messages.Count);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(100)]
    [InlineData(5000)]
    [InlineData(300_000)]
    public void Lzw_round_trips_through_table_resets(int length)
    {
        // Random bytes fill the 4096-code table quickly, so long inputs cross several clear codes;
        // a repetitive tail exercises the KwKwK case.
        var random = new Random(length);
        var input = new byte[length];
        random.NextBytes(input.AsSpan(0, length / 2));
        for (var i = length / 2; i < length; i++) input[i] = (byte)(i % 3);
        var compressed = new ArrayBufferWriter<byte>();
        GoLzw.Compress(input, compressed);
        var output = new ArrayBufferWriter<byte>();
        Assert.True(GoLzw.TryDecompress(compressed.WrittenSpan, output, int.MaxValue, out var error), error.ToString());
        Assert.Equal(input, output.WrittenSpan.ToArray());
    }

    [Fact]
    public void Lzw_of_nothing_is_a_clear_code_and_an_end_code()
    {
        var compressed = new ArrayBufferWriter<byte>();
        GoLzw.Compress([], compressed);
        // 256 then 257, nine bits each, LSB first: 0x00 0x03 0x02 (Go's Close without a Write: the clear code, then the end code).
        Assert.Equal("000302", Convert.ToHexStringLower(compressed.WrittenSpan));
    }

    [Fact]
    public void Lzw_rejects_a_missing_end_code_an_invalid_code_and_a_bomb()
    {
        var compressed = new ArrayBufferWriter<byte>();
        GoLzw.Compress(new byte[10_000], compressed);
        var bytes = compressed.WrittenSpan.ToArray();
        Assert.False(GoLzw.TryDecompress(bytes.AsSpan(0, bytes.Length - 2), new ArrayBufferWriter<byte>(), int.MaxValue, out var error));
        Assert.Equal(DecodeError.CorruptCompression, error);
        Assert.False(GoLzw.TryDecompress(bytes, new ArrayBufferWriter<byte>(), 1000, out error));
        Assert.Equal(DecodeError.CorruptCompression, error);
        // Code 300 right after the clear code: not defined yet.
        Assert.False(GoLzw.TryDecompress([0x00, 0x59, 0x02], new ArrayBufferWriter<byte>(), 100, out error));
        Assert.Equal(DecodeError.CorruptCompression, error);
    }

    [Fact]
    public void A_compress_message_naming_another_algorithm_is_refused()
    {
        // {Algo: 1, Buf: ""}
        Assert.False(MemberlistCodec.TryDecodePacket(Convert.FromHexString("0982a4416c676f01a3427566a0"), null, [], out var error));
        Assert.Equal(DecodeError.UnknownCompression, error);
    }

    [Fact]
    public void Nesting_past_the_limit_is_refused()
    {
        var payload = Message(new NackResp(1));
        for (var i = 0; i < WireLimits.PacketNestingDepthMax + 1; i++)
        {
            var output = new ArrayBufferWriter<byte>();
            CompoundMessage.Write(output, new ReadOnlyMemory<byte>[] { payload });
            payload = output.WrittenSpan.ToArray();
        }
        Assert.False(MemberlistCodec.TryDecodePacket(payload, null, [], out var error));
        Assert.Equal(DecodeError.NestingTooDeep, error);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void Encryption_round_trips_in_both_versions_with_the_documented_layout(byte version)
    {
        var keyring = new Keyring(Key32);
        var nonce = Enumerable.Range(0, 12).Select(i => (byte)i).ToArray();
        var plain = Encode([new Ping(1, "a")], default);
        var packet = Encode([new Ping(1, "a")], new PacketOptions(Keyring: keyring, EncryptionVersion: version), nonce);
        Assert.Equal(GossipEncryption.EncryptedLength(version, plain.Length), packet.Length);
        Assert.Equal(version, packet[0]);
        Assert.Equal(nonce, packet[1..13]);
        // Version 0 pads to a whole block: 1 + 12 + ceil((n+1)/16)*16 + 16.
        Assert.Equal(version == 0 ? 1 + 12 + (plain.Length / 16 + 1) * 16 + 16 : 1 + 12 + plain.Length + 16, packet.Length);
        var messages = new List<object>();
        Assert.True(MemberlistCodec.TryDecodePacket(packet, keyring, messages, out var error), error.ToString());
        Assert.Equal("Ping(SeqNo=1, Node=a, SourceAddr=null, SourcePort=0, SourceNode=)", Describe(Assert.Single(messages)));
    }

    [Fact]
    public void Every_key_is_tried_and_the_primary_encrypts()
    {
        var oldRing = new Keyring(Key16);
        var rotated = oldRing.WithKey(Key32).WithPrimary(Key32);
        Assert.Equal(Key32, rotated.PrimaryKey.ToArray());
        var fromOld = Encode([new NackResp(1)], new PacketOptions(Keyring: oldRing));
        var fromNew = Encode([new NackResp(2)], new PacketOptions(Keyring: rotated));
        Assert.True(MemberlistCodec.TryDecodePacket(fromOld, rotated, [], out _));
        Assert.True(MemberlistCodec.TryDecodePacket(fromNew, rotated, [], out _));
        Assert.False(MemberlistCodec.TryDecodePacket(fromNew, oldRing, [], out var error));
        Assert.Equal(DecodeError.NoKeyDecrypts, error);
        var done = rotated.WithoutKey(Key16);
        Assert.Equal(1, done.Count);
        Assert.Throws<ArgumentException>(() => done.WithoutKey(Key32));
        Assert.Throws<ArgumentException>(() => new Keyring(new byte[15]));
    }

    [Fact]
    public void Plaintext_is_refused_when_encryption_is_verified_and_read_when_it_is_not()
    {
        var keyring = new Keyring(Key16);
        var plain = Encode([new NackResp(5)], default);
        Assert.False(MemberlistCodec.TryDecodePacket(plain, keyring, [], out var error));
        Assert.NotEqual(DecodeError.None, error);
        var messages = new List<object>();
        Assert.True(MemberlistCodec.TryDecodePacket(plain, keyring, messages, out error, verifyIncoming: false), error.ToString());
        Assert.Equal("NackResp(SeqNo=5)", Describe(Assert.Single(messages)));
    }

    [Fact]
    public void Tampering_short_input_and_unknown_versions_are_typed_errors()
    {
        var keyring = new Keyring(Key16);
        var packet = Encode([new NackResp(1)], new PacketOptions(Keyring: keyring));
        packet[20] ^= 0x40;
        Assert.False(MemberlistCodec.TryDecodePacket(packet, keyring, [], out var error));
        Assert.Equal(DecodeError.NoKeyDecrypts, error);
        Assert.False(MemberlistCodec.TryDecodePacket(new byte[28], keyring, [], out error));
        Assert.Equal(DecodeError.EncryptedTooShort, error);
        Assert.False(MemberlistCodec.TryDecodePacket([0, .. new byte[40]], keyring, [], out error)); // version 0 needs 45
        Assert.Equal(DecodeError.EncryptedTooShort, error);
        Assert.False(MemberlistCodec.TryDecodePacket([2, .. new byte[60]], keyring, [], out error));
        Assert.Equal(DecodeError.UnsupportedEncryptionVersion, error);
    }

    [Fact]
    public void Empty_packets_are_reported()
    {
        Assert.False(MemberlistCodec.TryDecodePacket([], null, [], out var error));
        Assert.Equal(DecodeError.Empty, error);
    }

    private static uint Crc32(ReadOnlySpan<byte> data) => Crc32Ieee.Compute(data);

    private static byte[] Message(object message)
    {
        var output = new ArrayBufferWriter<byte>();
        MessageCodec.Write(output, message);
        return output.WrittenSpan.ToArray();
    }

    private static byte[] Encode(IReadOnlyList<object> messages, PacketOptions options, byte[]? nonce = null)
    {
        var output = new ArrayBufferWriter<byte>();
        MemberlistCodec.EncodePacket(output, messages, options, nonce);
        return output.WrittenSpan.ToArray();
    }
}
