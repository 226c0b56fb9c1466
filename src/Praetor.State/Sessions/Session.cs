namespace Praetor.State.Sessions;

/// <summary>
/// A session as the state store holds it and Consul shows it (Consul's structs.Session): bound to
/// a node and to health checks on it, invalidated when one of them goes critical or the node
/// goes away, or when its TTL lapses without a renewal. Locks taken with it (KV
/// <c>?acquire</c>) are released or deleted by <see cref="Behavior"/> when it ends.
/// </summary>
public sealed record Session
{
    /// <summary>The session's UUID, chosen by the endpoint before the create enters the log (so every server applies the same one).</summary>
    public required string Id { get; init; }

    public string Name { get; init; } = "";

    /// <summary>The node the session is bound to (the creating agent's by default).</summary>
    public required string Node { get; init; }

    /// <summary>How long a lock released by this session's invalidation cannot be acquired again (Consul's default 15s).</summary>
    public TimeSpan LockDelay { get; init; } = SessionDefaults.LockDelay;

    /// <summary><see cref="SessionBehavior.Release"/> or <see cref="SessionBehavior.Delete"/>: what ending the session does to its locks.</summary>
    public string Behavior { get; init; } = SessionBehavior.Release;

    /// <summary>The TTL as the client wrote it (a Go duration such as <c>15s</c> or <c>15.000000s</c>); empty for none.</summary>
    public string Ttl { get; init; } = "";

    /// <summary>Node-level checks (on <see cref="Node"/>) the session is bound to; Consul's legacy <c>Checks</c> join these.</summary>
    public IReadOnlyList<string> NodeChecks { get; init; } = [];

    /// <summary>Service checks (check IDs on <see cref="Node"/>) the session is bound to; Consul's <c>ServiceChecks[].ID</c>.</summary>
    public IReadOnlyList<string> ServiceChecks { get; init; } = [];

    public ulong CreateIndex { get; init; }

    public ulong ModifyIndex { get; init; }

    /// <summary>Every check the session is bound to: its node checks, then its service checks.</summary>
    public IEnumerable<string> CheckIds => NodeChecks.Concat(ServiceChecks);
}

/// <summary>Consul's session behaviors (<c>Behavior</c>).</summary>
public static class SessionBehavior
{
    /// <summary>Ending the session releases its locks (the keys stay, without a session).</summary>
    public const string Release = "release";

    /// <summary>Ending the session deletes the keys it holds locked.</summary>
    public const string Delete = "delete";
}

/// <summary>Consul's session defaults and limits.</summary>
public static class SessionDefaults
{
    /// <summary>Consul's default lock-delay.</summary>
    public static readonly TimeSpan LockDelay = TimeSpan.FromSeconds(15);

    /// <summary>The longest TTL a session may have (Consul's SessionTTLMax, 24h).</summary>
    public static readonly TimeSpan TtlMax = TimeSpan.FromHours(24);

    /// <summary>The shortest TTL by default (Consul's <c>session_ttl_min</c>, 10s).</summary>
    public static readonly TimeSpan TtlMin = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How many TTLs the leader waits for a renewal before it destroys the session (Consul's
    /// SessionTTLMultiplier): a client renewing late still keeps its session.
    /// </summary>
    public const int TtlMultiplier = 2;
}
