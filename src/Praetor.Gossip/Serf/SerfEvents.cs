using Praetor.Gossip.Memberlist;

namespace Praetor.Gossip.Serf;

/// <summary>A member as Serf reports it: memberlist's view plus Serf's status and decoded tags.</summary>
public sealed record SerfMember(string Name, byte[] Addr, ushort Port, IReadOnlyDictionary<string, string> Tags, MemberStatus Status, ProtocolVersions Vsn);

/// <summary>A member as memberlist hands it to Serf (memberlist.Node): the input of the member-event handlers.</summary>
public sealed record SerfNode(string Name, byte[] Addr, ushort Port, byte[] Meta, ProtocolVersions Vsn);

/// <summary>Serf's event types, named as handlers see them (event.go EventType.String).</summary>
public enum SerfEventType
{
    MemberJoin,
    MemberLeave,
    MemberFailed,
    MemberUpdate,
    MemberReap,
    User,
    Query,
}

/// <summary>An event the Serf core delivers (after coalescing) to its host: handlers, the agent, the snapshot.</summary>
public abstract record SerfEvent
{
    public abstract SerfEventType Type { get; }

    /// <summary>The handler-facing name: member-join, member-leave, member-failed, member-update, member-reap, user, query.</summary>
    public static string TypeName(SerfEventType type) => type switch
    {
        SerfEventType.MemberJoin => "member-join",
        SerfEventType.MemberLeave => "member-leave",
        SerfEventType.MemberFailed => "member-failed",
        SerfEventType.MemberUpdate => "member-update",
        SerfEventType.MemberReap => "member-reap",
        SerfEventType.User => "user",
        _ => "query",
    };
}

/// <summary>A member event; coalescing may put several members in one.</summary>
public sealed record SerfMemberEvent(SerfEventType EventType, IReadOnlyList<SerfMember> Members) : SerfEvent
{
    public override SerfEventType Type => EventType;
}

/// <summary>A user event, delivered once per node.</summary>
public sealed record SerfUserEvent(ulong LTime, string Name, byte[]? Payload, bool Coalesce) : SerfEvent
{
    public override SerfEventType Type => SerfEventType.User;
}

/// <summary>A query for the host to answer (by sending a <see cref="QueryResponseMessage"/> before <see cref="Deadline"/>).</summary>
public sealed record SerfQueryEvent(ulong LTime, string Name, byte[]? Payload, uint Id, byte[]? SourceAddr, ushort SourcePort, string SourceNode, TimeSpan Deadline, byte RelayFactor) : SerfEvent
{
    public override SerfEventType Type => SerfEventType.Query;
}
