using System.Net;
using Praetor.Agent.Config;
using Praetor.Dns.Wire;
using Ar = ARSoft.Tools.Net.Dns;

namespace Praetor.Dns.Tests;

/// <summary><see cref="DnsServer.Encode"/>: Consul's trimming of answers to the transport and the client's buffer.</summary>
public sealed class DnsServerEncodeTests
{
    private static readonly DnsSettings Defaults = new();

    private static DnsQuery Query(ushort? edns = null, DnsRecordType type = DnsRecordType.A) =>
        new(0x4242, 0, true, false, "web.service.consul", (ushort)type, DnsClass.Internet, edns, false);

    private static DnsResponse AddressAnswers(int count)
    {
        var response = new DnsResponse { Authoritative = true };
        for (var i = 0; i < count; i++)
        {
            response.Answers.Add(new DnsAddressRecord("web.service.consul", 0, new IPAddress([10, 0, (byte)(i >> 8), (byte)i])));
        }
        return response;
    }

    private static (Ar.DnsMessage Message, int Length) Encode(DnsQuery query, DnsResponse response, bool tcp = false, DnsSettings? dns = null)
    {
        var buffer = new byte[ushort.MaxValue];
        var length = DnsServer.Encode(buffer, query, response, tcp, dns ?? Defaults);
        Assert.True(length > 12, $"encoded length {length}");
        return (Ar.DnsMessage.Parse(buffer[..length]), length);
    }

    /// <summary>One more answer than <paramref name="count"/> would not fit in <paramref name="size"/> bytes.</summary>
    private static void AssertMaximal(DnsQuery query, DnsResponse response, int count, int size, bool compress = true)
    {
        Assert.True(count < response.Answers.Count);
        var buffer = new byte[size];
        Assert.True(DnsMessageWriter.Write(buffer, query, response, count, compress) > 0);
        Assert.Equal(-1, DnsMessageWriter.Write(buffer, query, response, count + 1, compress));
    }

    [Fact]
    public void Without_edns_at_most_three_answers_by_default_within_512_bytes()
    {
        var (message, length) = Encode(Query(), AddressAnswers(10));
        Assert.Equal(3, message.AnswerRecords.Count);
        Assert.True(length <= 512);
        Assert.False(message.IsTruncated);
        Assert.Equal(0x4242, message.TransactionID);
        Assert.True(message.IsAuthoritiveAnswer);
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 2)]
    [InlineData(5, 5)]
    [InlineData(8, 8)]
    [InlineData(20, 8)]
    public void Without_edns_the_answer_count_is_min_of_8_and_udp_answer_limit(int limit, int expected)
    {
        var (message, _) = Encode(Query(), AddressAnswers(30), dns: new DnsSettings { UdpAnswerLimit = limit });
        Assert.Equal(expected, message.AnswerRecords.Count);
    }

    [Fact]
    public void Without_edns_big_answers_are_cut_to_fit_512_bytes()
    {
        var response = new DnsResponse();
        for (var i = 0; i < 8; i++)
        {
            response.Answers.Add(new DnsTxtRecord("web.service.consul", 0, [new string((char)('a' + i), 150)]));
        }
        var query = Query(type: DnsRecordType.TXT);
        var (message, length) = Encode(query, response, dns: new DnsSettings { UdpAnswerLimit = 8 });
        Assert.True(length <= 512, $"length {length}");
        Assert.InRange(message.AnswerRecords.Count, 1, 7);
        AssertMaximal(query, response, message.AnswerRecords.Count, 512);
    }

    [Fact]
    public void Answers_fewer_than_the_limit_are_all_sent()
    {
        var (message, _) = Encode(Query(), AddressAnswers(2));
        Assert.Equal(2, message.AnswerRecords.Count);
    }

    [Fact]
    public void With_edns_4096_every_answer_that_fits_is_sent()
    {
        var (all, length) = Encode(Query(4096), AddressAnswers(100));
        Assert.Equal(100, all.AnswerRecords.Count);
        Assert.True(length <= 4096);
        Assert.NotNull(all.EDnsOptions);

        var many = AddressAnswers(1000);
        var (cut, cutLength) = Encode(Query(4096), many);
        Assert.True(cutLength <= 4096, $"length {cutLength}");
        Assert.InRange(cut.AnswerRecords.Count, 100, 999);
        AssertMaximal(Query(4096), many, cut.AnswerRecords.Count, 4096);
    }

    [Fact]
    public void An_edns_size_below_512_still_allows_512_bytes()
    {
        var (message, length) = Encode(Query(100), AddressAnswers(3));
        Assert.Equal(3, message.AnswerRecords.Count);
        Assert.True(length <= 512);
    }

    [Fact]
    public void Tcp_sends_every_answer_up_to_the_message_limit()
    {
        var (message, _) = Encode(Query(), AddressAnswers(1000), tcp: true);
        Assert.Equal(1000, message.AnswerRecords.Count);

        var huge = AddressAnswers(5000);
        var (cut, length) = Encode(Query(), huge, tcp: true);
        Assert.True(length <= ushort.MaxValue);
        Assert.InRange(cut.AnswerRecords.Count, 3000, 4999);
        Assert.False(cut.IsTruncated);
    }

    [Fact]
    public void The_TC_bit_is_set_only_with_enable_truncate_and_only_when_answers_were_cut()
    {
        var truncate = new DnsSettings { EnableTruncate = true };
        Assert.True(Encode(Query(), AddressAnswers(10), dns: truncate).Message.IsTruncated);
        Assert.False(Encode(Query(), AddressAnswers(3), dns: truncate).Message.IsTruncated);
        Assert.False(Encode(Query(), AddressAnswers(10), dns: Defaults).Message.IsTruncated);
        Assert.False(Encode(Query(), AddressAnswers(10), tcp: true, dns: truncate).Message.IsTruncated);
        Assert.True(Encode(Query(4096), AddressAnswers(1000), dns: truncate).Message.IsTruncated);
        Assert.False(Encode(Query(4096), AddressAnswers(100), dns: truncate).Message.IsTruncated);
    }

    [Fact]
    public void Additional_records_of_dropped_srv_answers_are_dropped()
    {
        var response = new DnsResponse();
        for (var i = 0; i < 5; i++)
        {
            var target = $"n{i}.node.dc1.consul";
            response.Answers.Add(new DnsSrvRecord("web.service.consul", 0, 1, 1, (ushort)(8000 + i), target));
            response.Additional.Add(new DnsAddressRecord(target, 0, new IPAddress([10, 0, 0, (byte)i])));
            response.Additional.Add(new DnsTxtRecord(target, 0, [$"node={i}"]));
        }
        // A sixth answer, dropped, sharing the first one's target: the target's records stay for the first.
        response.Answers.Add(new DnsSrvRecord("web.service.consul", 0, 1, 1, 9000, "n0.node.dc1.consul"));

        var (message, _) = Encode(Query(type: DnsRecordType.SRV), response);
        var kept = message.AnswerRecords.Cast<Ar.SrvRecord>().Select(r => r.Target.ToString().TrimEnd('.')).ToList();
        Assert.Equal(["n0.node.dc1.consul", "n1.node.dc1.consul", "n2.node.dc1.consul"], kept);
        var extra = message.AdditionalRecords.Select(r => (r.Name.ToString().TrimEnd('.'), r.RecordType)).ToList();
        Assert.Equal(6, extra.Count);
        Assert.All(extra, e => Assert.Contains(e.Item1, kept));

        var (all, _) = Encode(Query(4096, DnsRecordType.SRV), response);
        Assert.Equal(6, all.AnswerRecords.Count);
        Assert.Equal(10, all.AdditionalRecords.Count(r => r.RecordType != Ar.RecordType.Opt));
    }
}
