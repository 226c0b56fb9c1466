using System.Buffers;
using Praetor.Gossip.Memberlist;
using Praetor.Gossip.Memberlist.Wire;

namespace Praetor.Gossip.Tests.Wire;

/// <summary>
/// Hostile input never throws: random bytes, mutated real packets (bit flips, cuts, splices,
/// inserted bytes), wrong keys, truncated msgpack and unknown types all end as a
/// <see cref="DecodeError"/>. Seeded; a failure names its seed and case so it can be replayed.
/// </summary>
public class FuzzTests
{
    private const int CasesPerSeed = 5000;

    private static readonly string[] PacketFixtures =
    [
        "udp-ping", "udp-ack-coordinate", "udp-crc-compress-compound-alive", "udp-crc-compound-user", "udp-crc-user-event",
        "udp-indirect-ping", "udp-compound-ping-suspect", "udp-nack", "udp-suspect", "udp-dead", "udp-dead-leave",
    ];

    private static readonly string[] EncryptedFixtures = ["udp-encrypted-compound-alive", "udp-encrypted-ping", "udp-encrypted-ack"];

    private static readonly string[] StreamFixtures =
        ["tcp-pushpull-join-request", "tcp-pushpull-join-response", "tcp-encrypted-pushpull-join-request", "tcp-encrypted-pushpull-join-response"];

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Mutated_and_random_packets_never_throw(int seed)
    {
        var random = new Random(seed);
        var serfKey = Fixture.Keyring();
        var wrongKey = new Keyring(new byte[32]);
        var samples = PacketFixtures.Select(Fixture.Bytes).Concat(GeneratedPackets()).ToArray();
        var encrypted = EncryptedFixtures.Select(Fixture.Bytes).ToArray();
        var messages = new List<object>();
        var errors = new Dictionary<DecodeError, int>();
        for (var i = 0; i < CasesPerSeed; i++)
        {
            var useKey = i % 4 == 3;
            var input = i % 10 == 0
                ? RandomBytes(random, random.Next(0, 1500))
                : Mutate(random, useKey ? encrypted[random.Next(encrypted.Length)] : samples[random.Next(samples.Length)], samples);
            var keyring = useKey ? (i % 8 == 7 ? wrongKey : serfKey) : null;
            messages.Clear();
            try
            {
                var ok = MemberlistCodec.TryDecodePacket(input, keyring, messages, out var error, verifyIncoming: i % 3 != 0);
                Assert.Equal(ok, error == DecodeError.None);
                errors[error] = errors.GetValueOrDefault(error) + 1;
            }
            catch (Exception e)
            {
                Assert.Fail($"seed {seed} case {i}: {e.GetType().Name}: {e.Message}\ninput {Convert.ToHexStringLower(input)}");
            }
        }
        // The mutations reach deep into the codec, not only its first check.
        Assert.True(errors.Count >= 8, string.Join(", ", errors.Select(kv => $"{kv.Key}={kv.Value}")));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Mutated_and_random_streams_never_throw(int seed)
    {
        var random = new Random(seed);
        var serfKey = Fixture.Keyring();
        var samples = StreamFixtures.Select(Fixture.Bytes).Concat(GeneratedStreams()).ToArray();
        for (var i = 0; i < CasesPerSeed; i++)
        {
            var input = i % 10 == 0 ? RandomBytes(random, random.Next(0, 3000)) : Mutate(random, samples[random.Next(samples.Length)], samples);
            var keyring = input.Length > 0 && input[0] == (byte)MessageType.Encrypt ? serfKey : null;
            try
            {
                var status = StreamCodec.TryDecode(input, keyring, out var message, out var consumed, out var error);
                Assert.Equal(status == StreamDecodeStatus.Complete, message is not null);
                Assert.InRange(consumed, 0, input.Length);
                if (status == StreamDecodeStatus.Complete) Assert.Equal(DecodeError.None, error);
            }
            catch (Exception e)
            {
                Assert.Fail($"seed {seed} case {i}: {e.GetType().Name}: {e.Message}\ninput {Convert.ToHexStringLower(input)}");
            }
        }
    }

    [Fact]
    public void Every_truncation_of_every_real_packet_is_a_typed_error_or_a_shorter_decode()
    {
        foreach (var name in PacketFixtures)
        {
            var bytes = Fixture.Bytes(name);
            for (var n = 0; n < bytes.Length; n++)
            {
                var messages = new List<object>();
                MemberlistCodec.TryDecodePacket(bytes.AsSpan(0, n), null, messages, out var error);
                Assert.True(error != DecodeError.None || messages.Count > 0, $"{name} cut at {n}");
            }
        }
    }

    private static IEnumerable<byte[]> GeneratedPackets()
    {
        object[] all =
        [
            new Ping(1, "a", [127, 0, 0, 1], 7946, "b"), new IndirectPingReq(2, [10, 0, 0, 1], 7946, "c", true, [10, 0, 0, 2], 1, "d"),
            new AckResp(3, [1, 2, 3]), new NackResp(4), new Suspect(5, "a", "b"), new Dead(6, "a", "a"),
            new Alive(7, "a", [127, 0, 0, 1], 7946, [0xff, 0x80], ProtocolVersions.Serf09), new UserMsg([1, 2]),
        ];
        var output = new ArrayBufferWriter<byte>();
        foreach (var options in new[] { new PacketOptions(), new PacketOptions(Compress: true, Crc: true) })
        {
            foreach (var m in all)
            {
                output.ResetWrittenCount();
                MemberlistCodec.EncodePacket(output, [m], options);
                yield return output.WrittenSpan.ToArray();
            }
            output.ResetWrittenCount();
            MemberlistCodec.EncodePacket(output, [.. all, .. all], options);
            yield return output.WrittenSpan.ToArray();
        }
    }

    private static IEnumerable<byte[]> GeneratedStreams()
    {
        var output = new ArrayBufferWriter<byte>();
        StreamCodec.WriteUserMsg(output, [1, 2, 3], default);
        yield return output.WrittenSpan.ToArray();
        output.ResetWrittenCount();
        StreamCodec.WriteMessage(output, new ErrResp("boom"), new StreamOptions(Compress: true));
        yield return output.WrittenSpan.ToArray();
        output.ResetWrittenCount();
        StreamCodec.WritePushPull(output, new PushPull(false, [new PushNodeState("a", [1, 2, 3, 4], 1, [], 1, NodeState.Dead, ProtocolVersions.Serf09)], [1]), default);
        yield return output.WrittenSpan.ToArray();
    }

    private static byte[] Mutate(Random random, byte[] sample, byte[][] samples)
    {
        var bytes = (byte[])sample.Clone();
        var rounds = random.Next(1, 4);
        for (var r = 0; r < rounds && bytes.Length > 0; r++)
        {
            switch (random.Next(7))
            {
                case 0: bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8)); break;
                case 1: bytes[random.Next(bytes.Length)] = (byte)random.Next(256); break;
                case 2: bytes = bytes[..random.Next(bytes.Length)]; break;
                case 3:
                    {
                        var at = random.Next(bytes.Length + 1);
                        bytes = [.. bytes[..at], .. RandomBytes(random, random.Next(1, 8)), .. bytes[at..]];
                        break;
                    }
                case 4:
                    {
                        var other = samples[random.Next(samples.Length)];
                        var at = random.Next(bytes.Length + 1);
                        bytes = [.. bytes[..at], .. other[random.Next(other.Length)..]];
                        break;
                    }
                case 5: bytes[random.Next(bytes.Length)] = (byte)random.Next(14); break; // a plausible type byte anywhere
                default:
                    {
                        // A msgpack length or count byte set to something large.
                        var at = random.Next(bytes.Length);
                        bytes[at] = (byte)(0xd9 + random.Next(7));
                        break;
                    }
            }
        }
        return bytes;
    }

    private static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }
}
