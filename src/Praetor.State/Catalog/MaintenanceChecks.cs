namespace Praetor.State.Catalog;

/// <summary>
/// The reserved check IDs of maintenance mode: a critical check that takes a node, or one
/// service instance, out of healthy answers.
/// </summary>
public static class MaintenanceChecks
{
    /// <summary>The node's maintenance check.</summary>
    public const string NodeCheckId = "_node_maintenance";

    /// <summary>A service's maintenance check is this prefix followed by the service ID.</summary>
    public const string ServiceCheckIdPrefix = "_service_maintenance:";

    public static string ServiceCheckId(string serviceId) => ServiceCheckIdPrefix + serviceId;

    public static bool IsServiceCheck(string checkId) => checkId.StartsWith(ServiceCheckIdPrefix, StringComparison.Ordinal);

    public static bool IsMaintenanceCheck(string checkId) => checkId == NodeCheckId || IsServiceCheck(checkId);
}
