namespace Praetor.Gossip.Serf;

/// <summary>
/// Serf's coalescing (coalesce.go) with time as an input: events a coalescer handles are held
/// from the first one for at most <c>coalescePeriod</c> (the quantum), or until
/// <c>quiescentPeriod</c> passes without another, then flushed together; others pass straight
/// through. Member events keep only each member's latest event and drop one equal to the last
/// flushed for that member (updates always go); user events marked coalescable keep only the
/// latest Lamport time per name (all events at that time).
/// </summary>
public sealed class EventCoalescer
{
    private readonly TimeSpan _memberPeriod, _memberQuiet, _userPeriod, _userQuiet;
    private readonly Dictionary<string, SerfEventType> _lastMemberEvents = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (SerfEventType Type, SerfMember Member)> _latestMemberEvents = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (ulong LTime, List<SerfUserEvent> Events)> _latestUserEvents = new(StringComparer.Ordinal);
    private TimeSpan? _memberQuantumEnd, _memberQuietEnd, _userQuantumEnd, _userQuietEnd;

    public EventCoalescer(TimeSpan coalescePeriod, TimeSpan quiescentPeriod, TimeSpan userCoalescePeriod, TimeSpan userQuiescentPeriod)
    {
        _memberPeriod = coalescePeriod;
        _memberQuiet = quiescentPeriod;
        _userPeriod = userCoalescePeriod;
        _userQuiet = userQuiescentPeriod;
    }

    private bool CoalescesMembers => _memberPeriod > TimeSpan.Zero && _memberQuiet > TimeSpan.Zero;

    private bool CoalescesUsers => _userPeriod > TimeSpan.Zero && _userQuiet > TimeSpan.Zero;

    /// <summary>The next time <see cref="Flush"/> has something to release (null: nothing held).</summary>
    public TimeSpan? NextFlushAt => Min(Min(_memberQuantumEnd, _memberQuietEnd), Min(_userQuantumEnd, _userQuietEnd));

    /// <summary>Takes in an event at <paramref name="now"/>; what is not held is appended to <paramref name="output"/> at once.</summary>
    public void Add(SerfEvent serfEvent, TimeSpan now, List<SerfEvent> output)
    {
        switch (serfEvent)
        {
            case SerfUserEvent user when CoalescesUsers && user.Coalesce:
                _userQuantumEnd ??= now + _userPeriod;
                _userQuietEnd = now + _userQuiet;
                if (!_latestUserEvents.TryGetValue(user.Name, out var latest) || latest.LTime < user.LTime)
                {
                    _latestUserEvents[user.Name] = (user.LTime, [user]);
                }
                else if (latest.LTime == user.LTime)
                {
                    latest.Events.Add(user);
                }
                return;
            case SerfMemberEvent member when CoalescesMembers:
                _memberQuantumEnd ??= now + _memberPeriod;
                _memberQuietEnd = now + _memberQuiet;
                foreach (var m in member.Members) _latestMemberEvents[m.Name] = (member.EventType, m);
                return;
            default:
                output.Add(serfEvent);
                return;
        }
    }

    /// <summary>Releases, into <paramref name="output"/>, what is due at <paramref name="now"/> (or everything, at shutdown).</summary>
    public void Flush(TimeSpan now, List<SerfEvent> output, bool all = false)
    {
        if (all || Due(_userQuantumEnd, _userQuietEnd, now))
        {
            _userQuantumEnd = _userQuietEnd = null;
            foreach (var name in SortedKeys(_latestUserEvents.Keys))
            {
                output.AddRange(_latestUserEvents[name].Events);
            }
            _latestUserEvents.Clear();
        }
        if (all || Due(_memberQuantumEnd, _memberQuietEnd, now))
        {
            _memberQuantumEnd = _memberQuietEnd = null;
            FlushMembers(output);
        }
    }

    private void FlushMembers(List<SerfEvent> output)
    {
        var byType = new SortedDictionary<SerfEventType, List<SerfMember>>();
        foreach (var name in SortedKeys(_latestMemberEvents.Keys))
        {
            var (type, member) = _latestMemberEvents[name];
            if (_lastMemberEvents.TryGetValue(name, out var previous) && previous == type && type != SerfEventType.MemberUpdate)
            {
                continue;
            }
            _lastMemberEvents[name] = type;
            if (!byType.TryGetValue(type, out var members)) byType[type] = members = [];
            members.Add(member);
        }
        _latestMemberEvents.Clear();
        foreach (var (type, members) in byType) output.Add(new SerfMemberEvent(type, members));
    }

    private static bool Due(TimeSpan? quantumEnd, TimeSpan? quietEnd, TimeSpan now) =>
        (quantumEnd is { } q && now >= q) || (quietEnd is { } s && now >= s);

    private static TimeSpan? Min(TimeSpan? a, TimeSpan? b) => a is null ? b : b is null ? a : (a < b ? a : b);

    private static string[] SortedKeys(IEnumerable<string> keys)
    {
        var sorted = keys.ToArray();
        Array.Sort(sorted, StringComparer.Ordinal);
        return sorted;
    }
}
