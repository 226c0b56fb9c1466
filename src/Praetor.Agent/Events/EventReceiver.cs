using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Praetor.Gossip.Serf;
using Praetor.State.Catalog;

namespace Praetor.Agent.Events;

/// <summary>
/// Where the agent hands the events its LAN pool delivers (Consul's handleEvents and
/// ingestUserEvent). <see cref="Deliver"/> never blocks:
/// <list type="bullet">
/// <item>a Serf user event <c>consul:event:NAME</c> is decoded; when this agent passes its node,
/// service and tag filters it goes into the <see cref="Store"/> (for <c>/v1/event/list</c>) and to
/// the handlers as user event NAME with the user's payload — except <c>_rexec</c> (remote exec),
/// which is neither stored nor handled but given to <see cref="RemoteExec"/> when remote exec is
/// enabled (<c>disable_remote_exec</c> false), else logged at debug and dropped;</item>
/// <item>other <c>consul:</c> events are Consul's own and ignored;</item>
/// <item>any other user event (from a plain <c>serf event</c>) and every member event go to the
/// handlers as Serf's agent would give them, through its coalescing (<see cref="HandlerCoalescer"/>);
/// queries are not handled.</item>
/// </list>
/// </summary>
public sealed class EventReceiver : IDisposable
{
    private readonly Func<string> _nodeName;
    private readonly Func<IReadOnlyList<ServiceInstance>> _services;
    private readonly ILogger _log;
    private readonly RemoteExec? _remoteExec;
    private readonly Func<bool> _remoteExecEnabled;
    private readonly CancellationToken _stopping;
    private readonly HandlerCoalescer? _coalescer;
    private long _malformed;

    /// <param name="store">Where accepted user events are kept.</param>
    /// <param name="nodeName">This agent's node name, for node filters.</param>
    /// <param name="services">This agent's own services (LocalState), for service and tag filters.</param>
    /// <param name="handlers">The handler scripts, or null when none are configured.</param>
    /// <param name="remoteExec">Runs <c>_rexec</c> jobs; null drops them as when disabled.</param>
    /// <param name="remoteExecEnabled">Read per event: whether remote exec is enabled (not <c>disable_remote_exec</c>).</param>
    /// <param name="time">The clock of the handlers' coalescing.</param>
    /// <param name="stopping">Ends running remote exec jobs (the agent's shutdown).</param>
    public EventReceiver(EventStore store, Func<string> nodeName, Func<IReadOnlyList<ServiceInstance>> services, EventHandlers? handlers = null, ILogger? log = null,
        RemoteExec? remoteExec = null, Func<bool>? remoteExecEnabled = null, TimeProvider? time = null, CancellationToken stopping = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(nodeName);
        ArgumentNullException.ThrowIfNull(services);
        Store = store;
        _nodeName = nodeName;
        _services = services;
        Handlers = handlers;
        _log = log ?? NullLogger.Instance;
        _remoteExec = remoteExec;
        _remoteExecEnabled = remoteExecEnabled ?? (() => remoteExec is not null);
        _stopping = stopping;
        _coalescer = handlers is null ? null : new HandlerCoalescer(handlers, time);
    }

    public EventStore Store { get; }

    public EventHandlers? Handlers { get; }

    /// <summary>Consul user events that could not be decoded and were dropped.</summary>
    public long Malformed => Interlocked.Read(ref _malformed);

    /// <summary>Routes one event from the pool; see the class summary.</summary>
    public void Deliver(SerfEvent serfEvent)
    {
        ArgumentNullException.ThrowIfNull(serfEvent);
        switch (serfEvent)
        {
            case SerfUserEvent user when UserEventCodec.UserEventName(user.Name) is not null:
                if (!UserEventCodec.TryDecode(user.Payload ?? [], user.LTime, out var decoded, out var error))
                {
                    Interlocked.Increment(ref _malformed);
                    _log.LogError("agent: Failed to decode event: {Error}", error);
                    return;
                }
                Receive(decoded!);
                break;
            case SerfUserEvent user when user.Name.StartsWith(UserEventCodec.ConsulPrefix, StringComparison.Ordinal):
                break;
            case SerfUserEvent or SerfMemberEvent:
                _coalescer?.Add(serfEvent);
                break;
        }
    }

    /// <summary>Applies this agent's filters to a decoded user event and ingests it when it passes; true when ingested (or a remote exec job was started).</summary>
    public bool Receive(UserEvent userEvent)
    {
        ArgumentNullException.ThrowIfNull(userEvent);
        if (userEvent.Version > UserEvent.MaxVersion)
        {
            _log.LogWarning("agent: Event version {Version} may have unsupported features ({Name})", userEvent.Version, userEvent.Name);
        }
        if (!UserEventFilter.Matches(userEvent, _nodeName(), _services()))
        {
            return false;
        }
        if (userEvent.Name == UserEvent.RemoteExecName)
        {
            if (_remoteExec is null || !_remoteExecEnabled())
            {
                if (_log.IsEnabled(LogLevel.Debug))
                {
                    _log.LogDebug("agent: ignoring remote exec event ({Id}), disabled", userEvent.Id);
                }
                return false;
            }
            // Off the pool's event loop: the job runs as long as it runs.
            _ = Task.Run(() => _remoteExec.RunAsync(userEvent, _stopping), CancellationToken.None);
            return true;
        }
        if (_log.IsEnabled(LogLevel.Debug))
        {
            _log.LogDebug("agent: new event: {Name} ({Id})", userEvent.Name, userEvent.Id);
        }
        Store.Add(userEvent);
        Handlers?.Dispatch(HandlerEvent.User(userEvent.Name, userEvent.LTime, userEvent.Payload));
        return true;
    }

    /// <summary>Stops the handlers' coalescing; what it holds is dropped.</summary>
    public void Dispose() => _coalescer?.Dispose();
}
