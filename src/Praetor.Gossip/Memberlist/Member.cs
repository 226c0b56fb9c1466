using System.Net;

namespace Praetor.Gossip.Memberlist;

/// <summary>A member as this node last saw it: an immutable copy, safe to hand to other threads.</summary>
public sealed record Member(string Name, IPEndPoint Address, byte[] Meta, NodeState State, uint Incarnation, ProtocolVersions Vsn, TimeSpan StateChange);

/// <summary>What this node says about itself: its name, the address others reach it at, its meta (Serf's tags) and versions.</summary>
public sealed record LocalMember(string Name, IPEndPoint Address, byte[] Meta, ProtocolVersions Vsn);

/// <summary>The kinds of member event the core reports (memberlist's EventDelegate, with leave split by how it happened).</summary>
public enum MemberEventKind
{
    /// <summary>A member appeared, or came back after being dead or left.</summary>
    Join,
    /// <summary>A member left gracefully (a dead message from itself).</summary>
    Leave,
    /// <summary>A member was declared dead (failed).</summary>
    Failed,
    /// <summary>A member's meta changed.</summary>
    Update,
}

/// <summary>One member event, with the member as it was right after the change.</summary>
public sealed record MemberEvent(MemberEventKind Kind, Member Member);

/// <summary>The core's record of one member (memberlist nodeState); mutable, owned by the core.</summary>
internal sealed class MemberRecord
{
    public required string Name { get; init; }
    public required byte[] Addr { get; set; }
    public ushort Port { get; set; }
    public byte[] Meta { get; set; } = [];
    public ProtocolVersions Vsn { get; set; }
    public uint Incarnation { get; set; }
    public NodeState State { get; set; }
    public TimeSpan StateChange { get; set; }

    public bool DeadOrLeft => State is NodeState.Dead or NodeState.Left;

    public IPEndPoint EndPoint => new(new IPAddress(Addr), Port);

    public Member Snapshot() => new(Name, EndPoint, Meta, State, Incarnation, Vsn, StateChange);

    public PushNodeState ToPushNodeState() => new(Name, Addr, Port, Meta, Incarnation, State, Vsn);
}
