namespace Praetor.State.Catalog;

/// <summary>
/// A health check as the catalog holds it (Consul's structs.HealthCheck): one node-level check
/// when <see cref="ServiceId"/> is empty, else a check of that service instance.
/// </summary>
public sealed record HealthCheck
{
    public required string Node { get; init; }

    public required string CheckId { get; init; }

    public string Name { get; init; } = "";

    /// <summary>passing, warning or critical.</summary>
    public string Status { get; init; } = HealthStatus.Critical;

    public string Notes { get; init; } = "";

    public string Output { get; init; } = "";

    public string ServiceId { get; init; } = "";

    public string ServiceName { get; init; } = "";

    public IReadOnlyList<string> ServiceTags { get; init; } = [];

    /// <summary>The runner kind (script, http, tcp, ttl, alias, serf), empty for checks registered through the catalog.</summary>
    public string Type { get; init; } = "";

    /// <summary>How the check runs, shown as Consul's `Definition` (HTTP, TCP, Interval, Timeout...).</summary>
    public CheckRunSpec Definition { get; init; } = CheckRunSpec.Empty;

    public ulong CreateIndex { get; init; }

    public ulong ModifyIndex { get; init; }

    /// <summary>Whether the registered contents equal another's, ignoring indexes (a write that changes nothing is skipped).</summary>
    public bool SameContents(HealthCheck other) =>
        this with { CreateIndex = 0, ModifyIndex = 0, ServiceTags = [], Definition = CheckRunSpec.Empty }
            == other with { CreateIndex = 0, ModifyIndex = 0, ServiceTags = [], Definition = CheckRunSpec.Empty }
        && ServiceTags.SequenceEqual(other.ServiceTags)
        && Definition.SameAs(other.Definition);
}
