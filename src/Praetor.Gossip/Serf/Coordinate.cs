using System.Buffers;
using MessagePack;
using Praetor.Gossip.Msgpack;
using Praetor.Gossip.Serf.Wire;

namespace Praetor.Gossip.Serf;

/// <summary>
/// A Vivaldi network coordinate as serf/coordinate carries it (all in seconds except the
/// dimensionless <see cref="Error"/>). Only its wire form lives here; the Vivaldi update is elsewhere.
/// </summary>
public sealed record Coordinate(double[] Vec, double Error, double Adjustment, double Height);

/// <summary>
/// The payload Serf puts in memberlist ping acks (ping_delegate.go): the version byte
/// <see cref="Version"/>, then the sender's <see cref="Coordinate"/> as a msgpack map
/// {Adjustment, Error, Height, Vec}.
/// </summary>
public static class PingPayload
{
    /// <summary>PingVersion: the only ack payload layout Serf understands.</summary>
    public const byte Version = 1;

    public static byte[] Encode(Coordinate coordinate)
    {
        ArgumentNullException.ThrowIfNull(coordinate);
        var buffer = new ArrayBufferWriter<byte>(128);
        var writer = GoMsgpackWriter.Create(buffer, Version);
        writer.WriteMapHeader(4);
        GoMsgpackWriter.WriteField(ref writer, "Adjustment"u8);
        writer.Write(coordinate.Adjustment);
        GoMsgpackWriter.WriteField(ref writer, "Error"u8);
        writer.Write(coordinate.Error);
        GoMsgpackWriter.WriteField(ref writer, "Height"u8);
        writer.Write(coordinate.Height);
        GoMsgpackWriter.WriteField(ref writer, "Vec"u8);
        writer.WriteArrayHeader(coordinate.Vec.Length);
        foreach (var component in coordinate.Vec) writer.Write(component);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// Decodes an ack payload. Empty payloads (a peer without coordinates) give
    /// <see cref="SerfDecodeErrorKind.Empty"/>, another version byte <see cref="SerfDecodeErrorKind.UnsupportedVersion"/>.
    /// </summary>
    public static bool TryDecode(ReadOnlySpan<byte> payload, out Coordinate? coordinate, out SerfDecodeError error)
    {
        coordinate = null;
        if (payload.IsEmpty)
        {
            error = new SerfDecodeError(SerfDecodeErrorKind.Empty, "ping payload");
            return false;
        }
        if (payload[0] != Version)
        {
            error = new SerfDecodeError(SerfDecodeErrorKind.UnsupportedVersion, "ping payload version");
            return false;
        }
        var reader = new GoMsgpackReader(payload[1..]);
        double adjustment = 0, errorEstimate = 0, height = 0;
        double[] vec = [];
        if (!reader.TryReadMapHeader(out var fields))
        {
            error = new SerfDecodeError(SerfDecodeErrorKind.Malformed, "Coordinate");
            return false;
        }
        for (var i = 0; i < fields; i++)
        {
            if (!reader.TryReadRaw(out var field, out _))
            {
                error = new SerfDecodeError(SerfDecodeErrorKind.Malformed, "Coordinate");
                return false;
            }
            bool ok;
            string where;
            if (field.SequenceEqual("Vec"u8)) { ok = ReadVec(ref reader, out vec); where = "Coordinate.Vec"; }
            else if (field.SequenceEqual("Error"u8)) { ok = reader.TryReadDouble(out errorEstimate); where = "Coordinate.Error"; }
            else if (field.SequenceEqual("Adjustment"u8)) { ok = reader.TryReadDouble(out adjustment); where = "Coordinate.Adjustment"; }
            else if (field.SequenceEqual("Height"u8)) { ok = reader.TryReadDouble(out height); where = "Coordinate.Height"; }
            else { ok = reader.TrySkip(); where = "Coordinate"; }
            if (!ok)
            {
                error = new SerfDecodeError(SerfDecodeErrorKind.Malformed, where);
                return false;
            }
        }
        coordinate = new Coordinate(vec, errorEstimate, adjustment, height);
        error = SerfDecodeError.None;
        return true;
    }

    private static bool ReadVec(ref GoMsgpackReader reader, out double[] vec)
    {
        vec = [];
        if (!reader.TryReadArrayHeader(out var count)) return false;
        if (count <= 0) return true;
        vec = new double[count];
        for (var i = 0; i < count; i++)
        {
            if (!reader.TryReadDouble(out vec[i])) return false;
        }
        return true;
    }
}
