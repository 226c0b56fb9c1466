using Praetor.Raft;
using Praetor.State;
using Praetor.State.Catalog;
using Praetor.State.Commands;

namespace Praetor.Agent.Endpoints;

/// <summary>Consul's Catalog endpoint: registrations through the log, and blocking reads of nodes and services.</summary>
/// <param name="wanDatacenters">The datacenters of the servers in the WAN pool, nearest first (none without one).</param>
public sealed class CatalogEndpoint(StateStore store, IReplicatedLog log, BlockingQuery blocking, AgentConfig config, Func<IEnumerable<string>> wanDatacenters) : ICatalogEndpoint
{
    /// <inheritdoc/>
    public async Task<string?> RegisterAsync(CatalogRegistration registration, CancellationToken cancellationToken)
    {
        var applied = await log.ApplyAsync(CommandCodec.Encode(new RegisterCommand(registration)), cancellationToken).ConfigureAwait(false);
        return applied.Response as string;
    }

    /// <inheritdoc/>
    public async Task DeregisterAsync(string node, string? serviceId, string? checkId, CancellationToken cancellationToken) =>
        await log.ApplyAsync(CommandCodec.Encode(new DeregisterCommand(node, serviceId, checkId)), cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// The datacenters this agent knows (<c>/v1/catalog/datacenters</c>): its own first, then
    /// those of the WAN pool's servers in the order given, nearest first (<see cref="DatacenterDistance"/>).
    /// </summary>
    public IReadOnlyList<string> Datacenters() =>
        [config.Datacenter, .. wanDatacenters().Where(dc => dc != config.Datacenter).Distinct(StringComparer.Ordinal)];

    /// <inheritdoc/>
    public Task<QueryResult<IReadOnlyList<CatalogNode>>> NodesAsync(NodeMetaFilter meta, QueryOptions options, CancellationToken cancellationToken) =>
        blocking.RunAsync(
            options,
            watches => store.CatalogWatches.WatchPrefix(watches, CatalogWatchKeys.Nodes),
            snapshot => (snapshot.Catalog.NodesIndex, (IReadOnlyList<CatalogNode>)[.. snapshot.Catalog.Nodes.Where(meta.Matches)]),
            cancellationToken);

    /// <inheritdoc/>
    public Task<QueryResult<IReadOnlyList<(string Name, IReadOnlyList<string> Tags)>>> ServicesAsync(NodeMetaFilter meta, QueryOptions options, CancellationToken cancellationToken) =>
        blocking.RunAsync(
            options,
            watches => store.CatalogWatches.WatchPrefix(watches, CatalogWatchKeys.Services),
            snapshot => (snapshot.Catalog.ServicesIndex, ServiceTags(snapshot.Catalog, meta)),
            cancellationToken);

    /// <inheritdoc/>
    public Task<QueryResult<IReadOnlyList<(CatalogNode Node, ServiceInstance Service)>>> ServiceNodesAsync(
        string service, IReadOnlyList<string> tags, NodeMetaFilter meta, QueryOptions options, CancellationToken cancellationToken) =>
        blocking.RunAsync(
            options,
            watches => store.CatalogWatches.WatchKey(watches, CatalogWatchKeys.Service(service)),
            snapshot =>
            {
                var catalog = snapshot.Catalog;
                var result = new List<(CatalogNode, ServiceInstance)>();
                foreach (var instance in catalog.Instances(service))
                {
                    var node = catalog.Node(instance.Node)!;
                    if (HasTags(instance, tags) && meta.Matches(node))
                    {
                        result.Add((node, instance));
                    }
                }
                return (catalog.ServiceIndex(service), (IReadOnlyList<(CatalogNode, ServiceInstance)>)result);
            },
            cancellationToken);

    /// <inheritdoc/>
    public Task<QueryResult<(CatalogNode? Node, IReadOnlyList<ServiceInstance> Services)>> NodeServicesAsync(string node, QueryOptions options, CancellationToken cancellationToken) =>
        blocking.RunAsync(
            options,
            watches => store.CatalogWatches.WatchKey(watches, CatalogWatchKeys.Node(node)),
            snapshot =>
            {
                var catalog = snapshot.Catalog;
                var found = catalog.Node(node);
                IReadOnlyList<ServiceInstance> services = found is null ? [] : [.. catalog.ServicesOn(node)];
                return (Math.Max(catalog.NodesIndex, catalog.ServicesIndex), (found, services));
            },
            cancellationToken);

    internal static bool HasTags(ServiceInstance instance, IReadOnlyList<string> tags)
    {
        foreach (var tag in tags)
        {
            if (!instance.Tags.Contains(tag, StringComparer.OrdinalIgnoreCase))
            {
                return false;
            }
        }
        return true;
    }

    private static IReadOnlyList<(string Name, IReadOnlyList<string> Tags)> ServiceTags(CatalogTable catalog, NodeMetaFilter meta)
    {
        var result = new List<(string, IReadOnlyList<string>)>();
        foreach (var (name, instances) in catalog.ServicesByName())
        {
            var tags = new SortedSet<string>(StringComparer.Ordinal);
            var any = false;
            foreach (var instance in instances)
            {
                if (meta.Matches(catalog.Node(instance.Node)!))
                {
                    any = true;
                    tags.UnionWith(instance.Tags);
                }
            }
            if (any)
            {
                result.Add((name, [.. tags]));
            }
        }
        return result;
    }
}
