namespace Praetor.Client.Kv;

/// <summary>One KV operation of a <c>/v1/txn</c> transaction (Go's <c>api.KVTxnOp</c>).</summary>
public sealed record KvTxnOp
{
    /// <summary>One of <see cref="KvTxnVerbs"/>.</summary>
    public string Verb { get; init; } = KvTxnVerbs.Set;

    public string Key { get; init; } = string.Empty;

    public byte[]? Value { get; init; }

    public ulong Flags { get; init; }

    /// <summary>The ModifyIndex a <c>cas</c>, <c>delete-cas</c> or <c>check-index</c> compares against.</summary>
    public ulong Index { get; init; }

    public string? Session { get; init; }
}
