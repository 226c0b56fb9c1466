namespace Praetor.State.Catalog;

/// <summary>What a check runs, as Consul shows under a HealthCheck's `Definition`.</summary>
public sealed record CheckRunSpec
{
    public static readonly CheckRunSpec Empty = new();

    public string Http { get; init; } = "";

    public string Method { get; init; } = "";

    public string Body { get; init; } = "";

    public bool TlsSkipVerify { get; init; }

    public IReadOnlyDictionary<string, IReadOnlyList<string>> Header { get; init; } = new Dictionary<string, IReadOnlyList<string>>();

    public string Tcp { get; init; } = "";

    public TimeSpan Interval { get; init; }

    public TimeSpan Timeout { get; init; }

    public TimeSpan DeregisterCriticalServiceAfter { get; init; }

    public bool SameAs(CheckRunSpec other) =>
        this with { Header = Empty.Header } == other with { Header = Empty.Header }
        && Header.Count == other.Header.Count
        && Header.All(h => other.Header.TryGetValue(h.Key, out var v) && v.SequenceEqual(h.Value));
}
