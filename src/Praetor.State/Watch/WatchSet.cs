namespace Praetor.State.Watch;

/// <summary>
/// What one blocking query read, as a set of watches that fire together: the query registers
/// every key and prefix it reads <em>before</em> reading the snapshot (so no change between the
/// read and the wait is missed), then awaits <see cref="Fired"/>. Disposing unregisters them.
/// </summary>
public sealed class WatchSet : IDisposable
{
    private readonly TaskCompletionSource _fired = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<(KeyWatchRegistry Registry, string Key, bool IsPrefix)> _registrations = [];

    /// <summary>Completes when anything watched changes.</summary>
    public Task Fired => _fired.Task;

    internal void Fire() => _fired.TrySetResult();

    internal void Track(KeyWatchRegistry registry, string key, bool isPrefix)
    {
        lock (_registrations)
        {
            _registrations.Add((registry, key, isPrefix));
        }
    }

    public void Dispose()
    {
        lock (_registrations)
        {
            foreach (var (registry, key, isPrefix) in _registrations)
            {
                registry.Remove(this, key, isPrefix);
            }
            _registrations.Clear();
        }
    }
}
