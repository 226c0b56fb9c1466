using System.Text.Json.Serialization;

namespace Praetor.Client.Kv;

/// <summary>One element of a <c>/v1/txn</c> request body; this client sends KV operations only.</summary>
public sealed record TxnOp
{
    [JsonPropertyName("KV")]
    public KvTxnOp? KV { get; init; }

    public static TxnOp ForKv(KvTxnOp operation) => new() { KV = operation };
}
