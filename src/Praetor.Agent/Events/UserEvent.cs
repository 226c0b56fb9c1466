using System.Globalization;

namespace Praetor.Agent.Events;

/// <summary>
/// A Consul user event (agent/user_event.go UserEvent): a name, an optional opaque payload, and
/// regular expressions that pick which agents act on it. <see cref="Id"/> is a random UUID given
/// when the event is fired; <see cref="LTime"/> is the Serf Lamport time it was received at (0 in
/// the answer to a fire, which Consul returns before gossip stamps it).
/// </summary>
public sealed record UserEvent
{
    /// <summary>The newest user event version this agent understands (userEventMaxVersion).</summary>
    public const int MaxVersion = 1;

    /// <summary>The event name Consul reserves for remote execution (<c>consul exec</c>).</summary>
    public const string RemoteExecName = "_rexec";

    public string Id { get; init; } = "";

    public required string Name { get; init; }

    /// <summary>The payload; null when none was given (JSON <c>null</c>, omitted on the wire).</summary>
    public byte[]? Payload { get; init; }

    public string NodeFilter { get; init; } = "";

    public string ServiceFilter { get; init; } = "";

    public string TagFilter { get; init; } = "";

    public int Version { get; init; } = MaxVersion;

    public ulong LTime { get; init; }

    /// <summary>
    /// Consul's X-Consul-Index for an event list ending in the event <paramref name="id"/>
    /// (uuidToUint64): the UUID's first and last 64 bits XORed. Not monotonic: clients only compare
    /// it for equality (the watch plan drops events up to the one with the index it last saw).
    /// Zero when <paramref name="id"/> is not a UUID.
    /// </summary>
    public static ulong IdToIndex(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        if (id.Length != 36 || id[8] != '-' || id[13] != '-' || id[18] != '-' || id[23] != '-')
        {
            return 0;
        }
        Span<char> lower = stackalloc char[16];
        Span<char> upper = stackalloc char[16];
        id.AsSpan(0, 8).CopyTo(lower);
        id.AsSpan(9, 4).CopyTo(lower[8..]);
        id.AsSpan(14, 4).CopyTo(lower[12..]);
        id.AsSpan(19, 4).CopyTo(upper);
        id.AsSpan(24, 12).CopyTo(upper[4..]);
        if (!ulong.TryParse(lower, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var low)
            || !ulong.TryParse(upper, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var high))
        {
            return 0;
        }
        return low ^ high;
    }
}
