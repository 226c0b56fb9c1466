using Praetor.State.Catalog;

namespace Praetor.Agent.Endpoints;

/// <summary>Consul's `?node-meta=key:value` filter (repeatable; every pair must match).</summary>
public sealed record NodeMetaFilter(IReadOnlyList<KeyValuePair<string, string>> Pairs)
{
    public static readonly NodeMetaFilter None = new([]);

    public bool Matches(CatalogNode node)
    {
        foreach (var (key, value) in Pairs)
        {
            if (!node.Meta.TryGetValue(key, out var actual) || actual != value)
            {
                return false;
            }
        }
        return true;
    }
}
