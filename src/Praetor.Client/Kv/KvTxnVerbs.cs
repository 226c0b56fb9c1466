namespace Praetor.Client.Kv;

/// <summary>The <c>Verb</c> values of a KV transaction operation.</summary>
public static class KvTxnVerbs
{
    public const string Set = "set";
    public const string Cas = "cas";
    public const string Lock = "lock";
    public const string Unlock = "unlock";
    public const string Get = "get";
    public const string GetOrEmpty = "get-or-empty";
    public const string GetTree = "get-tree";
    public const string CheckIndex = "check-index";
    public const string CheckSession = "check-session";
    public const string CheckNotExists = "check-not-exists";
    public const string Delete = "delete";
    public const string DeleteTree = "delete-tree";
    public const string DeleteCas = "delete-cas";
}
