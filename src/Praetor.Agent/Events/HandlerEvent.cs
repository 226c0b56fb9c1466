using Praetor.Gossip.Serf;

namespace Praetor.Agent.Events;

/// <summary>
/// An event as a handler script sees it: its Serf type name (<c>member-join</c>, <c>user</c>...),
/// for user events the name, Lamport time and payload, for member events the members.
/// </summary>
public sealed record HandlerEvent(string Type, string? Name, ulong LTime, byte[]? Payload, IReadOnlyList<SerfMember> Members)
{
    public static HandlerEvent User(string name, ulong lTime, byte[]? payload) => new("user", name, lTime, payload, []);

    public static HandlerEvent Member(SerfMemberEvent memberEvent)
    {
        ArgumentNullException.ThrowIfNull(memberEvent);
        return new(SerfEvent.TypeName(memberEvent.EventType), null, 0, null, memberEvent.Members);
    }
}

/// <summary>The agent's own member as handlers are told about it: SERF_SELF_NAME, SERF_SELF_ROLE (its <c>role</c> tag) and SERF_TAG_*.</summary>
public sealed record HandlerSelf(string Name, IReadOnlyDictionary<string, string> Tags);
