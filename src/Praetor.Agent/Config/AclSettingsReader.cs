using System.Text.Json;

namespace Praetor.Agent.Config;

/// <summary>Reads the <c>acl</c> block onto the settings so far, key by key.</summary>
internal static class AclSettingsReader
{
    /// <summary>Consul's other <c>acl</c> keys: accepted and kept as given for the ACL system.</summary>
    private static readonly HashSet<string> OtherKeys = new(StringComparer.Ordinal)
    {
        "down_policy", "enable_key_list_policy", "enable_token_persistence", "enable_token_replication",
        "policy_ttl", "role_ttl", "token_ttl",
    };

    public static AclSettings Apply(ConfigValueReader reader, JsonElement value, string path, AclSettings acl)
    {
        if (!reader.TryObject(value, path))
        {
            return acl;
        }

        foreach (var (key, item, keyPath) in ConfigValueReader.SetMembers(value, path))
        {
            var name = key.ToLowerInvariant();
            switch (name)
            {
                case "enabled":
                    acl = reader.TryBool(item, keyPath, out var enabled) ? acl with { Enabled = enabled } : acl;
                    break;
                case "default_policy":
                    if (reader.TryString(item, keyPath, out var policy))
                    {
                        if (policy is not ("allow" or "deny"))
                        {
                            reader.Problem(keyPath, $"{GoStrconv.Quote(policy)} is not allow or deny");
                        }

                        acl = acl with { DefaultPolicy = policy };
                    }

                    break;
                case "tokens":
                    acl = reader.TryStringMap(item, keyPath, out var tokens) ? acl with { Tokens = ConfigFileReader.Merge(acl.Tokens, tokens) } : acl;
                    break;
                default:
                    if (!OtherKeys.Contains(name))
                    {
                        reader.UnknownKey(keyPath);
                        break;
                    }

                    acl = acl with { Other = new Dictionary<string, JsonElement>(acl.Other, StringComparer.Ordinal) { [name] = item.Clone() } };
                    break;
            }
        }

        return acl;
    }
}
