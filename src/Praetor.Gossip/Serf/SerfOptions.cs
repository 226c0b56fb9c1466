namespace Praetor.Gossip.Serf;

/// <summary>
/// The Serf layer's parameters, with Serf 0.9's defaults (serf/config.go DefaultConfig). Times are
/// durations on the core's clock; the core reads no wall clock.
/// </summary>
public sealed record SerfOptions
{
    /// <summary>The lowest and highest Serf protocol versions this implementation speaks (ProtocolVersionMin/Max).</summary>
    public const byte ProtocolVersionMin = 2;
    public const byte ProtocolVersionMax = 5;

    /// <summary>9 KiB: Serf's hard ceiling on a user event's name plus payload, and on its encoded size (UserEventSizeLimit).</summary>
    public const int UserEventSizeBytesCeiling = 9 * 1024;

    /// <summary>4: the protocol Serf 0.9 speaks by default (queries need 4; tags need 3).</summary>
    public byte ProtocolVersion { get; init; } = 4;

    /// <summary>512 bytes: the configured limit on a user event's name + payload and its encoding (Serf's UserEventSizeLimit default).</summary>
    public int UserEventSizeBytesMax { get; init; } = 512;

    /// <summary>512 Lamport times of user events remembered for de-duplication (EventBuffer).</summary>
    public int EventBufferSize { get; init; } = UserEventBuffer.DefaultSize;

    /// <summary>512 Lamport times of query IDs remembered for de-duplication (QueryBuffer).</summary>
    public int QueryBufferSize { get; init; } = QueryBuffer.DefaultSize;

    /// <summary>15 s: how often failed and left members and stale intents are checked for reaping (ReapInterval).</summary>
    public TimeSpan ReapInterval { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>30 s: how often a reconnect to a failed member may be tried (ReconnectInterval).</summary>
    public TimeSpan ReconnectInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>24 h: a failed member is reaped (forgotten, member-reap) after this long (ReconnectTimeout).</summary>
    public TimeSpan ReconnectTimeout { get; init; } = TimeSpan.FromHours(24);

    /// <summary>24 h: a left member is kept this long so push/pull keeps telling others it left (TombstoneTimeout).</summary>
    public TimeSpan TombstoneTimeout { get; init; } = TimeSpan.FromHours(24);

    /// <summary>5 min: a join/leave intent for a member not yet known is kept this long waiting for memberlist to report it (RecentIntentTimeout).</summary>
    public TimeSpan RecentIntentTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>16: a query's default timeout is gossip interval × this × ⌈log10(members + 1)⌉ (QueryTimeoutMult).</summary>
    public int QueryTimeoutMult { get; init; } = 16;

    /// <summary>1024 bytes: the largest encoded query this node sends (QuerySizeLimit).</summary>
    public int QuerySizeBytesMax { get; init; } = 1024;

    /// <summary>1024 bytes: the largest encoded query response (or relayed response) this node sends (QueryResponseSizeLimit).</summary>
    public int QueryResponseSizeBytesMax { get; init; } = 1024;

    /// <summary>5 s + 1 s: a pruning force-leave of a member still leaving waits this long before erasing it (BroadcastTimeout + LeavePropagateDelay).</summary>
    public TimeSpan PruneDelay { get; init; } = TimeSpan.FromSeconds(6);

    /// <summary>Member events are coalesced over at most this period (CoalescePeriod); zero (Serf's library default) delivers each at once.</summary>
    public TimeSpan CoalescePeriod { get; init; } = TimeSpan.Zero;

    /// <summary>Coalesced member events are flushed after this long without a new one (QuiescentPeriod); both periods must be set to coalesce.</summary>
    public TimeSpan QuiescentPeriod { get; init; } = TimeSpan.Zero;

    /// <summary>User events marked coalescable are coalesced over at most this period (UserCoalescePeriod); zero delivers each at once.</summary>
    public TimeSpan UserCoalescePeriod { get; init; } = TimeSpan.Zero;

    /// <summary>Coalesced user events are flushed after this long without a new one (UserQuiescentPeriod).</summary>
    public TimeSpan UserQuiescentPeriod { get; init; } = TimeSpan.Zero;

    /// <summary>The serf agent's choices (command/agent): member events coalesced over 3 s / 1 s quiet, user events over 3 s / 1 s.</summary>
    public static SerfOptions Agent() => new()
    {
        CoalescePeriod = TimeSpan.FromSeconds(3),
        QuiescentPeriod = TimeSpan.FromSeconds(1),
        UserCoalescePeriod = TimeSpan.FromSeconds(3),
        UserQuiescentPeriod = TimeSpan.FromSeconds(1),
    };

    /// <summary>Every problem with these options (empty when valid).</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (ProtocolVersion is < ProtocolVersionMin or > ProtocolVersionMax)
            problems.Add($"protocol version {ProtocolVersion} is outside [{ProtocolVersionMin}, {ProtocolVersionMax}]");
        if (UserEventSizeBytesMax > UserEventSizeBytesCeiling)
            problems.Add($"user event size limit {UserEventSizeBytesMax} exceeds the ceiling of {UserEventSizeBytesCeiling} bytes");
        if (EventBufferSize < 1) problems.Add("event buffer size must be at least 1");
        if (QueryBufferSize < 1) problems.Add("query buffer size must be at least 1");
        if (ReapInterval <= TimeSpan.Zero) problems.Add("reap interval must be positive");
        if (ReconnectInterval <= TimeSpan.Zero) problems.Add("reconnect interval must be positive");
        if (QueryTimeoutMult < 1) problems.Add("query timeout multiplier must be at least 1");
        if (QuerySizeBytesMax < 1) problems.Add("query size limit must be at least 1 byte");
        if (QueryResponseSizeBytesMax < 1) problems.Add("query response size limit must be at least 1 byte");
        return problems;
    }
}
