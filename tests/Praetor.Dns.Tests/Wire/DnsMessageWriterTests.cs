using System.Buffers.Binary;
using System.Net;
using System.Text;
using Praetor.Dns.Wire;
using Ar = ARSoft.Tools.Net.Dns;

namespace Praetor.Dns.Tests.Wire;

public class DnsMessageWriterTests
{
    private static readonly DnsQuery WebSrv = new(0x4242, 0, true, false, "web.service.consul", (ushort)DnsRecordType.SRV, DnsClass.Internet, null, false);

    private static byte[] Write(in DnsQuery query, DnsResponse response, bool compress = true, int? answerCount = null)
    {
        var buffer = new byte[65535];
        var length = DnsMessageWriter.Write(buffer, query, response, answerCount ?? response.Answers.Count, compress);
        Assert.True(length > 0, "the response did not fit");
        return buffer[..length];
    }

    private static string N(ARSoft.Tools.Net.DomainName name) => name.ToString().TrimEnd('.');

    private static DnsResponse AllKinds()
    {
        var response = new DnsResponse { Code = DnsResponseCode.NoError, Authoritative = true };
        response.Answers.Add(new DnsSrvRecord("web.service.consul", 30, 1, 2, 8080, "node1.node.dc1.consul"));
        response.Answers.Add(new DnsCnameRecord("alias.service.consul", 31, "web.service.consul"));
        response.Answers.Add(new DnsPtrRecord("1.0.0.10.in-addr.arpa", 32, "node1.node.dc1.consul"));
        response.Answers.Add(new DnsTxtRecord("node1.node.dc1.consul", 33, ["rack=a", "zone=b"]));
        response.Authority.Add(new DnsNsRecord("consul", 34, "ns.consul"));
        response.Authority.Add(new DnsSoaRecord("consul", 35, "ns.consul", "hostmaster.consul", 7, 3600, 600, 86400, 0));
        response.Additional.Add(new DnsAddressRecord("node1.node.dc1.consul", 36, IPAddress.Parse("10.0.0.1")));
        response.Additional.Add(new DnsAddressRecord("node1.node.dc1.consul", 37, IPAddress.Parse("2001:db8::1")));
        return response;
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Every_record_kind_is_read_back_by_an_independent_parser(bool compress)
    {
        var packet = Write(WebSrv, AllKinds(), compress);

        var message = Ar.DnsMessage.Parse(packet);

        Assert.Equal(0x4242, message.TransactionID);
        Assert.False(message.IsQuery);
        Assert.True(message.IsAuthoritiveAnswer);
        Assert.True(message.IsRecursionDesired);
        Assert.Equal(Ar.ReturnCode.NoError, message.ReturnCode);
        var question = Assert.Single(message.Questions);
        Assert.Equal("web.service.consul", N(question.Name));
        Assert.Equal(Ar.RecordType.Srv, question.RecordType);
        Assert.Equal(Ar.RecordClass.INet, question.RecordClass);

        Assert.Collection(message.AnswerRecords,
            r =>
            {
                var srv = Assert.IsType<Ar.SrvRecord>(r);
                Assert.Equal("web.service.consul", N(srv.Name));
                Assert.Equal(30, srv.TimeToLive);
                Assert.Equal(((ushort)1, (ushort)2, (ushort)8080), (srv.Priority, srv.Weight, srv.Port));
                Assert.Equal("node1.node.dc1.consul", N(srv.Target));
            },
            r =>
            {
                var cname = Assert.IsType<Ar.CNameRecord>(r);
                Assert.Equal("alias.service.consul", N(cname.Name));
                Assert.Equal("web.service.consul", N(cname.CanonicalName));
            },
            r =>
            {
                var ptr = Assert.IsType<Ar.PtrRecord>(r);
                Assert.Equal("1.0.0.10.in-addr.arpa", N(ptr.Name));
                Assert.Equal("node1.node.dc1.consul", N(ptr.PointerDomainName));
            },
            r =>
            {
                var txt = Assert.IsType<Ar.TxtRecord>(r);
                Assert.Equal(33, txt.TimeToLive);
                Assert.Equal(["rack=a", "zone=b"], txt.TextParts.ToArray());
            });
        Assert.All(message.AnswerRecords, r => Assert.Equal(Ar.RecordClass.INet, r.RecordClass));

        Assert.Collection(message.AuthorityRecords,
            r => Assert.Equal("ns.consul", N(Assert.IsType<Ar.NsRecord>(r).NameServer)),
            r =>
            {
                var soa = Assert.IsType<Ar.SoaRecord>(r);
                Assert.Equal("consul", N(soa.Name));
                Assert.Equal("ns.consul", N(soa.MasterName));
                Assert.Equal("hostmaster.consul", N(soa.ResponsibleName));
                Assert.Equal((7u, 3600, 600, 86400, 0), (soa.SerialNumber, soa.RefreshInterval, soa.RetryInterval, soa.ExpireInterval, soa.NegativeCachingTTL));
            });

        Assert.Collection(message.AdditionalRecords,
            r => Assert.Equal(IPAddress.Parse("10.0.0.1"), Assert.IsType<Ar.ARecord>(r).Address),
            r =>
            {
                var aaaa = Assert.IsType<Ar.AaaaRecord>(r);
                Assert.Equal("node1.node.dc1.consul", N(aaaa.Name));
                Assert.Equal(IPAddress.Parse("2001:db8::1"), aaaa.Address);
            });
        Assert.False(message.IsEDnsEnabled);
    }

    [Fact]
    public void Compression_shortens_the_message_and_every_pointer_points_back_to_an_equal_name()
    {
        var compressed = Write(WebSrv, AllKinds(), compress: true);
        var plain = Write(WebSrv, AllKinds(), compress: false);

        Assert.True(compressed.Length < plain.Length - 60, $"{compressed.Length} vs {plain.Length}");

        // The strict decoder fails on forward pointers and loops; both forms decode to the same names.
        var a = TestDecoder.Decode(compressed);
        var b = TestDecoder.Decode(plain);
        Assert.Equal(b.Answers.Select(r => (r.Name, r.Type, r.Ttl)), a.Answers.Select(r => (r.Name, r.Type, r.Ttl)));
        Assert.Equal(b.Authority.Select(r => (r.Name, r.Type)), a.Authority.Select(r => (r.Name, r.Type)));
        Assert.Equal(b.Additional.Select(r => (r.Name, r.Type)), a.Additional.Select(r => (r.Name, r.Type)));
        Assert.All(b.Answers.Concat(b.Authority).Concat(b.Additional), r => Assert.False(r.NameCompressed));
        // Every owner but the PTR's (no earlier name shares a suffix with it) points back.
        Assert.All(a.Answers.Concat(a.Authority).Concat(a.Additional).Where(r => r.Type != 12), r => Assert.True(r.NameCompressed, r.Name));
    }

    [Fact]
    public void An_owner_equal_to_the_question_name_is_a_pointer_to_offset_12_matched_case_insensitively()
    {
        var response = new DnsResponse();
        response.Answers.Add(new DnsAddressRecord("WEB.Service.Consul", 0, IPAddress.Parse("10.0.0.1")));
        var query = WebSrv with { Type = 1 };

        var packet = Write(query, response);

        var answerAt = 12 + 20 + 4; // "web.service.consul" is 20 bytes on the wire
        Assert.Equal(new byte[] { 0xC0, 0x0C }, packet[answerAt..(answerAt + 2)]);
        Assert.Equal(answerAt + 2 + 10 + 4, packet.Length);
    }

    [Fact]
    public void A_shared_suffix_becomes_labels_then_a_pointer_to_the_suffix()
    {
        var response = new DnsResponse();
        response.Answers.Add(new DnsAddressRecord("db.service.consul", 0, IPAddress.Parse("10.0.0.1")));
        var packet = Write(WebSrv with { Type = 1 }, response);

        var answerAt = 12 + 20 + 4;
        // "db" then a pointer to "service.consul" inside the question (offset 12 + 4).
        Assert.Equal(new byte[] { 2, (byte)'d', (byte)'b', 0xC0, 16 }, packet[answerAt..(answerAt + 5)]);
    }

    [Fact]
    public void The_srv_target_is_written_in_full_but_later_names_may_point_into_it()
    {
        var response = new DnsResponse();
        response.Answers.Add(new DnsSrvRecord("web.service.consul", 0, 1, 1, 80, "web.service.consul"));
        response.Answers.Add(new DnsSrvRecord("web.service.consul", 0, 1, 1, 81, "node7.node.dc1.consul"));
        response.Additional.Add(new DnsAddressRecord("node7.node.dc1.consul", 0, IPAddress.Parse("10.0.0.7")));

        var packet = Write(WebSrv, response);

        var message = TestDecoder.Decode(packet);
        foreach (var srv in message.Answers)
        {
            var targetAt = srv.RdataOffset + 6;
            var name = TestDecoder.ReadName(packet, ref targetAt, out var targetCompressed);
            Assert.False(targetCompressed, $"SRV target {name} was compressed");
            Assert.Equal(srv.RdataOffset + srv.RdataLength, targetAt);
        }

        var secondTargetAt = message.Answers[1].RdataOffset + 6;
        var additionalAt = message.Answers[1].RdataOffset + message.Answers[1].RdataLength;
        Assert.Equal(new byte[] { 0xC0, (byte)secondTargetAt }, packet[additionalAt..(additionalAt + 2)]);
        Assert.Equal("node7.node.dc1.consul", message.Additional[0].Name);
    }

    [Fact]
    public void Names_in_ptr_cname_ns_and_soa_data_are_compressed()
    {
        var packet = Write(WebSrv, AllKinds(), compress: true);
        var message = TestDecoder.Decode(packet);

        foreach (var record in message.Answers.Where(r => r.Type is 5 or 12).Concat(message.Authority))
        {
            var at = record.RdataOffset;
            TestDecoder.ReadName(packet, ref at, out var compressed);
            Assert.True(compressed, $"type {record.Type} data not compressed");
        }
    }

    [Fact]
    public void Header_flags_come_from_the_query_and_the_response()
    {
        var query = new DnsQuery(0xA1B2, 5, false, true, "x.consul", 1, 1, null, false);
        var response = new DnsResponse { Code = DnsResponseCode.Refused, Truncated = true, RecursionAvailable = true, Authoritative = false };

        var packet = Write(query, response);

        Assert.Equal(0xA1B2, BinaryPrimitives.ReadUInt16BigEndian(packet));
        // QR, opcode 5, TC, RA, CD, RCODE 5; AA and RD clear.
        Assert.Equal(0x8000 | (5 << 11) | 0x0200 | 0x0080 | 0x0010 | 5, BinaryPrimitives.ReadUInt16BigEndian(packet.AsSpan(2)));
        Assert.Equal(new byte[] { 0, 1, 0, 0, 0, 0, 0, 0 }, packet[4..12]);
    }

    [Fact]
    public void The_question_is_echoed_with_the_query_type_and_class_and_its_escapes_decoded()
    {
        var query = new DnsQuery(1, 0, false, false, @"a\.b.c\\d.\000\032x\255.Consul", 255, 3, null, false);

        var packet = Write(query, new DnsResponse { Code = DnsResponseCode.NameError });

        var expectedName = new PacketBuilder().Label("a.b"u8.ToArray()).Label("c\\d"u8.ToArray()).Label([0, 0x20, (byte)'x', 0xFF]).Label("Consul"u8.ToArray()).Raw(0).U16(255).U16(3).Build();
        Assert.Equal(expectedName, packet[12..]);
        Assert.Equal(DnsParseResult.Query, DnsMessageReader.Parse(FlipQr(packet), out var reparsed));
        Assert.Equal(query.Name, reparsed.Name);
        Assert.Equal(Ar.ReturnCode.NxDomain, Ar.DnsMessage.Parse(packet).ReturnCode);
    }

    private static byte[] FlipQr(byte[] packet)
    {
        var copy = (byte[])packet.Clone();
        copy[2] &= 0x7F;
        return copy;
    }

    [Fact]
    public void Escaped_names_survive_a_read_and_write_round_trip()
    {
        var original = new PacketBuilder().Header(9, 0, 1, 0, 0, 0)
            .Label([(byte)'.', (byte)'\\', 0, 9, 0x7F, 0x80, 0xFF, (byte)'A']).Label("b"u8.ToArray()).Raw(0).U16(16).U16(1).Build();
        Assert.Equal(DnsParseResult.Query, DnsMessageReader.Parse(original, out var query));

        var packet = Write(query, new DnsResponse());

        Assert.Equal(original[12..], packet[12..]);
    }

    [Fact]
    public void Txt_strings_are_split_into_character_strings_of_at_most_255_bytes()
    {
        var longAscii = new string('a', 300) + new string('b', 300);
        var twoByte = new string('é', 200); // 400 UTF-8 bytes: 127 characters (254 bytes) fit in the first string
        var response = new DnsResponse();
        response.Answers.Add(new DnsTxtRecord("t.consul", 0, [longAscii, "", twoByte]));

        var packet = Write(WebSrv with { Name = "t.consul", Type = 16 }, response);

        var record = Assert.Single(TestDecoder.Decode(packet).Answers);
        var strings = ReadCharacterStrings(packet, record);
        Assert.Equal([255, 255, 90, 0, 254, 146], strings.Select(s => s.Length));
        Assert.Equal(longAscii, Encoding.UTF8.GetString([.. strings[0], .. strings[1], .. strings[2]]));
        Assert.Equal(twoByte, Encoding.UTF8.GetString([.. strings[4], .. strings[5]]));
        // Split between characters: each piece is valid UTF-8 on its own.
        var strict = new UTF8Encoding(false, throwOnInvalidBytes: true);
        Assert.Equal(127, strict.GetString(strings[4]).Length);

        var parsed = Assert.IsType<Ar.TxtRecord>(Assert.Single(Ar.DnsMessage.Parse(packet).AnswerRecords));
        Assert.Equal(6, parsed.TextParts.Count());
    }

    [Fact]
    public void A_txt_record_without_strings_writes_one_empty_string()
    {
        var response = new DnsResponse();
        response.Answers.Add(new DnsTxtRecord("t.consul", 0, []));

        var packet = Write(WebSrv with { Name = "t.consul", Type = 16 }, response);

        var record = Assert.Single(TestDecoder.Decode(packet).Answers);
        Assert.Equal(1, record.RdataLength);
        Assert.Equal(0, packet[record.RdataOffset]);
    }

    private static List<byte[]> ReadCharacterStrings(byte[] packet, TestDecoder.Record record)
    {
        var strings = new List<byte[]>();
        var at = record.RdataOffset;
        while (at < record.RdataOffset + record.RdataLength)
        {
            strings.Add(packet[(at + 1)..(at + 1 + packet[at])]);
            at += 1 + packet[at];
        }

        Assert.Equal(record.RdataOffset + record.RdataLength, at);
        return strings;
    }

    [Fact]
    public void A_and_aaaa_follow_the_address_family()
    {
        var response = new DnsResponse();
        response.Answers.Add(new DnsAddressRecord("n.consul", 5, IPAddress.Parse("192.0.2.1")));
        response.Answers.Add(new DnsAddressRecord("n.consul", 5, IPAddress.Parse("2001:db8::2")));
        response.Answers.Add(new DnsAddressRecord("n.consul", 5, IPAddress.Parse("::ffff:192.0.2.3")));

        var packet = Write(WebSrv with { Name = "n.consul", Type = 255 }, response);

        var answers = TestDecoder.Decode(packet).Answers;
        Assert.Equal([(1, 4), (28, 16), (28, 16)], answers.Select(r => ((int)r.Type, r.RdataLength)));
        Assert.Equal(new byte[] { 192, 0, 2, 1 }, packet[answers[0].RdataOffset..(answers[0].RdataOffset + 4)]);
        Assert.Equal(IPAddress.Parse("2001:db8::2").GetAddressBytes(), packet[answers[1].RdataOffset..(answers[1].RdataOffset + 16)]);
    }

    [Theory]
    [InlineData((ushort)4096, 4096)]
    [InlineData((ushort)1232, 1232)]
    [InlineData((ushort)100, 512)]
    [InlineData((ushort)0, 512)]
    public void An_edns_query_gets_an_opt_record_with_at_least_512(ushort asked, int expected)
    {
        var response = new DnsResponse();
        response.Additional.Add(new DnsAddressRecord("node1.consul", 0, IPAddress.Parse("10.0.0.1")));

        var packet = Write(WebSrv with { EdnsUdpSize = asked, DnssecOk = true }, response);

        var message = TestDecoder.Decode(packet);
        Assert.Equal(2, message.Additional.Count);
        var opt = message.Additional[1];
        Assert.Equal(("", (ushort)41, (ushort)expected, 0u, 0), (opt.Name, opt.Type, opt.Class, opt.Ttl, opt.RdataLength));
        Assert.False(opt.NameCompressed);
        Assert.Equal(packet.Length, opt.RdataOffset);

        var parsed = Ar.DnsMessage.Parse(packet);
        Assert.True(parsed.IsEDnsEnabled);
        Assert.Equal(expected, parsed.EDnsOptions!.UdpPayloadSize);
    }

    [Fact]
    public void No_opt_record_without_edns_in_the_query()
    {
        var packet = Write(WebSrv, new DnsResponse());

        Assert.Empty(TestDecoder.Decode(packet).Additional);
        Assert.Equal(0, BinaryPrimitives.ReadUInt16BigEndian(packet.AsSpan(10)));
    }

    [Fact]
    public void Additional_records_for_dropped_answers_are_left_out()
    {
        var response = new DnsResponse();
        response.Answers.Add(new DnsSrvRecord("web.service.consul", 0, 1, 1, 80, "a.node.consul"));
        response.Answers.Add(new DnsSrvRecord("web.service.consul", 0, 1, 1, 80, "shared.node.consul"));
        response.Answers.Add(new DnsSrvRecord("web.service.consul", 0, 1, 1, 80, "b.node.consul"));
        response.Answers.Add(new DnsSrvRecord("web.service.consul", 0, 1, 1, 80, "SHARED.node.consul"));
        response.Answers.Add(new DnsCnameRecord("web.service.consul", 0, "c.node.consul"));
        response.Additional.Add(new DnsAddressRecord("a.node.consul", 0, IPAddress.Parse("10.0.0.1")));
        response.Additional.Add(new DnsAddressRecord("B.node.consul", 0, IPAddress.Parse("10.0.0.2")));
        response.Additional.Add(new DnsAddressRecord("shared.node.consul", 0, IPAddress.Parse("10.0.0.3")));
        response.Additional.Add(new DnsAddressRecord("c.node.consul", 0, IPAddress.Parse("10.0.0.4")));
        response.Additional.Add(new DnsAddressRecord("unrelated.consul", 0, IPAddress.Parse("10.0.0.5")));

        var packet = Write(WebSrv with { EdnsUdpSize = 512 }, response, answerCount: 2);

        var message = TestDecoder.Decode(packet);
        Assert.Equal(2, message.Answers.Count);
        Assert.Equal(["a.node.consul", "shared.node.consul", "unrelated.consul", ""], message.Additional.Select(r => r.Name));

        var all = TestDecoder.Decode(Write(WebSrv, response));
        Assert.Equal(5, all.Additional.Count);
    }

    [Fact]
    public void Additional_records_for_dropped_answers_are_left_out_of_large_answers_too()
    {
        var response = new DnsResponse();
        for (var i = 0; i < 100; i++)
        {
            response.Answers.Add(new DnsSrvRecord("web.service.consul", 0, 1, 1, 80, $"n{i}.node.consul"));
            response.Additional.Add(new DnsAddressRecord($"N{i}.node.consul", 0, new IPAddress([10, 0, 0, (byte)i])));
        }

        response.Additional.Add(new DnsAddressRecord("other.consul", 0, IPAddress.Parse("10.0.1.1")));

        var message = TestDecoder.Decode(Write(WebSrv, response, answerCount: 40));

        // (Compression points the owners at the SRV targets, so they come back in the targets' case.)
        Assert.Equal(40, message.Answers.Count);
        Assert.Equal(Enumerable.Range(0, 40).Select(i => $"n{i}.node.consul").Append("other.consul"), message.Additional.Select(r => r.Name.ToLowerInvariant()));
    }

    [Fact]
    public void An_answer_count_out_of_range_is_clamped()
    {
        var response = AllKinds();

        Assert.Equal(4, TestDecoder.Decode(Write(WebSrv, response, answerCount: 99)).Answers.Count);
        Assert.Empty(TestDecoder.Decode(Write(WebSrv, response, answerCount: -3)).Answers);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Every_buffer_too_small_gives_minus_one(bool compress)
    {
        var full = Write(WebSrv with { EdnsUdpSize = 4096 }, AllKinds(), compress);

        for (var size = 0; size < full.Length; size++)
        {
            var buffer = new byte[size];
            Assert.Equal(-1, DnsMessageWriter.Write(buffer, WebSrv with { EdnsUdpSize = 4096 }, AllKinds(), 4, compress));
        }

        var exact = new byte[full.Length];
        Assert.Equal(full.Length, DnsMessageWriter.Write(exact, WebSrv with { EdnsUdpSize = 4096 }, AllKinds(), 4, compress));
        Assert.Equal(full, exact);
    }

    [Fact]
    public void A_long_txt_string_in_a_small_buffer_gives_minus_one()
    {
        var response = new DnsResponse();
        response.Answers.Add(new DnsTxtRecord("t.consul", 0, [new string('x', 1000)]));

        Assert.Equal(-1, DnsMessageWriter.Write(new byte[512], WebSrv, response, 1, true));
        Assert.True(DnsMessageWriter.Write(new byte[2048], WebSrv, response, 1, true) > 1000);
    }

    [Fact]
    public void Fewer_answers_fit_where_all_do_not()
    {
        var response = new DnsResponse();
        for (var i = 0; i < 60; i++)
        {
            response.Answers.Add(new DnsAddressRecord("web.service.consul", 0, new IPAddress([10, 0, 0, (byte)i])));
        }

        var buffer = new byte[512];
        Assert.Equal(-1, DnsMessageWriter.Write(buffer, WebSrv, response, 60, true));
        var length = DnsMessageWriter.Write(buffer, WebSrv, response, 20, true);
        Assert.Equal(12 + 24 + (20 * 16), length);
    }

    [Theory]
    [InlineData("a..b")]
    [InlineData(".a")]
    [InlineData(@"a\")]
    [InlineData(@"a\25")]
    [InlineData(@"a\25x")]
    [InlineData(@"a\256")]
    [InlineData(LoneSurrogate)]
    public void An_invalid_name_gives_minus_one(string name)
    {
        if (name == LoneSurrogate)
        {
            name = "\ud800x"; // attribute strings are stored as UTF-8, which cannot carry a lone surrogate
        }

        var response = new DnsResponse();
        response.Answers.Add(new DnsAddressRecord(name, 0, IPAddress.Loopback));

        Assert.Equal(-1, DnsMessageWriter.Write(new byte[512], WebSrv, response, 1, true));
        Assert.Equal(-1, DnsMessageWriter.Write(new byte[512], WebSrv with { Name = name }, new DnsResponse(), 0, false));
    }

    private const string LoneSurrogate = "lone-surrogate";

    [Fact]
    public void Labels_over_63_and_names_over_255_bytes_give_minus_one()
    {
        var label63 = new string('a', 63);
        var name255 = $"{label63}.{label63}.{label63}.{new string('b', 61)}";
        var name256 = $"{label63}.{label63}.{label63}.{new string('b', 62)}";
        Span<byte> wire = stackalloc byte[300];

        Assert.Equal(65, DnsMessageWriter.EncodeName(label63, wire));
        Assert.Equal(-1, DnsMessageWriter.EncodeName(label63 + "a", wire));
        Assert.Equal(-1, DnsMessageWriter.EncodeName(new string('a', 62) + @"\.\.", wire));
        Assert.Equal(255, DnsMessageWriter.EncodeName(name255, wire));
        Assert.Equal(255, DnsMessageWriter.EncodeName(name255 + ".", wire));
        Assert.Equal(-1, DnsMessageWriter.EncodeName(name256, wire));
        Assert.Equal(-1, DnsMessageWriter.Write(new byte[2048], WebSrv with { Name = name256 }, new DnsResponse(), 0, true));
        Assert.True(DnsMessageWriter.Write(new byte[2048], WebSrv with { Name = name255 }, new DnsResponse(), 0, true) > 255);
    }

    [Theory]
    [InlineData("", new byte[] { 0 })]
    [InlineData(".", new byte[] { 0 })]
    [InlineData("a", new byte[] { 1, (byte)'a', 0 })]
    [InlineData("a.", new byte[] { 1, (byte)'a', 0 })]
    [InlineData(@"a\\.", new byte[] { 2, (byte)'a', (byte)'\\', 0 })]
    [InlineData(@"a\..b", new byte[] { 2, (byte)'a', (byte)'.', 1, (byte)'b', 0 })]
    [InlineData(@"\065\x", new byte[] { 2, (byte)'A', (byte)'x', 0 })]
    [InlineData("é", new byte[] { 2, 0xC3, 0xA9, 0 })]
    public void Names_are_encoded_from_presentation_form(string name, byte[] expected)
    {
        var wire = new byte[300];

        var length = DnsMessageWriter.EncodeName(name, wire);

        Assert.Equal(expected, wire[..length]);
    }

    [Fact]
    public void An_unknown_record_kind_gives_minus_one()
    {
        var response = new DnsResponse();
        response.Answers.Add(new OtherRecord("x.consul", 0));

        Assert.Equal(-1, DnsMessageWriter.Write(new byte[512], WebSrv, response, 1, true));
    }

    private sealed record OtherRecord(string Name, uint Ttl) : DnsRecord(Name, Ttl)
    {
        public override DnsRecordType Type => (DnsRecordType)99;
    }

    [Fact]
    public void Write_error_is_a_header_only_response()
    {
        var buffer = new byte[64];

        Assert.Equal(12, DnsMessageWriter.WriteError(buffer, 0xCAFE, 0, true, DnsResponseCode.FormatError));

        Assert.Equal(new byte[] { 0xCA, 0xFE, 0x81, 0x01, 0, 0, 0, 0, 0, 0, 0, 0 }, buffer[..12]);
        Assert.Equal(12, DnsMessageWriter.WriteError(buffer, 1, 4, false, DnsResponseCode.NotImplemented));
        Assert.Equal(0x8000 | (4 << 11) | 4, BinaryPrimitives.ReadUInt16BigEndian(buffer.AsSpan(2)));
        var parsed = Ar.DnsMessage.Parse(buffer[..12]);
        Assert.Equal(Ar.ReturnCode.NotImplemented, parsed.ReturnCode);
        Assert.Equal(-1, DnsMessageWriter.WriteError(new byte[11], 1, 0, true, DnsResponseCode.FormatError));
    }
}
