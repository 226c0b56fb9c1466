namespace Praetor.State.Catalog;

/// <summary>A service registered on a node (Consul's structs.NodeService), keyed by node and ID.</summary>
public sealed record ServiceInstance
{
    public required string Node { get; init; }

    public required string Id { get; init; }

    public required string Service { get; init; }

    public IReadOnlyList<string> Tags { get; init; } = [];

    /// <summary>The service's own address; empty means the node's.</summary>
    public string Address { get; init; } = "";

    public int Port { get; init; }

    public IReadOnlyDictionary<string, string> Meta { get; init; } = new Dictionary<string, string>();

    public int WeightPassing { get; init; } = 1;

    public int WeightWarning { get; init; } = 1;

    public bool EnableTagOverride { get; init; }

    public ulong CreateIndex { get; init; }

    public ulong ModifyIndex { get; init; }

    public bool SameContents(ServiceInstance other) =>
        this with { CreateIndex = 0, ModifyIndex = 0, Tags = [], Meta = EmptyMeta } == other with { CreateIndex = 0, ModifyIndex = 0, Tags = [], Meta = EmptyMeta }
        && Tags.SequenceEqual(other.Tags)
        && MetaEquals(Meta, other.Meta);

    private static readonly IReadOnlyDictionary<string, string> EmptyMeta = new Dictionary<string, string>();

    internal static bool MetaEquals(IReadOnlyDictionary<string, string> a, IReadOnlyDictionary<string, string> b) =>
        a.Count == b.Count && a.All(pair => b.TryGetValue(pair.Key, out var value) && value == pair.Value);
}
