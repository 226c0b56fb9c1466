namespace Praetor.State.Catalog;

/// <summary>One instance of a service with its node and the checks that decide its health (node-level and its own): Consul's ServiceEntry.</summary>
public sealed record ServiceHealth(CatalogNode Node, ServiceInstance Service, IReadOnlyList<HealthCheck> Checks)
{
    /// <summary>The aggregate state: maintenance &gt; critical &gt; warning &gt; passing.</summary>
    public string AggregateStatus
    {
        get
        {
            var status = HealthStatus.Passing;
            foreach (var check in Checks)
            {
                if (check.CheckId.StartsWith("_node_maintenance", StringComparison.Ordinal)
                    || check.CheckId.StartsWith("_service_maintenance:", StringComparison.Ordinal))
                {
                    return HealthStatus.Maintenance;
                }
                if (check.Status == HealthStatus.Critical)
                {
                    status = HealthStatus.Critical;
                }
                else if (check.Status == HealthStatus.Warning && status == HealthStatus.Passing)
                {
                    status = HealthStatus.Warning;
                }
            }
            return status;
        }
    }

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
