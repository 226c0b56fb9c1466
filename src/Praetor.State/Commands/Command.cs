namespace Praetor.State.Commands;

/// <summary>A change to replicated state: encoded by <see cref="CommandCodec"/> into a log entry, applied by the <see cref="StateMachine"/>.</summary>
public abstract record Command;

/// <summary>An all-or-nothing transaction (Consul's `/v1/txn`); single-key KV writes are transactions of one operation.</summary>
public sealed record TxnCommand(IReadOnlyList<TxnOperation> Operations) : Command;

/// <summary>Drops KV tombstones stamped at or before <paramref name="UpToIndex"/> (issued by the leader after the tombstone TTL).</summary>
public sealed record ReapTombstonesCommand(ulong UpToIndex) : Command;

/// <summary>One operation of a transaction. The catalog's Node/Service/Check operations join as subtypes.</summary>
public abstract record TxnOperation;

/// <summary>A KV operation (Consul's TxnKVOp): <paramref name="Index"/> is the CAS / check index.</summary>
public sealed record KvOperation(KvVerb Verb, string Key, byte[]? Value = null, ulong Flags = 0, ulong Index = 0, string? Session = null)
    : TxnOperation;

/// <summary>Registers a node, optionally a service on it, and checks (Consul's Catalog.Register).</summary>
public sealed record RegisterCommand(Catalog.CatalogRegistration Registration) : Command;

/// <summary>
/// Removes a service with its checks when <paramref name="ServiceId"/> is set, else one check
/// when <paramref name="CheckId"/> is set, else the whole node (Consul's Catalog.Deregister).
/// </summary>
public sealed record DeregisterCommand(string Node, string? ServiceId = null, string? CheckId = null) : Command;

/// <summary>
/// Replaces the whole state with <paramref name="State"/> (a snapshot restore, <c>PUT /v1/snapshot</c>):
/// KV entries and tombstones, the catalog, and their indexes, as saved. Through the log, so every
/// server restores the same state at the same point.
/// </summary>
public sealed record RestoreCommand(StateSnapshot State) : Command;

/// <summary>
/// Creates a session (Consul's Session.Apply create). The state machine refuses it, changing
/// nothing, when the node or a bound check is missing or a bound check is critical; the
/// response is then Consul's error text.
/// </summary>
public sealed record SessionCreateCommand(Sessions.Session Session) : Command;

/// <summary>Destroys a session, releasing or deleting its locks by its behavior; an unknown ID changes nothing.</summary>
public sealed record SessionDestroyCommand(string Id) : Command;

/// <summary>
/// Renews a TTL session: the state does not change, but every server hears of it (so the leader
/// of the moment resets its timer). The response is Consul's "not found" text for an unknown ID.
/// </summary>
public sealed record SessionRenewCommand(string Id) : Command;

/// <summary>
/// Consul's CoordinateBatchUpdate: the coordinates agents sent, batched by the leader. Updates of
/// nodes not in the catalog, and invalid coordinates, are skipped when applied.
/// </summary>
public sealed record CoordinateBatchUpdateCommand(IReadOnlyList<Coordinates.CoordinateEntry> Updates) : Command;
