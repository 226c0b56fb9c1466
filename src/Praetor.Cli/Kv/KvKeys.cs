namespace Praetor.Cli.Kv;

/// <summary>Key handling the kv commands share.</summary>
public static class KvKeys
{
    /// <summary>Keys cannot start with '/', but users type "/foo"; Consul's get, delete and export strip it for them.</summary>
    public static string TrimLeadingSlash(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return key.Length > 0 && key[0] == '/' ? key[1..] : key;
    }
}
