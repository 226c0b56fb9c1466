namespace Praetor.Client.Kv;

/// <summary>Whether a transaction committed, with the agent's answer and metadata.</summary>
public sealed record TxnResult(bool Committed, TxnResponse Response, QueryMeta Meta);
