using System.Net;
using Praetor.Dns.Wire;

namespace Praetor.Dns.Tests.Wire;

/// <summary>
/// Random and mutated packets: the reader must never throw, and whatever it accepts must be a name
/// the writer can encode again. Seeds are fixed so a failure reproduces.
/// </summary>
public class DnsWireFuzzTests
{
    private const int Iterations = 20_000;

    private static byte[] RandomValidQuery(Random random)
    {
        var labels = random.Next(0, 6);
        var builder = new PacketBuilder().Header((ushort)random.Next(65536), (ushort)(random.Next(2) * 0x0100 | random.Next(2) * 0x0010), 1, 0, 0, 0);
        for (var i = 0; i < labels; i++)
        {
            var label = new byte[random.Next(1, 20)];
            random.NextBytes(label);
            builder.Label(label);
        }

        builder.Raw(0).U16((ushort)random.Next(1, 256)).U16(1);
        var extra = random.Next(3);
        var packet = builder;
        if (extra >= 1)
        {
            // An answer pointing at the question, then maybe an OPT record.
            packet.Pointer(12).RecordTail(1, 1, 0, [1, 2, 3, 4]);
        }

        if (extra == 2)
        {
            packet.Opt((ushort)random.Next(65536), random.Next(2) == 1);
        }

        var bytes = packet.Build();
        bytes[7] = (byte)(extra >= 1 ? 1 : 0); // ANCOUNT
        bytes[11] = (byte)(extra == 2 ? 1 : 0); // ARCOUNT
        return bytes;
    }

    private static byte[] Mutate(byte[] packet, Random random)
    {
        var mutated = (byte[])packet.Clone();
        switch (random.Next(5))
        {
            case 0: // flip a few bits
                for (var i = random.Next(1, 4); i > 0; i--)
                {
                    var at = random.Next(mutated.Length);
                    mutated[at] ^= (byte)(1 << random.Next(8));
                }

                return mutated;
            case 1: // truncate
                return mutated[..random.Next(mutated.Length)];
            case 2: // corrupt a count
                mutated[4 + (2 * random.Next(4)) + random.Next(2)] = (byte)random.Next(256);
                return mutated;
            case 3: // plant a compression pointer anywhere
                {
                    var at = random.Next(12, mutated.Length - 1);
                    mutated[at] = (byte)(0xC0 | random.Next(64));
                    mutated[at + 1] = (byte)random.Next(256);
                    return mutated;
                }

            default: // overwrite a byte (label lengths become oversized, types 01/10, ...)
                mutated[random.Next(12, mutated.Length)] = (byte)random.Next(256);
                return mutated;
        }
    }

    private static void CheckAccepted(byte[] packet, DnsParseResult result, DnsQuery query)
    {
        Assert.NotNull(query.Name);
        if (result != DnsParseResult.Query)
        {
            return;
        }

        // Whatever was accepted re-encodes, within the limits, and echoes back.
        Span<byte> wire = stackalloc byte[255];
        Assert.InRange(DnsMessageWriter.EncodeName(query.Name, wire), 1, 255);
        var buffer = new byte[1024];
        var length = DnsMessageWriter.Write(buffer, query, new DnsResponse(), 0, compress: true);
        Assert.True(length >= 12, "an accepted query could not be answered");
        Assert.Equal(packet[0], buffer[0]);
        Assert.Equal(packet[1], buffer[1]);
    }

    [Fact]
    public void Valid_random_queries_parse_and_their_names_round_trip()
    {
        var random = new Random(1);
        for (var i = 0; i < 2_000; i++)
        {
            var packet = RandomValidQuery(random);

            Assert.Equal(DnsParseResult.Query, DnsMessageReader.Parse(packet, out var query));

            var buffer = new byte[1024];
            var length = DnsMessageWriter.Write(buffer, query, new DnsResponse(), 0, compress: false);
            var end = QuestionEnd(packet);
            Assert.True(length >= end);
            Assert.Equal(packet[12..end], buffer[12..end]);
        }
    }

    private static int QuestionEnd(byte[] packet)
    {
        var at = 12;
        while (packet[at] != 0)
        {
            at += packet[at] + 1;
        }

        return at + 5;
    }

    [Fact]
    public void Mutated_queries_never_throw()
    {
        var random = new Random(2);
        var counts = new Dictionary<DnsParseResult, int>();
        for (var i = 0; i < Iterations; i++)
        {
            var packet = RandomValidQuery(random);
            for (var rounds = random.Next(1, 4); rounds > 0 && packet.Length > 13; rounds--)
            {
                packet = Mutate(packet, random);
            }

            var result = DnsMessageReader.Parse(packet, out var query);
            counts[result] = counts.GetValueOrDefault(result) + 1;
            CheckAccepted(packet, result, query);
        }

        // The mutations reach every outcome, so the run exercised the error paths.
        Assert.True(counts.GetValueOrDefault(DnsParseResult.Query) > 1000);
        Assert.True(counts.GetValueOrDefault(DnsParseResult.FormatError) > 1000);
        Assert.True(counts.GetValueOrDefault(DnsParseResult.Drop) > 100);
    }

    [Fact]
    public void Random_bytes_never_throw()
    {
        var random = new Random(3);
        for (var i = 0; i < Iterations; i++)
        {
            var packet = new byte[random.Next(0, 300)];
            random.NextBytes(packet);
            if (packet.Length > 5 && random.Next(2) == 0)
            {
                // Mostly queries with one question, so the name reader sees the random bytes.
                packet[2] &= 0x7F;
                packet[4] = 0;
                packet[5] = 1;
            }

            var result = DnsMessageReader.Parse(packet, out var query);
            CheckAccepted(packet, result, query);
        }
    }

    [Fact]
    public void Writing_into_buffers_of_any_size_never_throws()
    {
        var random = new Random(4);
        var response = new DnsResponse();
        for (var i = 0; i < 20; i++)
        {
            response.Answers.Add(new DnsSrvRecord("web.service.consul", 0, 1, 1, 80, $"n{i}.node.dc1.consul"));
            response.Additional.Add(new DnsAddressRecord($"n{i}.node.dc1.consul", 0, new IPAddress([10, 0, 0, (byte)i])));
            response.Additional.Add(new DnsTxtRecord($"n{i}.node.dc1.consul", 0, [new string('m', random.Next(400))]));
        }

        var query = new DnsQuery(1, 0, true, false, "web.service.consul", 33, 1, 4096, false);
        for (var i = 0; i < 2_000; i++)
        {
            var buffer = new byte[random.Next(0, 12_000)];
            var answers = random.Next(-2, 23);
            var length = DnsMessageWriter.Write(buffer, query, response, answers, random.Next(2) == 1);
            Assert.True(length == -1 || (length >= 12 && length <= buffer.Length));
            if (length > 0)
            {
                TestDecoder.Decode(buffer[..length]);
            }
        }
    }
}
