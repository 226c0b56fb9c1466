using Praetor.State.Catalog;

namespace Praetor.Agent.Endpoints;

/// <summary>
/// Consul's Catalog endpoint, as the HTTP API, DNS and anti-entropy call it: on a server
/// <see cref="CatalogEndpoint"/>, on a client <see cref="Remote.RemoteCatalogEndpoint"/> (reads
/// by RPC to a server).
/// </summary>
public interface ICatalogEndpoint
{
    /// <summary>Registers; returns the catalog's refusal (such as a check naming a missing service), or null.</summary>
    Task<string?> RegisterAsync(CatalogRegistration registration, CancellationToken cancellationToken);

    /// <summary>Removes a service with its checks, else one check, else the whole node.</summary>
    Task DeregisterAsync(string node, string? serviceId, string? checkId, CancellationToken cancellationToken);

    /// <summary>The datacenters this agent knows (<c>/v1/catalog/datacenters</c>), its own first.</summary>
    IReadOnlyList<string> Datacenters();

    /// <summary>The nodes matching the node-meta filter (<c>/v1/catalog/nodes</c>).</summary>
    Task<QueryResult<IReadOnlyList<CatalogNode>>> NodesAsync(NodeMetaFilter meta, QueryOptions options, CancellationToken cancellationToken);

    /// <summary>Every service name with the union of its instances' tags (`/v1/catalog/services`).</summary>
    Task<QueryResult<IReadOnlyList<(string Name, IReadOnlyList<string> Tags)>>> ServicesAsync(NodeMetaFilter meta, QueryOptions options, CancellationToken cancellationToken);

    /// <summary>The instances of a service with their nodes, filtered by tags (all must match) and node meta.</summary>
    Task<QueryResult<IReadOnlyList<(CatalogNode Node, ServiceInstance Service)>>> ServiceNodesAsync(
        string service, IReadOnlyList<string> tags, NodeMetaFilter meta, QueryOptions options, CancellationToken cancellationToken);

    /// <summary>One node with its services (`/v1/catalog/node/:node`), or a null node.</summary>
    Task<QueryResult<(CatalogNode? Node, IReadOnlyList<ServiceInstance> Services)>> NodeServicesAsync(string node, QueryOptions options, CancellationToken cancellationToken);
}
