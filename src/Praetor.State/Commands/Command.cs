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
