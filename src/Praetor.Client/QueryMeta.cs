namespace Praetor.Client;

/// <summary>What the agent says about a read (Go's <c>api.QueryMeta</c>), from its response headers.</summary>
public sealed record QueryMeta
{
    /// <summary><c>X-Consul-Index</c>: pass it back as <see cref="QueryOptions.WaitIndex"/> to block for changes.</summary>
    public ulong LastIndex { get; init; }

    /// <summary><c>X-Consul-LastContact</c>: how stale the answering server may be.</summary>
    public TimeSpan LastContact { get; init; }

    /// <summary><c>X-Consul-KnownLeader</c>: whether the answering server knew a leader.</summary>
    public bool KnownLeader { get; init; }

    /// <summary>How long the request took, measured by the client.</summary>
    public TimeSpan RequestTime { get; init; }
}
