namespace Praetor.Gossip.Serf;

/// <summary>
/// Serf's message types: the first byte of every Serf message carried in memberlist's user
/// messages (gossip), push/pull user state and query payloads (serf/messages.go). Never renumbered.
/// </summary>
public enum SerfMessageType : byte
{
    Leave = 0,
    Join = 1,
    PushPull = 2,
    UserEvent = 3,
    Query = 4,
    QueryResponse = 5,
    ConflictResponse = 6,
    KeyRequest = 7,
    KeyResponse = 8,
    Relay = 9,
}

/// <summary>A decoded Serf message; <see cref="Type"/> is its leading type byte.</summary>
public abstract record SerfMessage
{
    public abstract SerfMessageType Type { get; }
}

/// <summary>messageJoin: <see cref="Node"/> joined (or refutes a leave) at Lamport time <see cref="LTime"/>.</summary>
public sealed record JoinIntent(ulong LTime, string Node) : SerfMessage
{
    public override SerfMessageType Type => SerfMessageType.Join;
}

/// <summary>messageLeave: <see cref="Node"/> leaves at <see cref="LTime"/> (a graceful leave, or a force-leave; <see cref="Prune"/> erases it at once).</summary>
public sealed record LeaveIntent(ulong LTime, string Node, bool Prune = false) : SerfMessage
{
    public override SerfMessageType Type => SerfMessageType.Leave;
}

/// <summary>
/// messageUserEvent: a user event at event-clock time <see cref="LTime"/>. <see cref="Payload"/>
/// keeps Go's nil (null) apart from empty. <see cref="CanCoalesce"/> is the wire's <c>CC</c>.
/// </summary>
public sealed record UserEventMessage(ulong LTime, string Name, byte[]? Payload, bool CanCoalesce) : SerfMessage
{
    public override SerfMessageType Type => SerfMessageType.UserEvent;
}

/// <summary>
/// messageQuery. <see cref="Addr"/>/<see cref="Port"/>/<see cref="SourceNode"/> say where responses go;
/// <see cref="Filters"/> are encoded <see cref="QueryFilter"/>s; <see cref="TimeoutNanoseconds"/> is Go's time.Duration.
/// </summary>
public sealed record QueryMessage(
    ulong LTime,
    uint Id,
    byte[]? Addr,
    ushort Port,
    string SourceNode,
    IReadOnlyList<byte[]>? Filters,
    uint Flags,
    byte RelayFactor,
    long TimeoutNanoseconds,
    string Name,
    byte[]? Payload) : SerfMessage
{
    /// <summary>queryFlagAck: every node that processes the query acknowledges it at once.</summary>
    public const uint FlagAck = 1;

    /// <summary>queryFlagNoBroadcast: receivers do not re-broadcast the query.</summary>
    public const uint FlagNoBroadcast = 2;

    public override SerfMessageType Type => SerfMessageType.Query;

    public bool Ack => (Flags & FlagAck) != 0;

    public bool NoBroadcast => (Flags & FlagNoBroadcast) != 0;
}

/// <summary>messageQueryResponse: an ack (<see cref="QueryMessage.FlagAck"/> in <see cref="Flags"/>) or a response to query <see cref="Id"/> at <see cref="LTime"/>.</summary>
public sealed record QueryResponseMessage(ulong LTime, uint Id, string From, uint Flags, byte[]? Payload) : SerfMessage
{
    public override SerfMessageType Type => SerfMessageType.QueryResponse;

    public bool Ack => (Flags & QueryMessage.FlagAck) != 0;
}

/// <summary>One buffered user event as push/pull carries it (userEvent); equal by name and payload bytes.</summary>
public readonly record struct BufferedUserEvent(string Name, byte[]? Payload)
{
    public bool Equals(BufferedUserEvent other) =>
        Name == other.Name && Payload.AsSpan().SequenceEqual(other.Payload);

    public override int GetHashCode() => HashCode.Combine(Name, Payload?.Length ?? 0);
}

/// <summary>The user events seen at one event-clock time (userEvents), a slot of the event buffer.</summary>
public sealed record UserEventBucket(ulong LTime, IReadOnlyList<BufferedUserEvent> Events);

/// <summary>
/// messagePushPull: the Serf state exchanged in memberlist's push/pull. <see cref="Events"/> is the
/// whole event buffer, empty slots included as null (Serf sends its 512 slots as they are).
/// </summary>
public sealed record PushPullState(
    ulong LTime,
    IReadOnlyDictionary<string, ulong> StatusLTimes,
    IReadOnlyList<string> LeftMembers,
    ulong EventLTime,
    IReadOnlyList<UserEventBucket?> Events,
    ulong QueryLTime) : SerfMessage
{
    public override SerfMessageType Type => SerfMessageType.PushPull;
}

/// <summary>
/// Serf's Member as the name-conflict query answers it (messageConflictResponse); <see cref="Status"/>
/// uses Serf's numbers (<see cref="MemberStatus"/>).
/// </summary>
public sealed record ConflictMember(
    string Name,
    byte[]? Addr,
    ushort Port,
    IReadOnlyDictionary<string, string>? Tags,
    MemberStatus Status,
    byte ProtocolMin,
    byte ProtocolMax,
    byte ProtocolCur,
    byte DelegateMin,
    byte DelegateMax,
    byte DelegateCur);

/// <summary>A conflict query response: what the responder knows of the contested name (null: nothing; Go's nil *Member).</summary>
public sealed record ConflictResponse(ConflictMember? Member) : SerfMessage
{
    public override SerfMessageType Type => SerfMessageType.ConflictResponse;
}

/// <summary>keyRequest: the raw key bytes of a keyring query (install-key, use-key, remove-key).</summary>
public sealed record KeyRequest(byte[]? Key) : SerfMessage
{
    public override SerfMessageType Type => SerfMessageType.KeyRequest;
}

/// <summary>nodeKeyResponse: one node's answer to a keyring query.</summary>
public sealed record KeyResponse(bool Result, string Message, IReadOnlyList<string>? Keys, string PrimaryKey) : SerfMessage
{
    public override SerfMessageType Type => SerfMessageType.KeyResponse;
}

/// <summary>
/// messageRelay: a query response that the receiver forwards (as a memberlist user message) to
/// <see cref="DestIp"/>:<see cref="DestPort"/> named <see cref="DestName"/>. <see cref="Inner"/> is the
/// forwarded message, type byte included, exactly as it followed the header.
/// </summary>
public sealed record RelayMessage(byte[]? DestIp, int DestPort, string DestZone, string DestName, byte[] Inner) : SerfMessage
{
    public override SerfMessageType Type => SerfMessageType.Relay;
}
