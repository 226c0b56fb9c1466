using System.Text.Json.Serialization;

namespace Praetor.Client.Kv;

/// <summary>The body of a <c>/v1/txn</c> answer: results when committed (200), errors when rolled back (409).</summary>
public sealed record TxnResponse
{
    public List<TxnResultItem>? Results { get; init; }

    public List<TxnError>? Errors { get; init; }
}

/// <summary>One result of a committed transaction; KV results carry the entry (Value only for reads).</summary>
public sealed record TxnResultItem
{
    [JsonPropertyName("KV")]
    public KvEntry? KV { get; init; }
}

/// <summary>Why an operation rolled the transaction back.</summary>
public sealed record TxnError
{
    public int OpIndex { get; init; }

    public string What { get; init; } = string.Empty;
}
