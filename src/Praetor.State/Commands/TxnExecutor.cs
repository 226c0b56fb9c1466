using Praetor.State.Kv;
using Praetor.State.Sessions;
using Praetor.State.Watch;

namespace Praetor.State.Commands;

/// <summary>
/// Runs a transaction's operations against a KV table with Consul's semantics, all at one log
/// index: every operation runs, their errors are collected, and the new table is kept only when
/// none failed. Used by the state machine for writes and directly on a snapshot for read-only
/// transactions.
/// </summary>
internal static class TxnExecutor
{
    /// <summary>
    /// Runs <paramref name="operations"/>; on commit <paramref name="table"/> holds the result and
    /// <paramref name="changes"/> what changed. <paramref name="sessions"/> is what a lock checks its session against.
    /// </summary>
    public static TxnResult Execute(ref KvTable table, SessionTable sessions, ulong index, IReadOnlyList<TxnOperation> operations, KeyChanges changes)
    {
        var working = table;
        var results = new List<KvEntry>(operations.Count);
        List<TxnError>? errors = null;
        for (var i = 0; i < operations.Count; i++)
        {
            var error = operations[i] switch
            {
                KvOperation kv => ExecuteKv(ref working, sessions, index, kv, results, changes),
                _ => "no operation specified",
            };
            if (error is not null)
            {
                (errors ??= []).Add(new TxnError(i, error));
            }
        }
        if (errors is not null)
        {
            changes.Clear();
            return new TxnResult([], errors);
        }
        table = working;
        return new TxnResult(results, []);
    }

    private static string? ExecuteKv(ref KvTable table, SessionTable sessions, ulong index, KvOperation op, List<KvEntry> results, KeyChanges changes)
    {
        var existing = op.Verb is KvVerb.DeleteTree or KvVerb.GetTree ? null : table.Get(op.Key);
        switch (op.Verb)
        {
            case KvVerb.Set:
                results.Add(WithoutValue(Set(ref table, index, existing, op, changes)));
                return null;
            case KvVerb.Cas:
                // ModifyIndex 0 means create-only; otherwise the entry must exist at that index.
                if (op.Index == 0 ? existing is not null : existing is null || existing.ModifyIndex != op.Index)
                {
                    return $"failed to set key \"{op.Key}\", index is stale";
                }
                results.Add(WithoutValue(Set(ref table, index, existing, op, changes)));
                return null;
            case KvVerb.Lock:
                return Lock(ref table, sessions, index, existing, op, results, changes);
            case KvVerb.Unlock:
                if (string.IsNullOrEmpty(op.Session))
                {
                    return "missing session";
                }
                if (existing is null || existing.Session != op.Session)
                {
                    return $"failed to unlock key \"{op.Key}\", lock isn't held, or is held by another session";
                }
                var unlocked = existing with { Value = op.Value, Flags = op.Flags, Session = null, ModifyIndex = index };
                table = table.Set(unlocked, index);
                changes.Key(op.Key);
                results.Add(WithoutValue(unlocked));
                return null;
            case KvVerb.Get:
                if (existing is null)
                {
                    return $"key \"{op.Key}\" doesn't exist";
                }
                results.Add(existing);
                return null;
            case KvVerb.GetOrEmpty:
                // A missing key answers with the operation's own entry, value blanked, as in Consul.
                results.Add(existing ?? new KvEntry(op.Key, null, op.Flags, 0, op.Index, 0, op.Session));
                return null;
            case KvVerb.GetTree:
                results.AddRange(table.List(op.Key));
                return null;
            case KvVerb.CheckIndex:
                if (existing is null)
                {
                    return $"failed to check index, key \"{op.Key}\" doesn't exist";
                }
                if (existing.ModifyIndex != op.Index)
                {
                    return $"failed index check for key \"{op.Key}\", current modify index {existing.ModifyIndex} != {op.Index}";
                }
                results.Add(WithoutValue(existing));
                return null;
            case KvVerb.CheckSession:
                if (existing is null)
                {
                    return $"failed to check session, key \"{op.Key}\" doesn't exist";
                }
                if ((existing.Session ?? "") != (op.Session ?? ""))
                {
                    return $"failed session check for key \"{op.Key}\", current session \"{existing.Session}\" != \"{op.Session}\"";
                }
                results.Add(WithoutValue(existing));
                return null;
            case KvVerb.CheckNotExists:
                return existing is null ? null : $"key \"{op.Key}\" exists";
            case KvVerb.Delete:
                Delete(ref table, index, op.Key, changes);
                return null;
            case KvVerb.DeleteCas:
                // A key that is already gone counts as deleted, as in Consul.
                if (existing is not null && existing.ModifyIndex != op.Index)
                {
                    return $"failed to delete key \"{op.Key}\", index is stale";
                }
                Delete(ref table, index, op.Key, changes);
                return null;
            case KvVerb.DeleteTree:
                var before = table;
                table = table.DeleteTree(op.Key, index);
                if (!ReferenceEquals(before, table))
                {
                    changes.Tree(op.Key);
                }
                return null;
            default:
                return $"unknown KV verb \"{op.Verb}\"";
        }
    }

    /// <summary>
    /// Consul's lock: the session must exist; a free key (or a new one) is taken with LockIndex one
    /// higher, so LockIndex counts acquisitions and fences out a former holder; the holder
    /// re-acquiring updates the value and keeps its LockIndex; a key another session holds is refused.
    /// </summary>
    private static string? Lock(ref KvTable table, SessionTable sessions, ulong index, KvEntry? existing, KvOperation op, List<KvEntry> results, KeyChanges changes)
    {
        if (string.IsNullOrEmpty(op.Session))
        {
            return "missing session";
        }
        if (sessions.Get(op.Session) is null)
        {
            return $"invalid session \"{op.Session}\"";
        }
        ulong lockIndex;
        if (existing?.Session is { } holder)
        {
            if (!string.Equals(holder, op.Session, StringComparison.Ordinal))
            {
                return $"failed to lock key \"{op.Key}\", lock is already held";
            }
            lockIndex = existing.LockIndex;
        }
        else
        {
            lockIndex = (existing?.LockIndex ?? 0) + 1;
        }
        var locked = new KvEntry(op.Key, op.Value, op.Flags, existing?.CreateIndex ?? index, index, lockIndex, op.Session);
        table = table.Set(locked, index);
        changes.Key(op.Key);
        results.Add(WithoutValue(locked));
        return null;
    }

    private static KvEntry Set(ref KvTable table, ulong index, KvEntry? existing, KvOperation op, KeyChanges changes)
    {
        // A plain set keeps the lock holder; a write that changes nothing keeps its ModifyIndex.
        var session = existing?.Session;
        if (existing is not null && existing.SameContents(op.Value, op.Flags, session))
        {
            return existing;
        }
        var entry = new KvEntry(op.Key, op.Value, op.Flags, existing?.CreateIndex ?? index, index, existing?.LockIndex ?? 0, session);
        table = table.Set(entry, index);
        changes.Key(op.Key);
        return entry;
    }

    private static void Delete(ref KvTable table, ulong index, string key, KeyChanges changes)
    {
        var before = table;
        table = table.Delete(key, index);
        if (!ReferenceEquals(before, table))
        {
            changes.Key(key);
        }
    }

    private static KvEntry WithoutValue(KvEntry entry) => entry.Value is null ? entry : entry with { Value = null };
}
