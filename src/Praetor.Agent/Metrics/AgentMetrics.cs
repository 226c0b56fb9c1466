using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Praetor.Agent.Metrics;

/// <summary>
/// The instruments of the agent library (meter <see cref="MeterName"/>), under Consul's names:
/// the server's KV and transaction applies and reads as samples in milliseconds, check results as a
/// counter, and the LAN members by role as gauges (Consul's usage metrics, reported by servers).
/// </summary>
public sealed class AgentMetrics
{
    /// <summary>The meter of the agent library's instruments.</summary>
    public const string MeterName = "Praetor.Agent";

    /// <summary>Creates the instruments on the meter of <paramref name="meters"/>.</summary>
    public AgentMetrics(IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(meters);
        Meter = meters.Create(new MeterOptions(MeterName));
        KvsApply = Meter.CreateHistogram<double>("consul.kvs.apply", "ms", "time to apply a KV write (KVS.Apply)");
        TxnApply = Meter.CreateHistogram<double>("consul.txn.apply", "ms", "time to apply a transaction that writes (Txn.Apply)");
        TxnRead = Meter.CreateHistogram<double>("consul.txn.read", "ms", "time to run a read-only transaction (Txn.Read)");
        CheckUpdates = Meter.CreateCounter<long>("consul.agent.check.updates", "{result}", "check results reported (runs, TTL updates), by status");
    }

    /// <summary>The agent library's meter, for instruments owned elsewhere in it (gauges over agent state).</summary>
    public Meter Meter { get; }

    /// <summary><c>consul.kvs.apply</c>: a KV write (single key), from the request to its result.</summary>
    public Histogram<double> KvsApply { get; }

    /// <summary><c>consul.txn.apply</c>: a transaction through the log.</summary>
    public Histogram<double> TxnApply { get; }

    /// <summary><c>consul.txn.read</c>: a read-only transaction on a snapshot.</summary>
    public Histogram<double> TxnRead { get; }

    /// <summary>
    /// <c>consul.agent.check.updates</c> (Praetor's; Consul has no such metric): every result a
    /// check reports — a script, HTTP, TCP or alias run, a TTL update — labelled <c>status</c>.
    /// </summary>
    public Counter<long> CheckUpdates { get; }

    /// <summary>Milliseconds since <paramref name="startTimestamp"/> (a <see cref="Stopwatch.GetTimestamp"/>), as go-metrics' MeasureSince reports.</summary>
    public static double MillisecondsSince(long startTimestamp) => Stopwatch.GetElapsedTime(startTimestamp).TotalMilliseconds;
}
