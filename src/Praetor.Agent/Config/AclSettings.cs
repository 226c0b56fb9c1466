using System.Text.Json;

namespace Praetor.Agent.Config;

/// <summary>
/// Consul's <c>acl</c> block. ACLs are not enforced yet: the settings are read, checked for type,
/// and kept for the ACL issue; <see cref="Enabled"/> and <see cref="DefaultPolicy"/> feed the banner.
/// </summary>
public sealed record AclSettings
{
    public bool Enabled { get; init; }

    /// <summary><c>allow</c> or <c>deny</c>.</summary>
    public string DefaultPolicy { get; init; } = "allow";

    /// <summary><c>acl.tokens</c> (<c>initial_management</c>, <c>agent</c>, <c>default</c>, ...), merged key by key.</summary>
    public IReadOnlyDictionary<string, string> Tokens { get; init; } = new Dictionary<string, string>();

    /// <summary>The other keys of the <c>acl</c> block (<c>down_policy</c>, <c>enable_token_persistence</c>, ...), as given.</summary>
    public IReadOnlyDictionary<string, JsonElement> Other { get; init; } = new Dictionary<string, JsonElement>();
}
