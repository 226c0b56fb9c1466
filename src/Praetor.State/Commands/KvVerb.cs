namespace Praetor.State.Commands;

/// <summary>
/// Consul's KV transaction verbs. The numeric values are part of the log encoding: never
/// renumber, only append.
/// </summary>
public enum KvVerb : byte
{
    Set = 1,
    Cas = 2,
    Lock = 3,
    Unlock = 4,
    Get = 5,
    GetOrEmpty = 6,
    GetTree = 7,
    CheckIndex = 8,
    CheckSession = 9,
    CheckNotExists = 10,
    Delete = 11,
    DeleteTree = 12,
    DeleteCas = 13,
}

/// <summary>The verbs' names on Consul's wire (`/v1/txn` `Verb` field).</summary>
public static class KvVerbs
{
    private static readonly Dictionary<string, KvVerb> ByName = new(StringComparer.Ordinal)
    {
        ["set"] = KvVerb.Set,
        ["cas"] = KvVerb.Cas,
        ["lock"] = KvVerb.Lock,
        ["unlock"] = KvVerb.Unlock,
        ["get"] = KvVerb.Get,
        ["get-or-empty"] = KvVerb.GetOrEmpty,
        ["get-tree"] = KvVerb.GetTree,
        ["check-index"] = KvVerb.CheckIndex,
        ["check-session"] = KvVerb.CheckSession,
        ["check-not-exists"] = KvVerb.CheckNotExists,
        ["delete"] = KvVerb.Delete,
        ["delete-tree"] = KvVerb.DeleteTree,
        ["delete-cas"] = KvVerb.DeleteCas,
    };

    public static bool TryParse(string name, out KvVerb verb) => ByName.TryGetValue(name, out verb);

    /// <summary>Whether the verb only reads, so a transaction of such verbs needs no log entry.</summary>
    public static bool IsRead(KvVerb verb) => verb is KvVerb.Get or KvVerb.GetOrEmpty or KvVerb.GetTree
        or KvVerb.CheckIndex or KvVerb.CheckSession or KvVerb.CheckNotExists;
}
