namespace Praetor.Client;

/// <summary>
/// <c>GET /v1/agent/metrics</c> (Go's <c>api.MetricsInfo</c>): one interval of the agent's
/// in-memory metrics — the most recent finished one, or the current one when it is the first.
/// </summary>
public sealed record MetricsInfo
{
    /// <summary>The interval's start, in Go's time format (<c>2026-11-23 01:10:00 +0000 UTC</c>).</summary>
    public string Timestamp { get; init; } = string.Empty;

    public List<GaugeValue> Gauges { get; init; } = [];

    public List<PointValue> Points { get; init; } = [];

    public List<SampledValue> Counters { get; init; } = [];

    public List<SampledValue> Samples { get; init; } = [];
}

/// <summary>A gauge's last value in the interval.</summary>
public sealed record GaugeValue
{
    public string Name { get; init; } = string.Empty;

    public double Value { get; init; }

    public Dictionary<string, string> Labels { get; init; } = new(StringComparer.Ordinal);
}

/// <summary>Values emitted as points (go-metrics' EmitKey); Praetor emits none, Consul's shape keeps the list.</summary>
public sealed record PointValue
{
    public string Name { get; init; } = string.Empty;

    public List<double> Points { get; init; } = [];
}

/// <summary>A counter's or sample's aggregate over the interval.</summary>
public sealed record SampledValue
{
    public string Name { get; init; } = string.Empty;

    public long Count { get; init; }

    /// <summary>The sum per second of the interval.</summary>
    public double Rate { get; init; }

    public double Sum { get; init; }

    public double Min { get; init; }

    public double Max { get; init; }

    public double Mean { get; init; }

    public double Stddev { get; init; }

    public Dictionary<string, string> Labels { get; init; } = new(StringComparer.Ordinal);
}
