namespace Praetor.Client;

/// <summary>Parameters shared by write endpoints (Go's <c>api.WriteOptions</c>).</summary>
public sealed record WriteOptions
{
    /// <summary><c>?dc=</c>; overrides the client's datacenter.</summary>
    public string? Datacenter { get; init; }

    /// <summary><c>?relay-factor=</c> (0-5): how many other members relay each node's answer to a keyring operation; 0 sends none.</summary>
    public byte RelayFactor { get; init; }

    /// <summary><c>X-Consul-Token</c>; overrides the client's token.</summary>
    public string? Token { get; init; }
}
