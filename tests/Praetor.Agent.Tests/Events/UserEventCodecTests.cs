using System.Text;
using Praetor.Agent.Events;

namespace Praetor.Agent.Tests.Events;

public sealed class UserEventCodecTests
{
    private const string Id = "11111111-2222-3333-4444-555555555555";

    [Fact]
    public void Encode_writes_the_fields_as_go_msgpack_writes_consuls_struct()
    {
        var encoded = UserEventCodec.Encode(new UserEvent { Id = Id, Name = "deploy", Payload = "v1"u8.ToArray(), NodeFilter = "web" });

        // fixmap(5); keys in Go's sorted order; ID as str8 (WriteExt), payload as bin8; empty sf/tf left out.
        var expected = new List<byte> { 0x85, 0xa2, (byte)'I', (byte)'D', 0xd9, 36 };
        expected.AddRange(Encoding.ASCII.GetBytes(Id));
        expected.AddRange([0xa1, (byte)'n', 0xa6, .. "deploy"u8]);
        expected.AddRange([0xa2, (byte)'n', (byte)'f', 0xa3, .. "web"u8]);
        expected.AddRange([0xa1, (byte)'p', 0xc4, 0x02, .. "v1"u8]);
        expected.AddRange([0xa1, (byte)'v', 0x01]);
        Assert.Equal(expected.ToArray(), encoded);
    }

    [Fact]
    public void Encode_without_payload_or_filters_writes_only_id_name_and_version()
    {
        var encoded = UserEventCodec.Encode(new UserEvent { Id = Id, Name = "x" });
        Assert.Equal(0x83, encoded[0]);
        Assert.True(UserEventCodec.TryDecode(encoded, 7, out var decoded, out _));
        Assert.Null(decoded!.Payload);
    }

    [Fact]
    public void Round_trip_keeps_every_field_and_takes_the_lamport_time_given()
    {
        var original = new UserEvent
        {
            Id = Id, Name = "deploy", Payload = [0, 1, 2, 255], NodeFilter = "^web", ServiceFilter = "api", TagFilter = "v2", Version = 1,
        };
        Assert.True(UserEventCodec.TryDecode(UserEventCodec.Encode(original), 42, out var decoded, out var error), error);
        Assert.Equal(original.Id, decoded!.Id);
        Assert.Equal(original.Name, decoded.Name);
        Assert.Equal(original.Payload, decoded.Payload);
        Assert.Equal(original.NodeFilter, decoded.NodeFilter);
        Assert.Equal(original.ServiceFilter, decoded.ServiceFilter);
        Assert.Equal(original.TagFilter, decoded.TagFilter);
        Assert.Equal(1, decoded.Version);
        Assert.Equal(42UL, decoded.LTime);
    }

    [Fact]
    public void Decode_reads_old_spec_raw_strings_and_payload_and_skips_unknown_fields()
    {
        // As an encoder without WriteExt writes it: raw (str) for the bytes too, fields in any order, an extra field.
        byte[] encoded =
        [
            0x84,
            0xa1, (byte)'v', 0x02,
            0xa5, .. "Extra"u8, 0x92, 0x01, 0xa1, (byte)'z',
            0xa1, (byte)'p', 0xa2, (byte)'h', (byte)'i',
            0xa1, (byte)'n', 0xa3, .. "web"u8,
        ];
        Assert.True(UserEventCodec.TryDecode(encoded, 3, out var decoded, out var error), error);
        Assert.Equal("web", decoded!.Name);
        Assert.Equal("hi"u8.ToArray(), decoded.Payload);
        Assert.Equal(2, decoded.Version);
        Assert.Equal("", decoded.Id);
    }

    [Theory]
    [InlineData(new byte[0])]
    [InlineData(new byte[] { 0x01 })]
    [InlineData(new byte[] { 0x82, 0xa1, (byte)'n' })]
    [InlineData(new byte[] { 0x81, 0xa1, (byte)'v', 0xa1, (byte)'x' })]
    [InlineData(new byte[] { 0xc1 })]
    public void Decode_refuses_what_is_not_a_user_event_without_throwing(byte[] encoded)
    {
        Assert.False(UserEventCodec.TryDecode(encoded, 1, out var decoded, out var error));
        Assert.Null(decoded);
        Assert.NotEmpty(error);
    }

    [Fact]
    public void Decode_never_throws_on_random_bytes()
    {
        var random = new Random(5);
        var valid = UserEventCodec.Encode(new UserEvent { Id = Id, Name = "deploy", Payload = new byte[40], ServiceFilter = "api" });
        for (var i = 0; i < 5000; i++)
        {
            var bytes = (byte[])valid.Clone();
            for (var j = random.Next(1, 4); j > 0; j--)
            {
                bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
            }
            var cut = bytes.AsMemory(0, random.Next(bytes.Length + 1));
            UserEventCodec.TryDecode(cut, 1, out _, out _);
        }
    }

    [Fact]
    public void Serf_names_carry_consuls_prefix()
    {
        Assert.Equal("consul:event:deploy", UserEventCodec.SerfName("deploy"));
        Assert.Equal("deploy", UserEventCodec.UserEventName("consul:event:deploy"));
        Assert.Null(UserEventCodec.UserEventName("deploy"));
        Assert.Null(UserEventCodec.UserEventName("consul:new-leader"));
    }

    [Theory]
    [InlineData("00000000-0000-0001-0000-000000000002", 3UL)]
    [InlineData("ffffffff-ffff-ffff-0000-000000000000", ulong.MaxValue)]
    [InlineData("12345678-9abc-def0-1234-56789abcdef0", 0x123456789abcdef0UL ^ 0x123456789abcdef0UL)]
    [InlineData("not-a-uuid", 0UL)]
    public void Id_to_index_xors_the_uuids_halves_as_consul_does(string id, ulong index) =>
        Assert.Equal(index, UserEvent.IdToIndex(id));
}
