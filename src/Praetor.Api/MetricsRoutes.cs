using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Routing;
using Praetor.Agent.Metrics;

namespace Praetor.Api;

/// <summary>
/// <c>GET /v1/agent/metrics</c>: the agent's metrics as Consul's in-memory sink shows them (JSON), or
/// with <c>?format=prometheus</c> as Prometheus text; and <c>consul.api.http</c>, the time of every
/// request, labelled with its method and route as Consul labels it.
/// </summary>
internal static class MetricsRoutes
{
    /// <summary>The meter of the HTTP API's instruments.</summary>
    public const string MeterName = "Praetor.Api";

    /// <summary>Prometheus' text exposition format, version 0.0.4.</summary>
    public const string PrometheusContentType = "text/plain; version=0.0.4; charset=utf-8";

    /// <summary>Route patterns turned into Consul's path labels, once per route.</summary>
    private static readonly ConcurrentDictionary<string, string> PathLabels = new(StringComparer.Ordinal);

    public static void Map(WebApplication app, Agent.Agent agent)
    {
        app.MapGet("/v1/agent/metrics", context =>
        {
            var format = context.Request.Query["format"].ToString();
            if (format == "prometheus" || (format.Length == 0 && context.Request.Headers.Accept.ToString().Contains("application/openmetrics-text", StringComparison.Ordinal)))
            {
                return ResponseWriter.BytesAsync(context, Prometheus(agent.MetricsSink.Totals()), PrometheusContentType);
            }
            if (format.Length > 0)
            {
                throw HttpApiException.BadRequest($"unknown metrics format \"{format}\": use format=prometheus, or no format for JSON");
            }
            return ResponseWriter.JsonAsync(context, agent.MetricsSink.Summary(), WriteSummary);
        });
    }

    /// <summary>
    /// Middleware measuring every routed request as <c>consul.api.http</c> (milliseconds), labelled
    /// <c>method</c> and <c>path</c>: the route's fixed part with '/' as '_' (<c>v1_kv_</c>,
    /// <c>v1_agent_metrics</c>), as Consul derives it from its handler pattern.
    /// </summary>
    public static Func<HttpContext, RequestDelegate, Task> MeasureRequests(Agent.Agent agent)
    {
        var requests = agent.Meters.Create(new MeterOptions(MeterName))
            .CreateHistogram<double>("consul.api.http", "ms", "time to serve an HTTP API request");
        return async (context, next) =>
        {
            var start = Stopwatch.GetTimestamp();
            await next(context);
            if (context.GetEndpoint() is RouteEndpoint { RoutePattern.RawText: { } pattern })
            {
                var tags = new TagList
                {
                    { "method", context.Request.Method },
                    { "path", PathLabels.GetOrAdd(pattern, PathLabel) },
                };
                requests.Record(Stopwatch.GetElapsedTime(start).TotalMilliseconds, in tags);
            }
        };
    }

    /// <summary><c>/v1/kv/{**key}</c> → <c>v1_kv_</c>: the pattern up to its first parameter, without the leading '/', '/' as '_'.</summary>
    private static string PathLabel(string pattern)
    {
        var end = pattern.IndexOf('{', StringComparison.Ordinal);
        var fixedPart = end < 0 ? pattern : pattern[..end];
        return fixedPart.TrimStart('/').Replace('/', '_');
    }

    private static void WriteSummary(Utf8JsonWriter w, MetricsSummary summary)
    {
        w.WriteStartObject();
        w.WriteString("Timestamp", summary.Timestamp);
        w.WriteStartArray("Gauges");
        foreach (var gauge in summary.Gauges)
        {
            w.WriteStartObject();
            w.WriteString("Name", gauge.Name);
            w.WriteNumber("Value", gauge.Value);
            WriteLabels(w, gauge.Labels);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        // go-metrics' Points (EmitKey values): no Praetor instrument emits them.
        w.WriteStartArray("Points");
        w.WriteEndArray();
        WriteSampled(w, "Counters", summary.Counters);
        WriteSampled(w, "Samples", summary.Samples);
        w.WriteEndObject();
    }

    private static void WriteSampled(Utf8JsonWriter w, string name, IReadOnlyList<SampledValue> values)
    {
        w.WriteStartArray(name);
        foreach (var value in values)
        {
            w.WriteStartObject();
            w.WriteString("Name", value.Name);
            w.WriteNumber("Count", value.Count);
            w.WriteNumber("Rate", value.Rate);
            w.WriteNumber("Sum", value.Sum);
            w.WriteNumber("Min", value.Min);
            w.WriteNumber("Max", value.Max);
            w.WriteNumber("Mean", value.Mean);
            w.WriteNumber("Stddev", value.Stddev);
            WriteLabels(w, value.Labels);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    private static void WriteLabels(Utf8JsonWriter w, IReadOnlyList<KeyValuePair<string, string>> labels)
    {
        w.WriteStartObject("Labels");
        foreach (var (key, value) in labels)
        {
            w.WriteString(key, value);
        }
        w.WriteEndObject();
    }

    /// <summary>
    /// Prometheus text as go-metrics' Prometheus sink writes it: names with '.', ' ', '=', '-' and '/'
    /// as '_', counters as totals (no <c>_total</c> suffix), gauges, and samples as summaries with
    /// <c>_sum</c> and <c>_count</c> (no quantiles: samples are aggregated, not kept).
    /// </summary>
    private static ReadOnlyMemory<byte> Prometheus(IReadOnlyList<PrometheusMetric> metrics)
    {
        var text = new StringBuilder();
        foreach (var metric in metrics)
        {
            var name = PrometheusName(metric.Name);
            var type = metric.Kind switch
            {
                PrometheusKind.Counter => "counter",
                PrometheusKind.Gauge => "gauge",
                _ => "summary",
            };
            text.Append("# HELP ").Append(name).Append(' ').Append(EscapeHelp(string.IsNullOrEmpty(metric.Description) ? name : metric.Description)).Append('\n');
            text.Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');
            foreach (var series in metric.Series)
            {
                if (metric.Kind == PrometheusKind.Summary)
                {
                    AppendSample(text, name + "_sum", series.Labels, series.Value);
                    AppendSample(text, name + "_count", series.Labels, series.Count);
                }
                else
                {
                    AppendSample(text, name, series.Labels, series.Value);
                }
            }
        }
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    private static void AppendSample(StringBuilder text, string name, IReadOnlyList<KeyValuePair<string, string>> labels, double value)
    {
        text.Append(name);
        if (labels.Count > 0)
        {
            text.Append('{');
            for (var i = 0; i < labels.Count; i++)
            {
                if (i > 0) text.Append(',');
                text.Append(PrometheusName(labels[i].Key)).Append("=\"").Append(EscapeLabelValue(labels[i].Value)).Append('"');
            }
            text.Append('}');
        }
        text.Append(' ').Append(value.ToString(CultureInfo.InvariantCulture)).Append('\n');
    }

    /// <summary>A metric or label name with every character Prometheus does not allow as '_'.</summary>
    internal static string PrometheusName(string name)
    {
        return string.Create(name.Length, name, static (span, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                var c = source[i];
                span[i] = char.IsAsciiLetterOrDigit(c) || c is '_' or ':' ? c : '_';
            }
            if (span.Length > 0 && char.IsAsciiDigit(span[0])) span[0] = '_';
        });
    }

    private static string EscapeHelp(string help) => help.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    private static string EscapeLabelValue(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
}
