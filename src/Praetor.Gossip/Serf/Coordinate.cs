using System.Buffers;
using MessagePack;
using Praetor.Gossip.Msgpack;
using Praetor.Gossip.Serf.Wire;

namespace Praetor.Gossip.Serf;

/// <summary>
/// A Vivaldi network coordinate as serf/coordinate carries it (all in seconds except the
/// dimensionless <see cref="Error"/>): a point in a Euclidean space plus a height (the access
/// link) and an adjustment (a non-Euclidean correction). Immutable: the operations return new
/// coordinates. The Vivaldi update is <see cref="CoordinateClient"/>.
/// </summary>
public sealed record Coordinate(double[] Vec, double Error, double Adjustment, double Height)
{
    /// <summary>Below this (seconds), distances and errors count as zero (serf/coordinate zeroThreshold).</summary>
    public const double ZeroThreshold = 1.0e-6;

    /// <summary>A coordinate at the origin with the largest error and the smallest height (NewCoordinate).</summary>
    public static Coordinate Origin(VivaldiConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return new Coordinate(new double[config.Dimensionality], config.VivaldiErrorMax, 0, config.HeightMin);
    }

    /// <summary>True when every component is finite (neither NaN nor infinite).</summary>
    public bool IsValid()
    {
        foreach (var component in Vec)
        {
            if (!double.IsFinite(component)) return false;
        }
        return double.IsFinite(Error) && double.IsFinite(Adjustment) && double.IsFinite(Height);
    }

    /// <summary>True when both have the same dimensionality.</summary>
    public bool IsCompatibleWith(Coordinate other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Vec.Length == other.Vec.Length;
    }

    /// <summary>
    /// The estimated round trip time to <paramref name="other"/> in seconds: the Euclidean
    /// distance plus both heights, plus both adjustments unless that would make it non-positive.
    /// Throws <see cref="ArgumentException"/> for coordinates of different dimensionality.
    /// </summary>
    public double DistanceTo(Coordinate other)
    {
        var raw = RawDistanceTo(other);
        var adjusted = raw + Adjustment + other.Adjustment;
        return adjusted > 0 ? adjusted : raw;
    }

    /// <summary>The distance without the adjustments: Euclidean distance plus both heights (seconds).</summary>
    public double RawDistanceTo(Coordinate other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (!IsCompatibleWith(other)) throw new ArgumentException("coordinate dimensionality does not match", nameof(other));
        var sum = 0.0;
        for (var i = 0; i < Vec.Length; i++)
        {
            var d = Vec[i] - other.Vec[i];
            sum += d * d;
        }
        return Math.Sqrt(sum) + Height + other.Height;
    }

    /// <summary>
    /// Moves this coordinate by <paramref name="force"/> seconds along the unit vector from
    /// <paramref name="other"/> towards it (away for a positive force), and scales the height
    /// with it, never below <see cref="VivaldiConfig.HeightMin"/> (Coordinate.ApplyForce). When
    /// both sit at the same point the direction is random (from <paramref name="random"/>).
    /// </summary>
    public Coordinate ApplyForce(VivaldiConfig config, double force, Coordinate other, Random random)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(random);
        ArgumentNullException.ThrowIfNull(other);
        if (!IsCompatibleWith(other)) throw new ArgumentException("coordinate dimensionality does not match", nameof(other));
        var (unit, magnitude) = UnitVectorAt(Vec, other.Vec, random);
        var vec = new double[Vec.Length];
        for (var i = 0; i < vec.Length; i++) vec[i] = Vec[i] + unit[i] * force;
        var height = Height;
        if (magnitude > ZeroThreshold) height = Math.Max((Height + other.Height) * force / magnitude + Height, config.HeightMin);
        return this with { Vec = vec, Height = height };
    }

    /// <summary>The unit vector from <paramref name="to"/> towards <paramref name="from"/> and their distance; a random direction (distance 0) when they coincide.</summary>
    private static (double[] Unit, double Magnitude) UnitVectorAt(double[] from, double[] to, Random random)
    {
        var diff = new double[from.Length];
        for (var i = 0; i < diff.Length; i++) diff[i] = from[i] - to[i];
        var magnitude = Magnitude(diff);
        if (magnitude > ZeroThreshold) return (Scale(diff, 1 / magnitude), magnitude);
        for (var i = 0; i < diff.Length; i++) diff[i] = random.NextDouble() - 0.5;
        magnitude = Magnitude(diff);
        if (magnitude > ZeroThreshold) return (Scale(diff, 1 / magnitude), 0);
        var axis = new double[from.Length];
        if (axis.Length > 0) axis[0] = 1;
        return (axis, 0);
    }

    private static double Magnitude(double[] vec)
    {
        var sum = 0.0;
        foreach (var component in vec) sum += component * component;
        return Math.Sqrt(sum);
    }

    private static double[] Scale(double[] vec, double factor)
    {
        for (var i = 0; i < vec.Length; i++) vec[i] *= factor;
        return vec;
    }
}

/// <summary>
/// The payload Serf puts in memberlist ping acks (ping_delegate.go): the version byte
/// <see cref="Version"/>, then the sender's <see cref="Coordinate"/> as a msgpack map
/// {Adjustment, Error, Height, Vec}.
/// </summary>
public static class PingPayload
{
    /// <summary>PingVersion: the only ack payload layout Serf understands.</summary>
    public const byte Version = 1;

    /// <summary>Encodes <paramref name="coordinate"/> as an ack payload: the version byte, then the msgpack map Serf's Go codec writes.</summary>
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
