namespace Praetor.State.Catalog;

/// <summary>One instance of a service with its node and the checks that decide its health (node-level and its own): Consul's ServiceEntry.</summary>
public sealed record ServiceHealth(CatalogNode Node, ServiceInstance Service, IReadOnlyList<HealthCheck> Checks)
{
    /// <summary>Whether every check passes (`?passing`).</summary>
    public bool IsPassing()
    {
        foreach (var check in Checks)
        {
            if (check.Status != HealthStatus.Passing)
            {
                return false;
            }
        }
        return true;
    }
}
