namespace Praetor.Gossip.Memberlist;

/// <summary>
/// memberlist's message types: the first byte of every UDP packet and TCP stream message
/// (protocol versions 2-5, as Serf 0.9 speaks them).
/// </summary>
public enum MessageType : byte
{
    Ping = 0,
    IndirectPing = 1,
    AckResp = 2,
    Suspect = 3,
    Alive = 4,
    Dead = 5,
    PushPull = 6,
    Compound = 7,
    User = 8,
    Compress = 9,
    Encrypt = 10,
    NackResp = 11,
    HasCrc = 12,
    Err = 13,
}

/// <summary>A member's state as memberlist gossips it (pushNodeState.State).</summary>
public enum NodeState : byte
{
    Alive = 0,
    Suspect = 1,
    Dead = 2,
    Left = 3,
}

/// <summary>
/// The six protocol versions a member speaks, in memberlist's order: protocol min, max, current,
/// then delegate (Serf) min, max, current.
/// </summary>
public readonly record struct ProtocolVersions(byte ProtocolMin, byte ProtocolMax, byte ProtocolCurrent, byte DelegateMin, byte DelegateMax, byte DelegateCurrent)
{
    /// <summary>What Serf 0.9 with memberlist 0.2 advertises: protocol 1-5 speaking 2, Serf's delegate 2-5 speaking 4.</summary>
    public static readonly ProtocolVersions Serf09 = new(1, 5, 2, 2, 5, 4);
}

/// <summary>A direct probe (ping). <see cref="Node"/> names the intended target, so a restarted agent with another name does not answer for the old one.</summary>
public sealed record Ping(uint SeqNo, string Node, byte[]? SourceAddr = null, ushort SourcePort = 0, string SourceNode = "");

/// <summary>A request to probe <see cref="Node"/> on our behalf (indirectPingReq); with <see cref="Nack"/> the helper answers a nack when the target stays silent.</summary>
public sealed record IndirectPingReq(uint SeqNo, byte[] Target, ushort Port, string Node, bool Nack, byte[]? SourceAddr = null, ushort SourcePort = 0, string SourceNode = "");

/// <summary>The answer to a ping; <see cref="Payload"/> carries the ping delegate's data (Serf: its network coordinate).</summary>
public sealed record AckResp(uint SeqNo, byte[] Payload);

/// <summary>Sent by an indirect prober whose target did not answer in time.</summary>
public sealed record NackResp(uint SeqNo);

/// <summary>An error relayed from the remote end of a TCP stream.</summary>
public sealed record ErrResp(string Error);

/// <summary>Broadcast: <see cref="From"/> suspects <see cref="Node"/> at <see cref="Incarnation"/>.</summary>
public sealed record Suspect(uint Incarnation, string Node, string From);

/// <summary>Broadcast: <see cref="Node"/> is alive at <see cref="Incarnation"/> (also a join, and a refutation).</summary>
public sealed record Alive(uint Incarnation, string Node, byte[] Addr, ushort Port, byte[] Meta, ProtocolVersions Vsn);

/// <summary>Broadcast: <see cref="Node"/> is dead at <see cref="Incarnation"/>; when <see cref="From"/> is the node itself, it left.</summary>
public sealed record Dead(uint Incarnation, string Node, string From);

/// <summary>Starts a push/pull exchange over TCP: how many node states follow, and the length of the user (Serf) state after them.</summary>
public sealed record PushPullHeader(int Nodes, int UserStateLen, bool Join);

/// <summary>One member in a push/pull exchange.</summary>
public sealed record PushNodeState(string Name, byte[] Addr, ushort Port, byte[] Meta, uint Incarnation, NodeState State, ProtocolVersions Vsn);
