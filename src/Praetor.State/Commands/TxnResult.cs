using Praetor.State.Kv;

namespace Praetor.State.Commands;

/// <summary>
/// The outcome of a transaction: on commit, the results (entries, with values only for reads);
/// on rollback, the errors naming each failed operation. Consul's TxnResponse.
/// </summary>
public sealed record TxnResult(IReadOnlyList<KvEntry> Results, IReadOnlyList<TxnError> Errors)
{
    public bool Committed => Errors.Count == 0;
}

/// <summary>Why operation number <paramref name="OpIndex"/> failed.</summary>
public sealed record TxnError(int OpIndex, string What);
