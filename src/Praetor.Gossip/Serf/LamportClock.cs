namespace Praetor.Gossip.Serf;

/// <summary>
/// A Lamport clock as Serf's (serf/lamport.go): <see cref="Increment"/> for a local event,
/// <see cref="Witness"/> for a time seen in a message, after which the clock is past it. Serf keeps
/// three: member status intents, user events and queries. Lock-free, so a host may read
/// <see cref="Time"/> from another thread while the core advances it.
/// </summary>
public sealed class LamportClock
{
    private ulong _counter;

    public LamportClock(ulong start = 0) => _counter = start;

    /// <summary>The current value.</summary>
    public ulong Time => Interlocked.Read(ref _counter);

    /// <summary>Advances the clock by one and returns the new value.</summary>
    public ulong Increment() => Interlocked.Increment(ref _counter);

    /// <summary>
    /// Takes in a time seen elsewhere: a value below ours changes nothing; otherwise the clock
    /// moves to one past it, so anything we stamp next orders after what we saw.
    /// </summary>
    public void Witness(ulong seen)
    {
        while (true)
        {
            var current = Interlocked.Read(ref _counter);
            if (seen < current) return;
            if (Interlocked.CompareExchange(ref _counter, seen + 1, current) == current) return;
        }
    }
}
