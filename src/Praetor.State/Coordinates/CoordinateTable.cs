using System.Collections.Immutable;
using Praetor.Gossip.Serf;
using Praetor.State.Catalog;
using Praetor.State.Watch;

namespace Praetor.State.Coordinates;

/// <summary>
/// Consul's coordinates table: the latest coordinate each node reported, per segment, in a
/// persistent sorted map (node names match case-insensitively, as in the catalog), with the
/// index of its last change. Only nodes in the catalog have coordinates: an update for another
/// node is skipped, and removing a node from the catalog removes its coordinates.
/// </summary>
public sealed class CoordinateTable
{
    public static readonly CoordinateTable Empty = new(ImmutableSortedDictionary.Create<(string Node, string Segment), CoordinateEntry>(KeyOrder), 0);

    private static readonly IComparer<(string Node, string Segment)> KeyOrder = Comparer<(string Node, string Segment)>.Create(static (a, b) =>
    {
        var byNode = StringComparer.OrdinalIgnoreCase.Compare(a.Node, b.Node);
        return byNode != 0 ? byNode : string.CompareOrdinal(a.Segment, b.Segment);
    });

    private readonly ImmutableSortedDictionary<(string Node, string Segment), CoordinateEntry> _entries;

    private CoordinateTable(ImmutableSortedDictionary<(string Node, string Segment), CoordinateEntry> entries, ulong index)
    {
        _entries = entries;
        Index = index;
    }

    /// <summary>The last index at which a coordinate was written or removed.</summary>
    public ulong Index { get; }

    /// <summary>How many coordinates are held.</summary>
    public int Count => _entries.Count;

    /// <summary>Every coordinate, by node then segment.</summary>
    public IEnumerable<CoordinateEntry> Entries => _entries.Values;

    /// <summary>The coordinates of <paramref name="node"/>, one per segment.</summary>
    public IEnumerable<CoordinateEntry> ForNode(string node) =>
        _entries.Where(e => StringComparer.OrdinalIgnoreCase.Equals(e.Key.Node, node)).Select(e => e.Value);

    /// <summary>The coordinate of <paramref name="node"/> in <paramref name="segment"/>, if any.</summary>
    public Coordinate? Get(string node, string segment = "") => _entries.GetValueOrDefault((node, segment))?.Coord;

    /// <summary>
    /// Consul's CoordinateBatchUpdate: writes each update of a node in <paramref name="catalog"/>
    /// whose coordinate is valid and of <see cref="VivaldiConfig.Default"/>'s dimensionality
    /// (the endpoint refuses the rest before the log; here they are skipped, never half-applied).
    /// </summary>
    public CoordinateTable Update(IEnumerable<CoordinateEntry> updates, CatalogTable catalog, ulong index, KeyChanges changes)
    {
        ArgumentNullException.ThrowIfNull(updates);
        ArgumentNullException.ThrowIfNull(catalog);
        var entries = _entries;
        foreach (var update in updates)
        {
            if (catalog.Node(update.Node) is not { } node || !IsAcceptable(update.Coord)) continue;
            entries = entries.SetItem((node.Node, update.Segment), update with { Node = node.Node });
            changes.Key(CatalogWatchKeys.Coordinate(node.Node));
        }
        return ReferenceEquals(entries, _entries) ? this : new CoordinateTable(entries, index);
    }

    /// <summary>Removes every coordinate of <paramref name="node"/> (the node left the catalog).</summary>
    public CoordinateTable RemoveNode(string node, ulong index, KeyChanges changes)
    {
        var keys = _entries.Keys.Where(k => StringComparer.OrdinalIgnoreCase.Equals(k.Node, node)).ToList();
        if (keys.Count == 0) return this;
        changes.Key(CatalogWatchKeys.Coordinate(node));
        return new CoordinateTable(_entries.RemoveRange(keys), index);
    }

    /// <summary>True when <paramref name="coordinate"/> is finite and of the default dimensionality.</summary>
    public static bool IsAcceptable(Coordinate coordinate)
    {
        ArgumentNullException.ThrowIfNull(coordinate);
        return coordinate.Vec.Length == VivaldiConfig.Default.Dimensionality && coordinate.IsValid();
    }

    /// <summary>Builds a table from a snapshot's entries; a node and segment twice raises <see cref="InvalidDataException"/>.</summary>
    internal static CoordinateTable Restore(IEnumerable<CoordinateEntry> entries, ulong index)
    {
        var builder = ImmutableSortedDictionary.CreateBuilder<(string Node, string Segment), CoordinateEntry>(KeyOrder);
        foreach (var entry in entries)
        {
            if (!builder.TryAdd((entry.Node, entry.Segment), entry))
            {
                throw new InvalidDataException($"snapshot coordinate of node \"{entry.Node}\" segment \"{entry.Segment}\" appears twice");
            }
        }
        return new CoordinateTable(builder.ToImmutable(), index);
    }
}
