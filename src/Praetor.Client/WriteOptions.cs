namespace Praetor.Client;

/// <summary>Parameters shared by write endpoints (Go's <c>api.WriteOptions</c>).</summary>
public sealed record WriteOptions
{
    /// <summary><c>?dc=</c>; overrides the client's datacenter.</summary>
    public string? Datacenter { get; init; }

    /// <summary><c>X-Consul-Token</c>; overrides the client's token.</summary>
    public string? Token { get; init; }
}
