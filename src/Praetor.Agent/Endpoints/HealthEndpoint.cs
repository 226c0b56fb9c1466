using Praetor.State;
using Praetor.State.Catalog;

namespace Praetor.Agent.Endpoints;

/// <summary>Consul's Health endpoint: checks by node, service and state, and service instances with their health.</summary>
public sealed class HealthEndpoint(StateStore store, BlockingQuery blocking) : IHealthEndpoint
{
    /// <inheritdoc/>
    public Task<QueryResult<IReadOnlyList<HealthCheck>>> NodeChecksAsync(string node, QueryOptions options, CancellationToken cancellationToken) =>
        blocking.RunAsync(
            options,
            watches => store.CatalogWatches.WatchKey(watches, CatalogWatchKeys.Node(node)),
            snapshot => (snapshot.Catalog.ChecksIndex, (IReadOnlyList<HealthCheck>)[.. snapshot.Catalog.ChecksOn(node)]),
            cancellationToken);

    /// <inheritdoc/>
    public Task<QueryResult<IReadOnlyList<HealthCheck>>> ServiceChecksAsync(string service, QueryOptions options, CancellationToken cancellationToken) =>
        blocking.RunAsync(
            options,
            watches => store.CatalogWatches.WatchKey(watches, CatalogWatchKeys.Service(service)),
            snapshot =>
            {
                var catalog = snapshot.Catalog;
                var checks = new List<HealthCheck>();
                foreach (var instance in catalog.Instances(service))
                {
                    foreach (var check in catalog.ChecksOn(instance.Node))
                    {
                        if (check.ServiceId == instance.Id)
                        {
                            checks.Add(check);
                        }
                    }
                }
                return (catalog.ServiceIndex(service), (IReadOnlyList<HealthCheck>)checks);
            },
            cancellationToken);

    /// <inheritdoc/>
    public Task<QueryResult<IReadOnlyList<ServiceHealth>>> ServiceHealthAsync(
        string service, IReadOnlyList<string> tags, NodeMetaFilter meta, bool passingOnly, QueryOptions options, CancellationToken cancellationToken) =>
        blocking.RunAsync(
            options,
            watches => store.CatalogWatches.WatchKey(watches, CatalogWatchKeys.Service(service)),
            snapshot =>
            {
                var catalog = snapshot.Catalog;
                var result = new List<ServiceHealth>();
                foreach (var entry in catalog.Health(service))
                {
                    if (CatalogEndpoint.HasTags(entry.Service, tags) && meta.Matches(entry.Node) && (!passingOnly || entry.IsPassing()))
                    {
                        result.Add(entry);
                    }
                }
                return (catalog.ServiceIndex(service), (IReadOnlyList<ServiceHealth>)result);
            },
            cancellationToken);

    /// <inheritdoc/>
    public Task<QueryResult<IReadOnlyList<HealthCheck>>> ChecksInStateAsync(string state, QueryOptions options, CancellationToken cancellationToken) =>
        blocking.RunAsync(
            options,
            watches => store.CatalogWatches.WatchPrefix(watches, ""),
            snapshot => (snapshot.Catalog.ChecksIndex,
                (IReadOnlyList<HealthCheck>)[.. snapshot.Catalog.AllChecks().Where(c => state == HealthStatus.Any || c.Status == state)]),
            cancellationToken);
}
