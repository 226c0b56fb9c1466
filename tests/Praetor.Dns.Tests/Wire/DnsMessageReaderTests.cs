using Praetor.Dns.Wire;

namespace Praetor.Dns.Tests.Wire;

public class DnsMessageReaderTests
{
    private static DnsParseResult Parse(byte[] packet, out DnsQuery query) => DnsMessageReader.Parse(packet, out query);

    private static void AssertFormatError(byte[] packet, ushort id = 0xBEEF)
    {
        Assert.Equal(DnsParseResult.FormatError, Parse(packet, out var query));
        Assert.Equal(id, query.Id);
        Assert.True(query.RecursionDesired);
        Assert.NotNull(query.Name);
    }

    [Fact]
    public void A_plain_query_is_read()
    {
        var packet = PacketBuilder.Query("web.service.consul", type: 33, id: 0x1234, flags: 0x0110).Build();

        Assert.Equal(DnsParseResult.Query, Parse(packet, out var query));

        Assert.Equal(new DnsQuery(0x1234, 0, true, true, "web.service.consul", 33, 1, null, false), query);
    }

    [Fact]
    public void Flags_clear_read_as_false()
    {
        var packet = PacketBuilder.Query("a.consul", flags: 0).Build();

        Assert.Equal(DnsParseResult.Query, Parse(packet, out var query));
        Assert.False(query.RecursionDesired);
        Assert.False(query.CheckingDisabled);
        Assert.Equal(0, query.Opcode);
    }

    [Fact]
    public void Case_is_kept()
    {
        var packet = PacketBuilder.Query("WeB.Service.CONSUL").Build();

        Assert.Equal(DnsParseResult.Query, Parse(packet, out var query));
        Assert.Equal("WeB.Service.CONSUL", query.Name);
    }

    [Fact]
    public void The_root_is_the_empty_name()
    {
        var packet = PacketBuilder.Query("", type: 2).Build();

        Assert.Equal(DnsParseResult.Query, Parse(packet, out var query));
        Assert.Equal("", query.Name);
        Assert.Equal(2, query.Type);
    }

    [Fact]
    public void Dots_backslashes_and_unprintable_bytes_are_escaped()
    {
        var packet = new PacketBuilder().Header(1, 0, 1, 0, 0, 0)
            .Label("a.b"u8.ToArray()).Label("c\\d"u8.ToArray()).Label([0x00, 0x20, (byte)'x', 0x7F, 0xFF]).Raw(0)
            .U16(1).U16(1).Build();

        Assert.Equal(DnsParseResult.Query, Parse(packet, out var query));
        Assert.Equal(@"a\.b.c\\d.\000\032x\127\255", query.Name);
    }

    [Fact]
    public void Another_opcode_still_parses_so_the_resolver_can_answer_not_implemented()
    {
        var packet = PacketBuilder.Query("a.consul", flags: 2 << 11).Build();

        Assert.Equal(DnsParseResult.Query, Parse(packet, out var query));
        Assert.Equal(2, query.Opcode);
    }

    [Theory]
    [InlineData(4096, true)]
    [InlineData(1232, false)]
    [InlineData(0, false)]
    public void Edns_size_and_do_bit_are_read_from_the_opt_record(int size, bool dnssecOk)
    {
        var packet = PacketBuilder.Query("a.consul", ar: 1).Opt((ushort)size, dnssecOk).Build();

        Assert.Equal(DnsParseResult.Query, Parse(packet, out var query));
        Assert.Equal((ushort)size, query.EdnsUdpSize);
        Assert.Equal(dnssecOk, query.DnssecOk);
    }

    [Fact]
    public void Other_additional_records_and_compressed_owners_are_skipped()
    {
        // An answer record whose owner points at the question, and an additional A record before the OPT.
        var packet = PacketBuilder.Query("a.consul", an: 1, ar: 2)
            .Pointer(12).RecordTail(1, 1, 60, [10, 0, 0, 1])
            .Label("b"u8.ToArray()).Pointer(14).RecordTail(1, 1, 60, [10, 0, 0, 2])
            .Opt(1400, dnssecOk: true).Build();

        Assert.Equal(DnsParseResult.Query, Parse(packet, out var query));
        Assert.Equal("a.consul", query.Name);
        Assert.Equal((ushort)1400, query.EdnsUdpSize);
        Assert.True(query.DnssecOk);
    }

    [Fact]
    public void Trailing_bytes_after_the_declared_records_are_ignored()
    {
        var packet = PacketBuilder.Query("a.consul").Raw(1, 2, 3, 0xC0).Build();

        Assert.Equal(DnsParseResult.Query, Parse(packet, out var query));
        Assert.Equal("a.consul", query.Name);
    }

    [Fact]
    public void A_name_of_exactly_255_bytes_and_labels_of_63_are_accepted()
    {
        var label63 = Enumerable.Repeat((byte)'a', 63).ToArray();
        var label61 = Enumerable.Repeat((byte)'b', 61).ToArray();
        // 3 * 64 + 62 + 1 = 255
        var packet = new PacketBuilder().Header(1, 0, 1, 0, 0, 0).Label(label63).Label(label63).Label(label63).Label(label61).Raw(0).U16(1).U16(1).Build();

        Assert.Equal(DnsParseResult.Query, Parse(packet, out var query));
        Assert.Equal(3 * 63 + 61 + 3, query.Name.Length);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(11)]
    public void Fewer_than_twelve_bytes_are_dropped(int length)
    {
        var packet = PacketBuilder.Query("a.consul").Build()[..length];

        Assert.Equal(DnsParseResult.Drop, Parse(packet, out var query));
        Assert.NotNull(query.Name);
    }

    [Fact]
    public void A_response_is_dropped()
    {
        var packet = PacketBuilder.Query("a.consul", flags: 0x8100).Build();

        Assert.Equal(DnsParseResult.Drop, Parse(packet, out _));
    }

    [Fact]
    public void A_header_only_response_is_dropped()
    {
        var packet = new PacketBuilder().Header(7, 0x8000, 0, 0, 0, 0).Build();

        Assert.Equal(DnsParseResult.Drop, Parse(packet, out _));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    [InlineData(65535)]
    public void A_question_count_other_than_one_is_a_format_error_with_the_header_filled(int qd)
    {
        var packet = new PacketBuilder().Header(0xBEEF, 0x0100 | (4 << 11), (ushort)qd, 0, 0, 0).Name("a.consul").U16(1).U16(1).Build();

        Assert.Equal(DnsParseResult.FormatError, Parse(packet, out var query));
        Assert.Equal(0xBEEF, query.Id);
        Assert.Equal(4, query.Opcode);
        Assert.True(query.RecursionDesired);
    }

    [Fact]
    public void Every_truncation_of_a_valid_query_is_a_format_error_or_dropped()
    {
        var packet = PacketBuilder.Query("web.service.dc1.consul", an: 1, ar: 1)
            .Pointer(12).RecordTail(1, 1, 60, [10, 0, 0, 1])
            .Opt(4096).Build();
        Assert.Equal(DnsParseResult.Query, Parse(packet, out _));

        for (var length = 0; length < packet.Length; length++)
        {
            var expected = length < 12 ? DnsParseResult.Drop : DnsParseResult.FormatError;
            Assert.Equal(expected, Parse(packet[..length], out _));
        }
    }

    [Fact]
    public void A_label_over_63_bytes_is_a_format_error()
    {
        var packet = new PacketBuilder().Header(0xBEEF, 0x0100, 1, 0, 0, 0).Label(new byte[64]).Raw(0).U16(1).U16(1).Build();

        AssertFormatError(packet);
    }

    [Fact]
    public void A_name_over_255_bytes_is_a_format_error()
    {
        var label63 = Enumerable.Repeat((byte)'a', 63).ToArray();
        var label62 = Enumerable.Repeat((byte)'b', 62).ToArray();
        // 3 * 64 + 63 + 1 = 256
        var packet = new PacketBuilder().Header(0xBEEF, 0x0100, 1, 0, 0, 0).Label(label63).Label(label63).Label(label63).Label(label62).Raw(0).U16(1).U16(1).Build();

        AssertFormatError(packet);
    }

    [Fact]
    public void A_name_over_255_bytes_through_pointers_is_a_format_error()
    {
        // The question is 200 bytes of labels; an answer adds 60 more in front of a pointer to it.
        var builder = new PacketBuilder().Header(0xBEEF, 0x0100, 1, 1, 0, 0);
        for (var i = 0; i < 4; i++)
        {
            builder.Label(Enumerable.Repeat((byte)'q', 49).ToArray());
        }

        builder.Raw(0).U16(1).U16(1).Label(Enumerable.Repeat((byte)'z', 59).ToArray()).Pointer(12).RecordTail(1, 1, 0, [1, 2, 3, 4]);

        AssertFormatError(builder.Build());
    }

    [Theory]
    [InlineData(0x40)]
    [InlineData(0x80)]
    [InlineData(0x41)]
    [InlineData(0xBF)]
    public void Label_types_01_and_10_are_format_errors(byte lengthByte)
    {
        var packet = new PacketBuilder().Header(0xBEEF, 0x0100, 1, 0, 0, 0).Label("a"u8.ToArray()).Raw(lengthByte, 1, 2, 3, 0).U16(1).U16(1).Build();

        AssertFormatError(packet);
    }

    [Fact]
    public void A_pointer_to_itself_in_the_question_is_a_format_error()
    {
        var packet = new PacketBuilder().Header(0xBEEF, 0x0100, 1, 0, 0, 0).Raw(0xC0, 0x0C).U16(1).U16(1).Build();

        AssertFormatError(packet);
    }

    [Fact]
    public void A_pointer_back_to_the_start_of_its_own_name_is_a_format_error()
    {
        // 12: "a" then a pointer to 12: a loop "a.a.a..." once followed.
        var packet = new PacketBuilder().Header(0xBEEF, 0x0100, 1, 0, 0, 0).Label("a"u8.ToArray()).Pointer(12).U16(1).U16(1).Build();

        AssertFormatError(packet);
    }

    [Fact]
    public void A_two_pointer_cycle_is_a_format_error()
    {
        // Answer 1's owner (at A) is "x" then a pointer forward to B; answer 2's owner (at B) points back to A.
        var builder = PacketBuilder.Query("a.consul", an: 2);
        var a = builder.Length;
        var b = a + 2 + 2 + 10 + 4;
        builder.Label("x"u8.ToArray()).Pointer(b).RecordTail(1, 1, 0, [1, 2, 3, 4]);
        Assert.Equal(b, builder.Length);
        builder.Pointer(a).RecordTail(1, 1, 0, [1, 2, 3, 4]);

        AssertFormatError(builder.Build());
    }

    [Fact]
    public void A_cycle_of_backward_pointers_through_labels_is_a_format_error()
    {
        // At A: "x", "y", then a pointer back to "y". The pointer goes backwards, yet following it loops
        // ("x.y.y.y..."): a target must precede the start of the run of labels the pointer ends.
        var builder = PacketBuilder.Query("a.consul", an: 1);
        var a = builder.Length;
        builder.Label("x"u8.ToArray()).Label("y"u8.ToArray()).Pointer(a + 2).RecordTail(1, 1, 0, [1, 2, 3, 4]);

        AssertFormatError(builder.Build());
    }

    [Fact]
    public void A_pointer_outside_the_packet_is_a_format_error()
    {
        var packet = PacketBuilder.Query("a.consul", an: 1).Pointer(0x3FFF).RecordTail(1, 1, 0, [1, 2, 3, 4]).Build();

        AssertFormatError(packet);
    }

    [Fact]
    public void A_forward_pointer_is_a_format_error()
    {
        var builder = PacketBuilder.Query("a.consul", an: 2);
        var first = builder.Length;
        builder.Pointer(first + 2 + 14).RecordTail(1, 1, 0, [1, 2, 3, 4]).Name("b.consul").RecordTail(1, 1, 0, [1, 2, 3, 4]);

        AssertFormatError(builder.Build());
    }

    [Fact]
    public void A_pointer_into_the_header_is_a_format_error()
    {
        var packet = PacketBuilder.Query("a.consul", an: 1).Pointer(4).RecordTail(1, 1, 0, [1, 2, 3, 4]).Build();

        AssertFormatError(packet);
    }

    [Fact]
    public void A_pointer_cut_after_its_first_byte_is_a_format_error()
    {
        var packet = PacketBuilder.Query("a.consul", an: 1).Raw(0xC0).Build();

        AssertFormatError(packet);
    }

    [Theory]
    [InlineData(1, 0, 0)]
    [InlineData(0, 1, 0)]
    [InlineData(0, 0, 1)]
    [InlineData(0, 0, 65535)]
    public void Declared_records_missing_from_the_packet_are_a_format_error(int an, int ns, int ar)
    {
        var packet = PacketBuilder.Query("a.consul", an: (ushort)an, ns: (ushort)ns, ar: (ushort)ar).Build();

        AssertFormatError(packet);
    }

    [Fact]
    public void Rdata_running_past_the_end_is_a_format_error()
    {
        var packet = PacketBuilder.Query("a.consul", an: 1).Pointer(12).U16(1).U16(1).U32(0).U16(5).Raw(1, 2, 3, 4).Build();

        AssertFormatError(packet);
    }

    [Fact]
    public void A_bad_name_in_an_authority_record_is_a_format_error()
    {
        var packet = PacketBuilder.Query("a.consul", ns: 1).Raw(0x80, 0).RecordTail(2, 1, 0, [0]).Build();

        AssertFormatError(packet);
    }

    [Fact]
    public void Two_opt_records_are_a_format_error()
    {
        var packet = PacketBuilder.Query("a.consul", ar: 2).Opt(4096).Opt(4096).Build();

        AssertFormatError(packet);
    }

    [Fact]
    public void An_opt_record_not_owned_by_the_root_is_a_format_error()
    {
        var packet = PacketBuilder.Query("a.consul", ar: 1).Opt(4096, ownerLength: 1).Build();

        AssertFormatError(packet);
    }

    [Fact]
    public void An_opt_record_whose_owner_points_elsewhere_is_a_format_error()
    {
        var packet = PacketBuilder.Query("a.consul", ar: 1).Pointer(12).RecordTail(41, 4096, 0, []).Build();

        AssertFormatError(packet);
    }
}
