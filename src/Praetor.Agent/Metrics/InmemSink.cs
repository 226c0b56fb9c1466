using System.Diagnostics.Metrics;
using System.Globalization;

namespace Praetor.Agent.Metrics;

/// <summary>
/// Consul's in-memory metrics sink (go-metrics' InmemSink) fed by a <see cref="MeterListener"/>:
/// it listens to the instruments of the meters one <see cref="AgentMeterFactory"/> created and
/// aggregates their measurements into fixed intervals (10 s, the last minute kept, as Consul),
/// plus totals since start for the Prometheus format. Counters (<see cref="Counter{T}"/>) are
/// go-metrics counters, histograms (<see cref="Histogram{T}"/>) are samples, gauges are gauges
/// (observable ones read every <see cref="GaugeObserveInterval"/>); unlike go-metrics, a gauge
/// keeps its last value in the intervals after it was set. Measurements may arrive on any thread;
/// one lock guards the aggregates (go-metrics locks per interval the same way).
/// </summary>
public sealed class InmemSink : IDisposable
{
    /// <summary>Consul's aggregation interval.</summary>
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(10);

    /// <summary>How long Consul keeps finished intervals.</summary>
    public static readonly TimeSpan DefaultRetain = TimeSpan.FromMinutes(1);

    /// <summary>How often observable gauges are read (go-metrics' runtime gauges are emitted every second).</summary>
    public static readonly TimeSpan GaugeObserveInterval = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Distinct label sets kept per instrument; measurements with further ones are not aggregated.
    /// Labels come from Praetor's code, but some carry request data (the HTTP method).
    /// </summary>
    public const int SeriesPerInstrumentMax = 256;

    private readonly Lock _lock = new();
    private readonly TimeSpan _interval;
    private readonly int _intervalsMax;
    private readonly TimeProvider _time;
    private readonly List<Interval> _intervals = [];
    private readonly Dictionary<string, InstrumentState> _instruments = new(StringComparer.Ordinal);
    private readonly List<Series> _gauges = [];
    private readonly MeterListener _listener;
    private readonly ITimer _gaugeTimer;

    /// <summary>Starts listening to the meters of <paramref name="meters"/>.</summary>
    /// <param name="meters">Whose meters to collect; instruments of other meters are ignored.</param>
    /// <param name="interval">The aggregation interval (Consul: 10 s).</param>
    /// <param name="retain">How long intervals are kept (Consul: 1 minute); at least one interval.</param>
    /// <param name="time">The clock for interval boundaries and the gauge timer.</param>
    public InmemSink(AgentMeterFactory meters, TimeSpan interval, TimeSpan retain, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(meters);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero);
        _interval = interval;
        _intervalsMax = Math.Max(1, (int)(retain / interval));
        _time = time;
        _listener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (!ReferenceEquals(instrument.Meter.Scope, meters) || KindOf(instrument) is not { } kind) return;
                InstrumentState? state;
                lock (_lock)
                {
                    // Instruments of one name (two pools of one agent) feed one metric, as in Consul.
                    if (!_instruments.TryGetValue(instrument.Name, out state))
                    {
                        state = new InstrumentState(instrument.Name, instrument.Description, kind);
                        _instruments.Add(instrument.Name, state);
                    }
                }
                if (state.Kind == kind) listener.EnableMeasurementEvents(instrument, state);
            },
        };
        _listener.SetMeasurementEventCallback<long>((_, value, tags, state) => Record((InstrumentState)state!, value, tags));
        _listener.SetMeasurementEventCallback<int>((_, value, tags, state) => Record((InstrumentState)state!, value, tags));
        _listener.SetMeasurementEventCallback<double>((_, value, tags, state) => Record((InstrumentState)state!, value, tags));
        _listener.Start();
        _gaugeTimer = time.CreateTimer(_ => ObserveGauges(), null, TimeSpan.Zero, GaugeObserveInterval);
    }

    /// <summary>
    /// The interval Consul's endpoint shows: the most recent finished one, or the current one when
    /// it is the only one (go-metrics' DisplayMetrics). Gauges are read first.
    /// </summary>
    public MetricsSummary Summary()
    {
        ObserveGauges();
        lock (_lock)
        {
            var current = CurrentInterval();
            var shown = _intervals.Count == 1 ? current : _intervals[^2];
            var start = new DateTimeOffset(shown.StartTicks, TimeSpan.Zero);
            return new MetricsSummary(
                start.ToString("yyyy-MM-dd HH:mm:ss '+0000 UTC'", CultureInfo.InvariantCulture),
                [.. shown.Gauges.OrderBy(g => g.Key.Hash, StringComparer.Ordinal).Select(g => new GaugeValue(g.Key.Name, g.Value, g.Key.Labels))],
                Sampled(shown.Counters),
                Sampled(shown.Samples));
        }
    }

    /// <summary>Every metric with its totals since start, sorted by name, for the Prometheus format. Gauges are read first.</summary>
    public IReadOnlyList<PrometheusMetric> Totals()
    {
        ObserveGauges();
        lock (_lock)
        {
            var metrics = new List<PrometheusMetric>(_instruments.Count);
            foreach (var instrument in _instruments.Values.OrderBy(i => i.Name, StringComparer.Ordinal))
            {
                if (instrument.Series.Count == 0) continue;
                var kind = instrument.Kind switch
                {
                    MetricKind.Counter => PrometheusKind.Counter,
                    MetricKind.Gauge => PrometheusKind.Gauge,
                    _ => PrometheusKind.Summary,
                };
                metrics.Add(new PrometheusMetric(instrument.Name, instrument.Description, kind, [.. instrument.Series.OrderBy(s => s.Hash, StringComparer.Ordinal).Select(series => kind switch
                {
                    PrometheusKind.Gauge => new PrometheusSeries(series.Labels, series.LastValue, 0),
                    PrometheusKind.Counter => new PrometheusSeries(series.Labels, series.Total.Sum, 0),
                    _ => new PrometheusSeries(series.Labels, series.Total.Sum, series.Total.Count),
                })]));
            }
            return metrics;
        }
    }

    /// <summary>Stops listening and the gauge timer.</summary>
    public void Dispose()
    {
        _gaugeTimer.Dispose();
        _listener.Dispose();
    }

    /// <summary>
    /// Reads every observable gauge. The listener runs them all and then throws what any threw (an
    /// AggregateException); on the timer that would end the process, so a gauge that could not be
    /// read (a component stopping, say) keeps its last value until the next read instead.
    /// </summary>
    private void ObserveGauges()
    {
        try
        {
            _listener.RecordObservableInstruments();
        }
        catch (AggregateException)
        {
            // The other gauges were recorded; the failing ones are read again in a second.
        }
    }

    private static MetricKind? KindOf(Instrument instrument) => instrument switch
    {
        Counter<long> or Counter<int> or Counter<double> => MetricKind.Counter,
        Histogram<long> or Histogram<int> or Histogram<double> => MetricKind.Sample,
        ObservableGauge<long> or ObservableGauge<int> or ObservableGauge<double> or Gauge<long> or Gauge<int> or Gauge<double> => MetricKind.Gauge,
        _ => null,
    };

    private void Record(InstrumentState instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        lock (_lock)
        {
            var series = instrument.Find(tags);
            if (series is null) return;
            var interval = CurrentInterval();
            switch (instrument.Kind)
            {
                case MetricKind.Gauge:
                    if (!series.HasValue) _gauges.Add(series);
                    series.HasValue = true;
                    series.LastValue = value;
                    interval.Gauges[series] = value;
                    break;
                case MetricKind.Counter:
                    series.Total.Ingest(value);
                    Ingest(interval.Counters, series, value);
                    break;
                default:
                    series.Total.Ingest(value);
                    Ingest(interval.Samples, series, value);
                    break;
            }
        }
    }

    private static void Ingest(Dictionary<Series, Aggregate> aggregates, Series series, double value)
    {
        if (!aggregates.TryGetValue(series, out var aggregate))
        {
            aggregate = new Aggregate();
            aggregates.Add(series, aggregate);
        }
        aggregate.Ingest(value);
    }

    /// <summary>The interval now falls in, created (and the oldest dropped) when it does not exist yet. Under the lock.</summary>
    private Interval CurrentInterval()
    {
        var now = _time.GetUtcNow().UtcTicks;
        var start = now - now % _interval.Ticks;
        if (_intervals.Count > 0 && _intervals[^1].StartTicks == start) return _intervals[^1];
        var interval = new Interval(start);
        foreach (var gauge in _gauges)
        {
            // A gauge holds its last value until it is set again (memberlist sets its health score only on change).
            interval.Gauges[gauge] = gauge.LastValue;
        }
        _intervals.Add(interval);
        if (_intervals.Count > _intervalsMax) _intervals.RemoveRange(0, _intervals.Count - _intervalsMax);
        return interval;
    }

    private List<SampledValue> Sampled(Dictionary<Series, Aggregate> aggregates)
    {
        var seconds = _interval.TotalSeconds;
        return [.. aggregates.OrderBy(a => a.Key.Hash, StringComparer.Ordinal).Select(a => new SampledValue(
            a.Key.Name, a.Value.Count, a.Value.Sum / seconds, a.Value.Sum, a.Value.Min, a.Value.Max, a.Value.Mean, a.Value.Stddev, a.Key.Labels))];
    }

    private enum MetricKind
    {
        Counter,
        Sample,
        Gauge,
    }

    /// <summary>One interval's aggregates, keyed by series.</summary>
    private sealed class Interval(long startTicks)
    {
        public long StartTicks { get; } = startTicks;
        public Dictionary<Series, double> Gauges { get; } = [];
        public Dictionary<Series, Aggregate> Counters { get; } = [];
        public Dictionary<Series, Aggregate> Samples { get; } = [];
    }

    /// <summary>An instrument the sink listens to and its series (label sets), found without allocating once they exist.</summary>
    private sealed class InstrumentState(string name, string? description, MetricKind kind)
    {
        public string Name { get; } = name;
        public string? Description { get; } = description;
        public MetricKind Kind { get; } = kind;
        public List<Series> Series { get; } = [];

        /// <summary>The series of these tags, created on first sight; null past <see cref="SeriesPerInstrumentMax"/>.</summary>
        public Series? Find(ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            foreach (var series in Series)
            {
                if (series.Matches(tags)) return series;
            }
            if (Series.Count >= SeriesPerInstrumentMax) return null;
            var labels = new KeyValuePair<string, string>[tags.Length];
            var hash = Name;
            for (var i = 0; i < tags.Length; i++)
            {
                labels[i] = new(tags[i].Key, LabelValue(tags[i].Value));
                // go-metrics' series key: name, then ";name=value" per label in order.
                hash += $";{labels[i].Key}={labels[i].Value}";
            }
            var created = new Series(Name, labels, hash);
            Series.Add(created);
            return created;
        }
    }

    private static string LabelValue(object? value) => value as string ?? Convert.ToString(value, CultureInfo.InvariantCulture) ?? "";

    /// <summary>A metric name with one set of labels; its totals since start and its gauge value.</summary>
    private sealed class Series(string name, KeyValuePair<string, string>[] labels, string hash)
    {
        public string Name { get; } = name;
        public KeyValuePair<string, string>[] Labels { get; } = labels;
        public string Hash { get; } = hash;
        public Aggregate Total { get; } = new();
        public double LastValue { get; set; }
        public bool HasValue { get; set; }

        public bool Matches(ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            if (tags.Length != Labels.Length) return false;
            for (var i = 0; i < tags.Length; i++)
            {
                if (!string.Equals(tags[i].Key, Labels[i].Key, StringComparison.Ordinal)) return false;
                if (tags[i].Value is string s ? !string.Equals(s, Labels[i].Value, StringComparison.Ordinal) : LabelValue(tags[i].Value) != Labels[i].Value) return false;
            }
            return true;
        }
    }

    /// <summary>go-metrics' AggregateSample: count, sum, sum of squares, min and max of the values ingested.</summary>
    private sealed class Aggregate
    {
        public long Count { get; private set; }
        public double Sum { get; private set; }
        public double Min { get; private set; }
        public double Max { get; private set; }
        private double _sumOfSquares;

        public double Mean => Count == 0 ? 0 : Sum / Count;

        /// <summary>The sample standard deviation, computed from the sums as go-metrics does; 0 below two values.</summary>
        public double Stddev
        {
            get
            {
                var divisor = (double)Count * (Count - 1);
                if (divisor == 0) return 0;
                var variance = ((Count * _sumOfSquares) - (Sum * Sum)) / divisor;
                return variance > 0 ? Math.Sqrt(variance) : 0;
            }
        }

        public void Ingest(double value)
        {
            Count++;
            Sum += value;
            _sumOfSquares += value * value;
            if (Count == 1 || value < Min) Min = value;
            if (Count == 1 || value > Max) Max = value;
        }
    }
}
