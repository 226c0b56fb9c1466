using System.Collections.Concurrent;

namespace Praetor.State.Sessions;

/// <summary>
/// Consul's lock-delay: when a session ends, each key it held locked cannot be acquired again
/// for the session's <see cref="Session.LockDelay"/>, so a holder that lost its session has time
/// to notice before another takes over. Like Consul's, this is each server's own in-memory note,
/// taken when the server applies the session's end and checked where an acquire is proposed; it
/// is not replicated and does not survive a restart. Thread-safe.
/// </summary>
public sealed class LockDelays(TimeProvider time)
{
    private readonly ConcurrentDictionary<string, DateTimeOffset> _expires = new(StringComparer.Ordinal);

    /// <summary>Holds <paramref name="key"/> until <paramref name="delay"/> from now (a zero delay does nothing).</summary>
    internal void Set(string key, TimeSpan delay)
    {
        if (delay > TimeSpan.Zero)
        {
            var until = time.GetUtcNow() + delay;
            _expires.AddOrUpdate(key, until, (_, current) => current > until ? current : until);
        }
    }

    /// <summary>Whether <paramref name="key"/> is still within a lock-delay (an expired note is dropped).</summary>
    public bool IsDelayed(string key)
    {
        if (!_expires.TryGetValue(key, out var until))
        {
            return false;
        }
        if (until > time.GetUtcNow())
        {
            return true;
        }
        _expires.TryRemove(KeyValuePair.Create(key, until));
        return false;
    }
}
