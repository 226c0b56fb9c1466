using Praetor.Gossip.Serf;
using Praetor.Gossip.Serf.Wire;

namespace Praetor.Gossip.Tests.Serf;

public class PingPayloadTests
{
    [Fact]
    public void Coordinate_round_trips_as_version_byte_and_sorted_float64_fields()
    {
        var coordinate = new Coordinate([0.001, -0.002], 0.25, 1e-4, 1e-5);
        var payload = PingPayload.Encode(coordinate);
        Assert.Equal(PingPayload.Version, payload[0]);
        Assert.Equal(0x84, payload[1]);
        Assert.Equal("Adjustment"u8.ToArray(), payload.AsSpan(3, 10).ToArray());
        Assert.True(PingPayload.TryDecode(payload, out var decoded, out _));
        Assert.Equal(coordinate.Vec, decoded!.Vec);
        Assert.Equal((coordinate.Error, coordinate.Adjustment, coordinate.Height), (decoded.Error, decoded.Adjustment, decoded.Height));
    }

    [Fact]
    public void Empty_payload_other_versions_and_garbage_are_typed_errors()
    {
        Assert.False(PingPayload.TryDecode([], out _, out var error));
        Assert.Equal(SerfDecodeErrorKind.Empty, error.Kind);
        Assert.False(PingPayload.TryDecode([2, 0x80], out _, out error));
        Assert.Equal(SerfDecodeErrorKind.UnsupportedVersion, error.Kind);
        Assert.False(PingPayload.TryDecode([1, 0x81, 0xa3, (byte)'V', (byte)'e', (byte)'c', 0xa1, 0x78], out _, out error));
        Assert.Equal(SerfDecodeErrorKind.Malformed, error.Kind);
        Assert.Equal("Coordinate.Vec", error.Where);
    }

    [Fact]
    public void Integers_and_float32_are_read_as_Go_reads_them_into_float64()
    {
        // {"Height": 2, "Error": float32 0.5}
        Assert.True(PingPayload.TryDecode(Convert.FromHexString("0182A6486569676874" + "02" + "A54572726F72" + "CA3F000000"), out var c, out _));
        Assert.Equal(2.0, c!.Height);
        Assert.Equal(0.5, c.Error);
        Assert.Empty(c.Vec);
    }
}
