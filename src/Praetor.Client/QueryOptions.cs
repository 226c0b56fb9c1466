namespace Praetor.Client;

/// <summary>Read parameters shared by query endpoints (Go's <c>api.QueryOptions</c>).</summary>
public sealed record QueryOptions
{
    /// <summary><c>?dc=</c>; overrides the client's datacenter.</summary>
    public string? Datacenter { get; init; }

    /// <summary><c>?relay-factor=</c> (0-5): how many other members relay each node's answer to a keyring list; 0 sends none.</summary>
    public byte RelayFactor { get; init; }

    /// <summary><c>?local-only=true</c>: a keyring list of the agent's own keys only, without asking the pool.</summary>
    public bool LocalOnly { get; init; }

    /// <summary><c>?stale</c>: any server may answer.</summary>
    public bool AllowStale { get; init; }

    /// <summary><c>?consistent</c>: the leader verifies its leadership with a quorum first.</summary>
    public bool RequireConsistent { get; init; }

    /// <summary><c>?index=</c>: block until the result's index passes this (0 = do not block).</summary>
    public ulong WaitIndex { get; init; }

    /// <summary><c>?wait=</c>: the longest a blocking query waits (sent in milliseconds, as Go does).</summary>
    public TimeSpan? WaitTime { get; init; }

    /// <summary><c>X-Consul-Token</c>; overrides the client's token.</summary>
    public string? Token { get; init; }

    /// <summary><c>?filter=</c>: a go-bexpr expression.</summary>
    public string? Filter { get; init; }
}
