namespace Praetor.Gossip.Memberlist;

/// <summary>
/// Lifeguard's local health awareness (memberlist awareness.go): a score that rises when this
/// node shows signs of being the slow one — probes whose helpers did not even send a nack, having
/// to refute a suspicion of itself — and falls with every probe that gets its ack. The score
/// stretches the probe interval and ack deadline, so a starved node accuses others less eagerly.
/// </summary>
public sealed class LocalHealthAwareness
{
    /// <param name="maxMultiplier">The score stays within 0..maxMultiplier-1; timeouts scale by up to maxMultiplier.</param>
    public LocalHealthAwareness(int maxMultiplier)
    {
        if (maxMultiplier < 1) throw new ArgumentOutOfRangeException(nameof(maxMultiplier), maxMultiplier, "must be at least 1");
        MaxMultiplier = maxMultiplier;
    }

    /// <summary>The score's ceiling plus one (AwarenessMaxMultiplier).</summary>
    public int MaxMultiplier { get; }

    /// <summary>0 is healthy; higher means this node has recently looked slow.</summary>
    public int Score { get; private set; }

    /// <summary>Adds <paramref name="delta"/>, clamped to 0..MaxMultiplier-1.</summary>
    public void ApplyDelta(int delta) => Score = Math.Clamp(Score + delta, 0, MaxMultiplier - 1);

    /// <summary><paramref name="timeout"/> × (score + 1).</summary>
    public TimeSpan ScaleTimeout(TimeSpan timeout) => timeout * (Score + 1);
}
