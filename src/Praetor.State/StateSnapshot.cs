using Praetor.State.Catalog;
using Praetor.State.Coordinates;
using Praetor.State.Kv;
using Praetor.State.Sessions;

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

    /// <summary>Sessions (locks on KV keys name them).</summary>
    public SessionTable Sessions { get; init; } = SessionTable.Empty;

    /// <summary>The network coordinates agents reported.</summary>
    public CoordinateTable Coordinates { get; init; } = CoordinateTable.Empty;

    /// <summary>
    /// <see cref="Index"/> minus the log index of the last applied entry: zero until a snapshot
    /// restore whose state is at or past the log's index, which moves the state's index past the
    /// restored one (as hashicorp/raft's restore moves the log's index), so every index a client
    /// sees after it is higher than every index in the restored state. Compare log positions (a
    /// read index, <c>RaftLog.AppliedIndex</c>) with <see cref="LogIndex"/>, not <see cref="Index"/>.
    /// </summary>
    public ulong IndexOffset { get; init; }

    /// <summary>The log index of the last applied entry.</summary>
    public ulong LogIndex => Index - IndexOffset;
}
