using System.Diagnostics;
using Praetor.Gossip.Serf;

namespace Praetor.Agent.Events;

/// <summary>
/// What Serf's agent puts between its pool and its handler scripts: member events, and user
/// events marked coalescable (a plain <c>serf event</c> without <c>-coalesce=false</c>), are
/// coalesced as <see cref="SerfOptions.Agent"/> says — held from the first for at most 3 s, or
/// until 1 s passes without another — so a burst of joins or failures runs each script once,
/// with every member on stdin, and only a member's latest change. Everything else passes at once.
/// Only the handlers wait: the rest of the agent (catalog reconciliation, <c>/v1/event/list</c>)
/// takes each event as the pool delivers it, as Consul's does. Events held when this is disposed
/// are dropped (the handlers are stopping too).
/// </summary>
public sealed class HandlerCoalescer : IDisposable
{
    private readonly EventHandlers _handlers;
    private readonly TimeProvider _time;
    private readonly long _origin;
    private readonly EventCoalescer _coalescer;
    private readonly ITimer _timer;
    private readonly Lock _gate = new();
    private readonly List<SerfEvent> _released = [];
    private bool _disposed;

    public HandlerCoalescer(EventHandlers handlers, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(handlers);
        _handlers = handlers;
        _time = time ?? TimeProvider.System;
        _origin = _time.GetTimestamp();
        var agent = SerfOptions.Agent();
        _coalescer = new EventCoalescer(agent.CoalescePeriod, agent.QuiescentPeriod, agent.UserCoalescePeriod, agent.UserQuiescentPeriod);
        _timer = _time.CreateTimer(_ => Flush(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    private TimeSpan Now => _time.GetElapsedTime(_origin);

    /// <summary>Takes a member event or a plain user event for the handlers; never blocks.</summary>
    public void Add(SerfEvent serfEvent)
    {
        ArgumentNullException.ThrowIfNull(serfEvent);
        if (serfEvent is not (SerfMemberEvent or SerfUserEvent))
        {
            throw new ArgumentException($"handlers take member and user events, not {serfEvent.GetType().Name}", nameof(serfEvent));
        }
        lock (_gate)
        {
            if (_disposed) return;
            _coalescer.Add(serfEvent, Now, _released);
            Release();
        }
    }

    private void Flush()
    {
        lock (_gate)
        {
            if (_disposed) return;
            _coalescer.Flush(Now, _released);
            Release();
        }
    }

    // Under the gate: dispatches what the coalescer let go, in order, and arms the timer for its next flush.
    private void Release()
    {
        foreach (var serfEvent in _released)
        {
            _handlers.Dispatch(serfEvent switch
            {
                SerfMemberEvent member => HandlerEvent.Member(member),
                SerfUserEvent user => HandlerEvent.User(user.Name, user.LTime, user.Payload),
                _ => throw new UnreachableException(),
            });
        }
        _released.Clear();
        var due = _coalescer.NextFlushAt is { } at ? TimeSpan.FromTicks(Math.Max(0, (at - Now).Ticks)) : Timeout.InfiniteTimeSpan;
        _timer.Change(due, Timeout.InfiniteTimeSpan);
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
        }
        _timer.Dispose();
    }
}
