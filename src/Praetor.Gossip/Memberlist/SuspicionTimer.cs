namespace Praetor.Gossip.Memberlist;

/// <summary>
/// Lifeguard's dynamic suspicion timeout (memberlist suspicion.go), as data: the deadline starts
/// at <see cref="Max"/> and shrinks log-scaled toward <see cref="Min"/> as up to <see cref="K"/>
/// independent members confirm the suspicion. The core checks <see cref="Deadline"/> on each tick.
/// </summary>
public sealed class SuspicionTimer
{
    private readonly HashSet<string> _confirmations = new(StringComparer.Ordinal);

    /// <param name="from">The first accuser; it does not count as a confirmation.</param>
    /// <param name="k">Confirmations that bring the timeout down to <paramref name="min"/>; below 1 the timeout is <paramref name="min"/> from the start.</param>
    /// <param name="stateChange">The suspected member's state-change time the timer belongs to.</param>
    public SuspicionTimer(string from, int k, TimeSpan min, TimeSpan max, TimeSpan start, TimeSpan stateChange)
    {
        K = k;
        Min = min;
        Max = max;
        Start = start;
        StateChange = stateChange;
        _confirmations.Add(from);
        Deadline = start + (k < 1 ? min : max);
    }

    /// <summary>Independent confirmations wanted before the timeout reaches <see cref="Min"/>.</summary>
    public int K { get; }

    /// <summary>Confirmations counted so far (the first accuser excluded).</summary>
    public int Confirmations { get; private set; }

    /// <summary>The shortest timeout, reached after <see cref="K"/> confirmations.</summary>
    public TimeSpan Min { get; }

    /// <summary>The timeout with no confirmations.</summary>
    public TimeSpan Max { get; }

    /// <summary>When the suspicion started.</summary>
    public TimeSpan Start { get; }

    /// <summary>The member's StateChange when it became suspect; a fired timer only acts if it is unchanged.</summary>
    public TimeSpan StateChange { get; }

    /// <summary>When the suspected member is declared dead, unless refuted first.</summary>
    public TimeSpan Deadline { get; private set; }

    /// <summary>Set once the deadline has been acted on (a timer fires once).</summary>
    public bool Fired { get; internal set; }

    /// <summary>
    /// Records a confirmation by <paramref name="from"/>. True when it was new (the caller then
    /// re-gossips the suspicion); false for a repeat accuser or once <see cref="K"/> is reached.
    /// </summary>
    public bool Confirm(string from)
    {
        if (Confirmations >= K) return false;
        if (!_confirmations.Add(from)) return false;
        Confirmations++;
        if (!Fired) Deadline = Start + Timeout(Confirmations, K, Min, Max);
        return true;
    }

    /// <summary>
    /// The total timeout after <paramref name="n"/> of <paramref name="k"/> confirmations:
    /// max − (max − min) × log(n+1)/log(k+1), floored to milliseconds, never below min (suspicion.go remainingSuspicionTime).
    /// </summary>
    public static TimeSpan Timeout(int n, int k, TimeSpan min, TimeSpan max)
    {
        var fraction = Math.Log(n + 1.0) / Math.Log(k + 1.0);
        var rawSeconds = max.TotalSeconds - fraction * (max.TotalSeconds - min.TotalSeconds);
        var timeout = TimeSpan.FromMilliseconds(Math.Floor(1000.0 * rawSeconds));
        return timeout < min ? min : timeout;
    }

    /// <summary>The minimum suspicion timeout: mult × max(1, log10(max(1, n))) × interval (util.go suspicionTimeout).</summary>
    public static TimeSpan MinTimeout(int suspicionMult, int numMembers, TimeSpan probeInterval)
    {
        var nodeScale = Math.Max(1.0, Math.Log10(Math.Max(1.0, numMembers)));
        // memberlist truncates the scale to milliseconds before multiplying.
        return TimeSpan.FromTicks(suspicionMult * (long)(nodeScale * 1000) * probeInterval.Ticks / 1000);
    }
}
