namespace Praetor.Agent.Metrics;

/// <summary>
/// One interval of an agent's metrics, shaped as Consul's <c>/v1/agent/metrics</c> JSON (go-metrics'
/// MetricsSummary): gauges, counters and samples, each list sorted by name and labels.
/// </summary>
/// <param name="Timestamp">The interval's start, in Go's time format (<c>2026-11-23 01:10:00 +0000 UTC</c>).</param>
/// <param name="Gauges">The last value each gauge had in the interval.</param>
/// <param name="Counters">Counter increments in the interval, aggregated.</param>
/// <param name="Samples">Samples (timings, sizes) in the interval, aggregated.</param>
public sealed record MetricsSummary(string Timestamp, IReadOnlyList<GaugeValue> Gauges, IReadOnlyList<SampledValue> Counters, IReadOnlyList<SampledValue> Samples);

/// <summary>A gauge's value and labels.</summary>
public sealed record GaugeValue(string Name, double Value, IReadOnlyList<KeyValuePair<string, string>> Labels);

/// <summary>
/// What go-metrics' AggregateSample reports for a counter or sample in one interval: how many
/// values, their rate per second over the interval, sum, min, max, mean and sample standard deviation.
/// </summary>
public sealed record SampledValue(string Name, long Count, double Rate, double Sum, double Min, double Max, double Mean, double Stddev, IReadOnlyList<KeyValuePair<string, string>> Labels);

/// <summary>How a metric is exposed to Prometheus, as go-metrics' Prometheus sink does: counter, gauge or summary.</summary>
public enum PrometheusKind
{
    /// <summary>A total since start.</summary>
    Counter,

    /// <summary>The last value.</summary>
    Gauge,

    /// <summary>The count and sum of samples since start (no quantiles: samples are not kept).</summary>
    Summary,
}

/// <summary>One labelled series of a metric, totals since the agent started (for Prometheus).</summary>
/// <param name="Labels">The series' labels, in the order they were recorded.</param>
/// <param name="Value">The counter's total, the gauge's last value, or the summary's sum.</param>
/// <param name="Count">The summary's number of samples (0 for counters and gauges).</param>
public sealed record PrometheusSeries(IReadOnlyList<KeyValuePair<string, string>> Labels, double Value, long Count);

/// <summary>A metric and its series for Prometheus, under Consul's dotted name, with its instrument's description.</summary>
public sealed record PrometheusMetric(string Name, string? Description, PrometheusKind Kind, IReadOnlyList<PrometheusSeries> Series);
