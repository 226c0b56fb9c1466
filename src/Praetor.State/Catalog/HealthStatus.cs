namespace Praetor.State.Catalog;

/// <summary>Consul's check states, and their names on the wire.</summary>
public static class HealthStatus
{
    public const string Passing = "passing";
    public const string Warning = "warning";
    public const string Critical = "critical";

    /// <summary>`any` in `/v1/health/state/any`: every state.</summary>
    public const string Any = "any";

    public static bool IsCheckStatus(string? status) => status is Passing or Warning or Critical;
}
