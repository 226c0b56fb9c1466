using Praetor.State.Catalog;
using Praetor.State.Kv;

namespace Praetor.State;

/// <summary>
/// An immutable view of the whole replicated state as of one applied log index. Readers take
/// <see cref="StateStore.Current"/> and read it without locks; the state machine publishes a new
/// snapshot for each applied entry. New tables (catalog, sessions, ACLs) join as properties.
/// </summary>
public sealed record StateSnapshot(ulong Index, KvTable Kv)
{
    public static readonly StateSnapshot Empty = new(0, KvTable.Empty);

    /// <summary>Nodes, services and health checks.</summary>
    public CatalogTable Catalog { get; init; } = CatalogTable.Empty;
}
