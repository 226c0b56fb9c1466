using MessagePack;
using Praetor.Gossip.Serf;

namespace Praetor.State.Coordinates;

/// <summary>
/// The stable encoding of a <see cref="CoordinateEntry"/> in the log, snapshots and the agent's
/// RPC: <c>[node, segment, [vec...], error, adjustment, height]</c>.
/// </summary>
public static class CoordinateCodec
{
    /// <summary>The most dimensions a decoded coordinate may have (Serf uses 8).</summary>
    public const int DimensionsMax = 64;

    public static void WriteEntry(ref MessagePackWriter writer, CoordinateEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        writer.WriteArrayHeader(6);
        writer.Write(entry.Node);
        writer.Write(entry.Segment);
        writer.WriteArrayHeader(entry.Coord.Vec.Length);
        foreach (var component in entry.Coord.Vec) writer.Write(component);
        writer.Write(entry.Coord.Error);
        writer.Write(entry.Coord.Adjustment);
        writer.Write(entry.Coord.Height);
    }

    /// <summary>Reads what <see cref="WriteEntry"/> wrote; a malformed entry raises <see cref="InvalidDataException"/> (the msgpack reader's own errors pass through).</summary>
    public static CoordinateEntry ReadEntry(ref MessagePackReader reader)
    {
        if (reader.ReadArrayHeader() != 6) throw new InvalidDataException("coordinate entry must have 6 fields");
        var node = reader.ReadString() ?? throw new InvalidDataException("coordinate entry without a node");
        var segment = reader.ReadString() ?? "";
        var dimensions = reader.ReadArrayHeader();
        if (dimensions > DimensionsMax) throw new InvalidDataException($"coordinate of {dimensions} dimensions");
        var vec = new double[dimensions];
        for (var i = 0; i < vec.Length; i++) vec[i] = reader.ReadDouble();
        var error = reader.ReadDouble();
        var adjustment = reader.ReadDouble();
        var height = reader.ReadDouble();
        return new CoordinateEntry(node, segment, new Coordinate(vec, error, adjustment, height));
    }
}
