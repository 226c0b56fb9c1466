using System.Text;
using Praetor.Agent.Endpoints;
using Praetor.Gossip;

namespace Praetor.Agent.Events;

/// <summary>
/// The user event endpoints (Consul's EventFire and EventList). Fire checks the event as Consul
/// does, gives it a random UUID and sends it on the LAN pool as the Serf user event
/// <c>consul:event:NAME</c>; every agent (this one included, when the pool hands its own event
/// back) then filters and stores it through an <see cref="EventReceiver"/>. List answers this
/// agent's stored events, optionally of one name, as a blocking query whose index is Consul's
/// UUID-derived one (<see cref="UserEvent.IdToIndex"/>): it waits while that index equals the
/// client's.
/// </summary>
public sealed class EventEndpoint
{
    /// <summary>Serf's default limit on a user event's name plus payload (UserEventSizeLimit), which Consul leaves as is.</summary>
    public const int DefaultUserEventSizeLimit = 512;

    /// <summary>Serf's ceiling for any configured limit.</summary>
    public const int UserEventSizeCeiling = 9 * 1024;

    private readonly Func<ISerfPool?> _pool;
    private readonly EventReceiver? _localDelivery;
    private readonly TimeProvider _time;
    private readonly TimeSpan _maxQueryTime;
    private long _localClock;

    /// <param name="pool">The LAN pool, or null while there is none.</param>
    /// <param name="store">The events this agent received.</param>
    /// <param name="localDelivery">Without a pool, fired events are delivered here directly (a cluster of one); without either, firing fails.</param>
    /// <param name="maxQueryTime">The longest a blocking list waits, and how long it waits when the client gives no wait (Consul: 10 minutes).</param>
    /// <param name="userEventSizeLimit">The pool's user event size limit, checked before the pool is asked.</param>
    public EventEndpoint(
        Func<ISerfPool?> pool,
        EventStore store,
        EventReceiver? localDelivery = null,
        TimeProvider? time = null,
        TimeSpan? maxQueryTime = null,
        int userEventSizeLimit = DefaultUserEventSizeLimit)
    {
        ArgumentNullException.ThrowIfNull(pool);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentOutOfRangeException.ThrowIfLessThan(userEventSizeLimit, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(userEventSizeLimit, UserEventSizeCeiling);
        _pool = pool;
        Store = store;
        _localDelivery = localDelivery;
        _time = time ?? TimeProvider.System;
        _maxQueryTime = maxQueryTime ?? TimeSpan.FromMinutes(10);
        UserEventSizeLimit = userEventSizeLimit;
    }

    public EventStore Store { get; }

    public int UserEventSizeLimit { get; }

    /// <summary>
    /// Fires a user event; returns it as Consul answers (ID and Version set, LTime 0). Refuses with
    /// <see cref="EndpointException"/> (bad request) a missing name, a tag filter without a service
    /// filter or a filter that does not compile, with <see cref="UserEventTooLargeException"/> an
    /// event over the size limit, and fails (500) when there is no pool to send it on.
    /// </summary>
    public UserEvent Fire(string name, byte[]? payload, string nodeFilter = "", string serviceFilter = "", string tagFilter = "")
    {
        var userEvent = new UserEvent
        {
            Id = Guid.NewGuid().ToString("D"),
            Name = name ?? "",
            Payload = payload is { Length: > 0 } ? payload : null,
            NodeFilter = nodeFilter ?? "",
            ServiceFilter = serviceFilter ?? "",
            TagFilter = tagFilter ?? "",
            Version = UserEvent.MaxVersion,
        };
        if (UserEventFilter.Validate(userEvent) is { } invalid)
        {
            throw EndpointException.BadRequest(invalid);
        }
        var serfName = UserEventCodec.SerfName(userEvent.Name);
        var encoded = UserEventCodec.Encode(userEvent);
        // Serf counts the name and the payload as sent: Consul's prefix and encoding included.
        var size = Encoding.UTF8.GetByteCount(serfName) + encoded.Length;
        if (size > UserEventSizeLimit)
        {
            throw new UserEventTooLargeException(
                $"user event exceeds configured limit of {UserEventSizeLimit} bytes before encoding " +
                $"(name and payload take {size} bytes with Consul's encoding of the event)");
        }
        var pool = _pool();
        if (pool is not null)
        {
            try
            {
                pool.FireUserEvent(serfName, encoded, coalesce: false);
            }
            catch (GossipException e) when (e.Message.Contains("exceeds", StringComparison.Ordinal))
            {
                throw new UserEventTooLargeException(e.Message);
            }
            catch (GossipException e)
            {
                throw new EndpointException(EndpointErrorKind.Failed, e.Message);
            }
        }
        else if (_localDelivery is not null)
        {
            _localDelivery.Receive(userEvent with { LTime = (ulong)Interlocked.Increment(ref _localClock) });
        }
        else
        {
            throw new EndpointException(EndpointErrorKind.Failed, "Cannot fire user event: the agent is not in a gossip pool");
        }
        return userEvent;
    }

    /// <summary>
    /// The stored events (oldest first), those named <paramref name="nameFilter"/> when given, and
    /// Consul's index for them: 1 when there are none, else the newest one's
    /// <see cref="UserEvent.IdToIndex"/>. With <paramref name="minIndex"/> above zero, waits while
    /// the index equals it, up to <paramref name="wait"/> (zero or over the maximum: the maximum).
    /// </summary>
    public async Task<EventList> ListAsync(string? nameFilter, ulong minIndex, TimeSpan wait, CancellationToken cancellationToken)
    {
        var view = Store.View();
        var result = Select(view, nameFilter);
        if (minIndex == 0 || result.Index != minIndex)
        {
            return result;
        }
        if (wait <= TimeSpan.Zero || wait > _maxQueryTime)
        {
            wait = _maxQueryTime;
        }
        var deadline = _time.GetTimestamp() + (long)(wait.TotalSeconds * _time.TimestampFrequency);
        while (true)
        {
            var remaining = _time.GetElapsedTime(_time.GetTimestamp(), deadline);
            if (remaining <= TimeSpan.Zero)
            {
                return result;
            }
            try
            {
                await view.Changed.WaitAsync(remaining, _time, cancellationToken);
            }
            catch (TimeoutException)
            {
                return result;
            }
            view = Store.View();
            result = Select(view, nameFilter);
            if (result.Index != minIndex)
            {
                return result;
            }
        }
    }

    private static EventList Select(EventStoreView view, string? nameFilter)
    {
        IReadOnlyList<UserEvent> events = view.Events;
        if (!string.IsNullOrEmpty(nameFilter))
        {
            var named = new List<UserEvent>();
            foreach (var userEvent in view.Events)
            {
                if (userEvent.Name == nameFilter)
                {
                    named.Add(userEvent);
                }
            }
            events = named;
        }
        // Consul never answers index 0: an empty list says 1, so a watch does not spin.
        var index = events.Count == 0 ? 1 : Math.Max(UserEvent.IdToIndex(events[^1].Id), 1);
        return new EventList(events, index);
    }
}

/// <summary>An event list answer: the events, oldest first, and the X-Consul-Index for them.</summary>
public readonly record struct EventList(IReadOnlyList<UserEvent> Events, ulong Index);

/// <summary>A user event over the gossip pool's size limit; the message is Serf's.</summary>
public sealed class UserEventTooLargeException(string message) : Exception(message);
