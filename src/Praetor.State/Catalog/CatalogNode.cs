namespace Praetor.State.Catalog;

/// <summary>A node in the catalog (Consul's structs.Node).</summary>
public sealed record CatalogNode
{
    public required string Node { get; init; }

    /// <summary>The node's UUID; may be empty for nodes registered through the catalog without one.</summary>
    public string Id { get; init; } = "";

    public required string Address { get; init; }

    public string Datacenter { get; init; } = "";

    public IReadOnlyDictionary<string, string> TaggedAddresses { get; init; } = new Dictionary<string, string>();

    public IReadOnlyDictionary<string, string> Meta { get; init; } = new Dictionary<string, string>();

    public ulong CreateIndex { get; init; }

    public ulong ModifyIndex { get; init; }

    public bool SameContents(CatalogNode other) =>
        Node == other.Node && Id == other.Id && Address == other.Address && Datacenter == other.Datacenter
        && ServiceInstance.MetaEquals(TaggedAddresses, other.TaggedAddresses)
        && ServiceInstance.MetaEquals(Meta, other.Meta);
}
