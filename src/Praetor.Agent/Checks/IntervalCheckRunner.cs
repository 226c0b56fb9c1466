namespace Praetor.Agent.Checks;

/// <summary>
/// A check that runs every <see cref="Interval"/> (script, HTTP, TCP), each on its own loop so
/// that a slow or hanging check never delays another one.
/// </summary>
public abstract class IntervalCheckRunner : CheckRunner
{
    /// <summary>Consul clamps shorter intervals to this (checks.MinInterval).</summary>
    public static readonly TimeSpan MinInterval = TimeSpan.FromSeconds(1);

    /// <summary>How long one run may take when the definition gives no timeout.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Consul staggers the first run randomly within the interval so that checks registered
    /// together don't all fire together; we bound the stagger so a new check reports promptly.
    /// </summary>
    private static readonly TimeSpan MaxFirstRunStagger = TimeSpan.FromSeconds(1);

    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _gate = new();
    private Task? _loop;
    private bool _disposed;

    protected IntervalCheckRunner(string checkId, TimeSpan interval, TimeSpan timeout, ICheckStatusSink sink, TimeProvider time)
        : base(checkId, sink)
    {
        ArgumentNullException.ThrowIfNull(time);
        if (interval <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(interval), interval, "Interval must be > 0 for script, HTTP and TCP checks.");
        }
        Interval = interval < MinInterval ? MinInterval : interval;
        Timeout = timeout > TimeSpan.Zero ? timeout : DefaultTimeout;
        Time = time;
    }

    /// <summary>The time between the end of one run and the start of the next (at least <see cref="MinInterval"/>).</summary>
    public TimeSpan Interval { get; }

    /// <summary>How long one run may take before it counts as critical.</summary>
    public TimeSpan Timeout { get; }

    protected TimeProvider Time { get; }

    public sealed override void Start()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            // Task.Run: the first await may come late in RunOnceAsync, and Start must not run a check inline.
            _loop ??= Task.Run(() => RunLoopAsync(_stopping.Token));
        }
    }

    /// <summary>
    /// Runs the check once. Must not throw for a failing check (that is a critical result); may
    /// throw <see cref="OperationCanceledException"/> when <paramref name="stopping"/> fires.
    /// </summary>
    protected abstract Task<CheckResult> RunOnceAsync(CancellationToken stopping);

    protected override async ValueTask DisposeAsyncCore()
    {
        Task? loop;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }
            _disposed = true;
            loop = _loop;
        }
        await _stopping.CancelAsync();
        if (loop is not null)
        {
            // The loop ends only by cancellation and swallows it; awaiting it here is what
            // guarantees no report after DisposeAsync returns.
            await loop;
        }
        _stopping.Dispose();
    }

    private async Task RunLoopAsync(CancellationToken stopping)
    {
        try
        {
            var stagger = TimeSpan.FromTicks((long)(Random.Shared.NextDouble() * Math.Min(Interval.Ticks, MaxFirstRunStagger.Ticks)));
            await Task.Delay(stagger, Time, stopping);
            while (true)
            {
                CheckResult result;
                try
                {
                    result = await RunOnceAsync(stopping);
                }
                catch (Exception e) when (e is not OperationCanceledException || !stopping.IsCancellationRequested)
                {
                    // A bug in one run must not end the check's loop for good: report it and go on.
                    result = new CheckResult(State.Catalog.HealthStatus.Critical, e.Message);
                }
                stopping.ThrowIfCancellationRequested();
                Sink.Update(CheckId, result.Status, result.Output);
                // Consul waits a full interval after each run ends, so a slow check never overlaps itself.
                await Task.Delay(Interval, Time, stopping);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
    }
}
