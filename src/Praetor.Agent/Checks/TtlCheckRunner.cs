using System.Text;
using Praetor.Agent.Definitions;
using Praetor.State.Catalog;

namespace Praetor.Agent.Checks;

/// <summary>
/// Consul's TTL check (CheckTTL): nothing runs; the service reports its own state through
/// check pass/warn/fail/update, each of which re-arms the TTL. When the TTL runs out without
/// an update the check turns critical with <c>TTL expired</c> (and the last output, as Consul).
/// </summary>
public sealed class TtlCheckRunner : CheckRunner
{
    private readonly string _initialStatus;
    private readonly int _outputMaxSizeBytes;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private ITimer? _timer;
    private string _lastOutput = "";
    // Bumped by every arming, so an expiry that was already firing when an update re-armed the
    // TTL sees it is stale and reports nothing.
    private long _generation;
    private bool _started;
    private bool _disposed;

    public TtlCheckRunner(string checkId, CheckDefinition definition, ICheckStatusSink sink, TimeProvider time)
        : base(checkId, sink)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(time);
        if (definition.Ttl <= TimeSpan.Zero)
        {
            throw new ArgumentException("A TTL check needs a TTL > 0.", nameof(definition));
        }
        if (definition.InitialStatus.Length > 0 && !HealthStatus.IsCheckStatus(definition.InitialStatus))
        {
            throw new ArgumentException($"Invalid initial status \"{definition.InitialStatus}\": must be passing, warning or critical.", nameof(definition));
        }
        Ttl = definition.Ttl;
        _initialStatus = definition.InitialStatus.Length > 0 ? definition.InitialStatus : HealthStatus.Critical;
        _outputMaxSizeBytes = definition.OutputMaxSizeBytes > 0 ? definition.OutputMaxSizeBytes : CheckOutput.MaxSizeBytes;
        _time = time;
    }

    public TimeSpan Ttl { get; }

    /// <summary>Reports the initial status (critical unless the definition says otherwise) and arms the TTL.</summary>
    public override void Start()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_started)
            {
                return;
            }
            _started = true;
            Sink.Update(CheckId, _initialStatus, "");
            ArmTimer();
        }
    }

    /// <summary>
    /// A status from the service (pass/warn/fail/update): reported through the sink, and the
    /// TTL starts again. Output longer than <c>OutputMaxSizeBytes</c> is cut, as Consul does.
    /// Returns the output as stored.
    /// </summary>
    public string SetStatus(string status, string output)
    {
        if (!HealthStatus.IsCheckStatus(status))
        {
            throw new ArgumentException($"Invalid status \"{status}\": must be passing, warning or critical.", nameof(status));
        }
        output = BoundOutput(output ?? "");
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _lastOutput = output;
            Sink.Update(CheckId, status, output);
            // An update before Start is reported; the TTL begins at Start.
            if (_started)
            {
                ArmTimer();
            }
        }
        return output;
    }

    protected override async ValueTask DisposeAsyncCore()
    {
        ITimer? timer;
        lock (_gate)
        {
            _disposed = true;
            timer = _timer;
            _timer = null;
        }
        if (timer is not null)
        {
            await timer.DisposeAsync();
        }
    }

    /// <summary>Called with the lock held.</summary>
    private void ArmTimer()
    {
        _timer?.Dispose();
        var generation = ++_generation;
        _timer = _time.CreateTimer(_ => OnTtlExpired(generation), null, Ttl, System.Threading.Timeout.InfiniteTimeSpan);
    }

    private void OnTtlExpired(long generation)
    {
        lock (_gate)
        {
            if (_disposed || generation != _generation)
            {
                return;
            }
            Sink.Update(CheckId, HealthStatus.Critical, _lastOutput.Length == 0
                ? "TTL expired"
                : $"TTL expired (last output before timeout follows): {_lastOutput}");
        }
    }

    /// <summary>Consul's CheckTTL.SetStatus cut: the first max bytes, then <c> ... (captured N of M bytes)</c>.</summary>
    private string BoundOutput(string output)
    {
        var total = Encoding.UTF8.GetByteCount(output);
        if (total <= _outputMaxSizeBytes)
        {
            return output;
        }
        var bytes = Encoding.UTF8.GetBytes(output);
        var cut = _outputMaxSizeBytes;
        // Don't split a character: back up to the start of the one the cut falls in.
        while (cut > 0 && (bytes[cut] & 0xC0) == 0x80)
        {
            cut--;
        }
        return $"{Encoding.UTF8.GetString(bytes, 0, cut)} ... (captured {_outputMaxSizeBytes} of {total} bytes)";
    }
}
