namespace Praetor.State.Catalog;

/// <summary>
/// What one catalog registration writes (Consul's RegisterRequest): the node, optionally one
/// service on it, and checks. With <paramref name="SkipNodeUpdate"/> an existing node record is
/// left as it is (agents syncing a check do not overwrite the node).
/// </summary>
public sealed record CatalogRegistration(CatalogNode Node, ServiceInstance? Service, IReadOnlyList<HealthCheck> Checks, bool SkipNodeUpdate = false);
