using System.Globalization;
using System.Text.Json.Serialization;

namespace Praetor.Client;

/// <summary>A user event as <c>/v1/event/fire</c> and <c>/v1/event/list</c> answer it (Go's <c>api.UserEvent</c>).</summary>
public sealed record UserEvent
{
    [JsonPropertyName("ID")]
    public string Id { get; init; } = "";

    public string Name { get; init; } = "";

    /// <summary>The payload; null when the event has none.</summary>
    public byte[]? Payload { get; init; }

    /// <summary>A regular expression on node names; empty for every node.</summary>
    public string NodeFilter { get; init; } = "";

    /// <summary>A regular expression on service names; empty for any.</summary>
    public string ServiceFilter { get; init; } = "";

    /// <summary>A regular expression on the tags of the services <see cref="ServiceFilter"/> picks.</summary>
    public string TagFilter { get; init; } = "";

    public int Version { get; init; }

    [JsonPropertyName("LTime")]
    public ulong LTime { get; init; }

    /// <summary>
    /// The X-Consul-Index an event list ending in the event <paramref name="id"/> carries (Go's
    /// <c>Event().IDToIndex</c>): the UUID's two 64-bit halves XORed; 0 when it is not a UUID.
    /// </summary>
    public static ulong IdToIndex(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        if (id.Length != 36)
        {
            return 0;
        }
        var lower = string.Concat(id.AsSpan(0, 8), id.AsSpan(9, 4), id.AsSpan(14, 4));
        var upper = string.Concat(id.AsSpan(19, 4), id.AsSpan(24, 12));
        return ulong.TryParse(lower, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var low)
            && ulong.TryParse(upper, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var high)
            ? low ^ high
            : 0;
    }
}
