using Praetor.State.Catalog;

namespace Praetor.Agent.Endpoints.Remote;

/// <summary>
/// A client agent's Catalog endpoint: reads by RPC to a server; registrations and the list of
/// datacenters (which comes from this agent's gossip) through <paramref name="local"/>.
/// </summary>
/// <param name="local">The local endpoint, whose log forwards each registration to the leader.</param>
public sealed class RemoteCatalogEndpoint(EndpointRpcClient rpc, ICatalogEndpoint local) : ICatalogEndpoint
{
    /// <inheritdoc/>
    public Task<string?> RegisterAsync(CatalogRegistration registration, CancellationToken cancellationToken) => local.RegisterAsync(registration, cancellationToken);

    /// <inheritdoc/>
    public Task DeregisterAsync(string node, string? serviceId, string? checkId, CancellationToken cancellationToken) =>
        local.DeregisterAsync(node, serviceId, checkId, cancellationToken);

    /// <inheritdoc/>
    public IReadOnlyList<string> Datacenters() => local.Datacenters();

    /// <inheritdoc/>
    public Task<QueryResult<IReadOnlyList<CatalogNode>>> NodesAsync(NodeMetaFilter meta, QueryOptions options, CancellationToken cancellationToken) =>
        rpc.QueryAsync(EndpointRpcMethods.CatalogNodes, (meta, options), options, cancellationToken);

    /// <inheritdoc/>
    public Task<QueryResult<IReadOnlyList<(string Name, IReadOnlyList<string> Tags)>>> ServicesAsync(NodeMetaFilter meta, QueryOptions options, CancellationToken cancellationToken) =>
        rpc.QueryAsync(EndpointRpcMethods.CatalogServices, (meta, options), options, cancellationToken);

    /// <inheritdoc/>
    public Task<QueryResult<IReadOnlyList<(CatalogNode Node, ServiceInstance Service)>>> ServiceNodesAsync(
        string service, IReadOnlyList<string> tags, NodeMetaFilter meta, QueryOptions options, CancellationToken cancellationToken) =>
        rpc.QueryAsync(EndpointRpcMethods.CatalogServiceNodes, ((service, tags), meta, options), options, cancellationToken);

    /// <inheritdoc/>
    public Task<QueryResult<(CatalogNode? Node, IReadOnlyList<ServiceInstance> Services)>> NodeServicesAsync(string node, QueryOptions options, CancellationToken cancellationToken) =>
        rpc.QueryAsync(EndpointRpcMethods.CatalogNodeServices, (node, options), options, cancellationToken);
}
