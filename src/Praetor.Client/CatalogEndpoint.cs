namespace Praetor.Client;

/// <summary><c>/v1/catalog</c> reads (Go's <c>client.Catalog()</c>): datacenters, nodes, services, one service's instances, one node's services.</summary>
public sealed class CatalogEndpoint
{
    private readonly ApiTransport _transport;

    internal CatalogEndpoint(ApiTransport transport)
    {
        _transport = transport;
    }

    /// <summary>Every known datacenter (<c>GET /v1/catalog/datacenters</c>), nearest first.</summary>
    public async Task<IReadOnlyList<string>> DatacentersAsync(CancellationToken ct = default)
    {
        var result = await EndpointCalls.QueryAsync(
            _transport, "catalog/datacenters", new ApiQuery(), ServiceJsonContext.Default.ListString, [], null, ct);
        return result.Response;
    }

    /// <summary>The datacenter's nodes (<c>GET /v1/catalog/nodes</c>), only those whose metadata has every pair of <paramref name="nodeMeta"/>.</summary>
    public async Task<QueryResult<IReadOnlyList<CatalogNode>>> NodesAsync(
        IReadOnlyDictionary<string, string>? nodeMeta = null, QueryOptions? options = null, CancellationToken ct = default)
    {
        var query = EndpointCalls.AddNodeMeta(ApiQuery.For(options), nodeMeta);
        var result = await EndpointCalls.QueryAsync(_transport, "catalog/nodes", query, ServiceJsonContext.Default.ListCatalogNode, [], options?.Token, ct);
        return new(result.Response, result.Meta);
    }

    /// <summary>Every service name with the union of its instances' tags (<c>GET /v1/catalog/services</c>).</summary>
    public async Task<QueryResult<IReadOnlyDictionary<string, List<string>>>> ServicesAsync(
        IReadOnlyDictionary<string, string>? nodeMeta = null, QueryOptions? options = null, CancellationToken ct = default)
    {
        var query = EndpointCalls.AddNodeMeta(ApiQuery.For(options), nodeMeta);
        var result = await EndpointCalls.QueryAsync(
            _transport, "catalog/services", query, ServiceJsonContext.Default.DictionaryStringListString, [], options?.Token, ct);
        return new(result.Response, result.Meta);
    }

    /// <summary>A service's instances (<c>GET /v1/catalog/service/:name</c>), only those carrying every one of <paramref name="tags"/>.</summary>
    public async Task<QueryResult<IReadOnlyList<CatalogService>>> ServiceAsync(
        string service, IReadOnlyList<string>? tags = null, IReadOnlyDictionary<string, string>? nodeMeta = null,
        QueryOptions? options = null, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(service);
        var query = EndpointCalls.AddNodeMeta(ApiQuery.For(options), nodeMeta);
        foreach (var tag in tags ?? [])
        {
            query.Add("tag", tag);
        }

        var result = await EndpointCalls.QueryAsync(
            _transport, "catalog/service/" + EndpointCalls.Segment(service), query, ServiceJsonContext.Default.ListCatalogService, [], options?.Token, ct);
        return new(result.Response, result.Meta);
    }

    /// <summary>A node and its services (<c>GET /v1/catalog/node/:node</c>); a null response when the node is unknown.</summary>
    public async Task<QueryResult<CatalogNodeServices?>> NodeAsync(string node, QueryOptions? options = null, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(node);
        var result = await EndpointCalls.QueryAsync(
            _transport, "catalog/node/" + EndpointCalls.Segment(node), ApiQuery.For(options), ServiceJsonContext.Default.CatalogNodeServices, new CatalogNodeServices(), options?.Token, ct);
        return new(result.Response.Node is null ? null : result.Response, result.Meta);
    }
}
