namespace Praetor.Gossip.Serf;

/// <summary>What Serf does with an incoming user event or query (serf.go handleUserEvent / handleQuery).</summary>
public enum DeliveryVerdict
{
    /// <summary>First sighting: deliver it and re-broadcast it.</summary>
    Deliver,

    /// <summary>Older than the minimum time (events from before a restart, or before a join that ignores old events): dropped.</summary>
    BeforeMinTime,

    /// <summary>Further behind the clock than the buffer reaches, so a duplicate could no longer be told: dropped.</summary>
    TooOld,

    /// <summary>Already seen at that time: dropped, not re-broadcast.</summary>
    Duplicate,
}

/// <summary>
/// Serf's recent user events (eventBuffer, eventClock, eventMinTime): a ring of
/// <see cref="Size"/> slots indexed by Lamport time modulo the size, each holding the events seen
/// at that time; an event is a duplicate when its slot holds the same time and an event of equal
/// name and payload. The whole ring is what push/pull sends as <see cref="PushPullState.Events"/>.
/// </summary>
public sealed class UserEventBuffer
{
    /// <summary>Serf's default EventBuffer: how many Lamport times of events are remembered.</summary>
    public const int DefaultSize = 512;

    private readonly UserEventBucket?[] _slots;
    private readonly List<BufferedUserEvent>?[] _events;

    public UserEventBuffer(LamportClock clock, int size = DefaultSize)
    {
        ArgumentNullException.ThrowIfNull(clock);
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        Clock = clock;
        _slots = new UserEventBucket?[size];
        _events = new List<BufferedUserEvent>?[size];
    }

    /// <summary>The event clock every received event is witnessed on.</summary>
    public LamportClock Clock { get; }

    public int Size => _slots.Length;

    /// <summary>
    /// eventMinTime: events before it are ignored. Serf sets it to one past the snapshot's event
    /// clock after a restart, and to the remote event clock on a join that ignores old events.
    /// </summary>
    public ulong MinTime { get; set; }

    /// <summary>The ring as push/pull sends it: one entry per slot, null where nothing was seen.</summary>
    public IReadOnlyList<UserEventBucket?> Slots => _slots;

    /// <summary>
    /// Takes in an event at <paramref name="ltime"/>: witnesses the time on <see cref="Clock"/>, then
    /// applies Serf's rules in Serf's order (minimum time, age, duplicate); a delivered event is remembered.
    /// </summary>
    public DeliveryVerdict Observe(ulong ltime, string name, byte[]? payload)
    {
        Clock.Witness(ltime);
        if (ltime < MinTime) return DeliveryVerdict.BeforeMinTime;

        var now = Clock.Time;
        var size = (ulong)_slots.Length;
        if (now > size && ltime < now - size) return DeliveryVerdict.TooOld;

        var index = (int)(ltime % size);
        var candidate = new BufferedUserEvent(name, payload);
        var slot = _slots[index];
        if (slot is not null && slot.LTime == ltime)
        {
            foreach (var seen in _events[index]!)
            {
                if (seen.Equals(candidate)) return DeliveryVerdict.Duplicate;
            }
        }
        else
        {
            _events[index] = [];
        }
        var events = _events[index]!;
        events.Add(candidate);
        _slots[index] = new UserEventBucket(ltime, events.ToArray());
        return DeliveryVerdict.Deliver;
    }
}
