namespace Praetor.State.Catalog;

/// <summary>
/// The keys blocking queries watch in the catalog's registry: `n/&lt;node&gt;` for everything about
/// a node, `s/&lt;service&gt;` for a service's instances and health; a list query watches the
/// prefix `n/` or `s/`. Network coordinates are `c/&lt;node&gt;` under the prefix `c/`. Names are lowercased since the catalog matches them case-insensitively.
/// </summary>
public static class CatalogWatchKeys
{
    public const string Nodes = "n/";
    public const string Services = "s/";
    public const string Coordinates = "c/";

    public static string Node(string node) => Nodes + node.ToLowerInvariant();

    public static string Coordinate(string node) => Coordinates + node.ToLowerInvariant();

    public static string Service(string service) => Services + service.ToLowerInvariant();
}
