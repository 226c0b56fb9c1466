namespace Praetor.Agent.Events;

/// <summary>
/// The user events this agent received and acted on, as Consul's agent keeps them (eventBuf): the
/// newest <see cref="Capacity"/> (256), oldest first. Each event added raises <see cref="EventStoreView.Index"/>
/// by one — a local, monotonic count that says whether anything arrived since a view was taken —
/// and completes the view's <see cref="EventStoreView.Changed"/> task, which blocking lists await.
/// Thread-safe.
/// </summary>
public sealed class EventStore
{
    public const int DefaultCapacity = 256;

    private readonly Lock _lock = new();
    private readonly UserEvent[] _ring;
    private int _next;
    private int _count;
    private ulong _index;
    private TaskCompletionSource _changed = NewSignal();

    public EventStore(int capacity = DefaultCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _ring = new UserEvent[capacity];
    }

    public int Capacity => _ring.Length;

    public void Add(UserEvent userEvent)
    {
        ArgumentNullException.ThrowIfNull(userEvent);
        TaskCompletionSource fired;
        lock (_lock)
        {
            _ring[_next] = userEvent;
            _next = (_next + 1) % _ring.Length;
            _count = Math.Min(_count + 1, _ring.Length);
            _index++;
            fired = _changed;
            _changed = NewSignal();
        }
        // Outside the lock: waiters resume on the thread pool (RunContinuationsAsynchronously) anyway.
        fired.TrySetResult();
    }

    /// <summary>The events held now, oldest first, with the index and a task that completes at the next <see cref="Add"/>.</summary>
    public EventStoreView View()
    {
        lock (_lock)
        {
            var events = new UserEvent[_count];
            var start = (_next - _count + _ring.Length) % _ring.Length;
            for (var i = 0; i < _count; i++)
            {
                events[i] = _ring[(start + i) % _ring.Length];
            }
            return new EventStoreView(_index, events, _changed.Task);
        }
    }

    /// <summary>The newest event, or null before the first (Consul's LastUserEvent).</summary>
    public UserEvent? Last()
    {
        lock (_lock)
        {
            return _count == 0 ? null : _ring[(_next - 1 + _ring.Length) % _ring.Length];
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>What <see cref="EventStore.View"/> saw: the count of events ever added, the events held (oldest first), and a task completed by the next one.</summary>
public readonly record struct EventStoreView(ulong Index, IReadOnlyList<UserEvent> Events, Task Changed);
