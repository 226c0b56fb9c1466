namespace Praetor.Client;

/// <summary><c>/v1/health</c> (Go's <c>client.Health()</c>): checks by node, service or state, and a service's instances with their health.</summary>
public sealed class HealthEndpoint
{
    private readonly ApiTransport _transport;

    internal HealthEndpoint(ApiTransport transport)
    {
        _transport = transport;
    }

    /// <summary>Every check on a node, its services' included (<c>GET /v1/health/node/:node</c>).</summary>
    public async Task<QueryResult<IReadOnlyList<HealthCheck>>> NodeAsync(string node, QueryOptions? options = null, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(node);
        return await ChecksAtAsync("health/node/" + EndpointCalls.Segment(node), options, ct);
    }

    /// <summary>Every check on a service's instances (<c>GET /v1/health/checks/:service</c>).</summary>
    public async Task<QueryResult<IReadOnlyList<HealthCheck>>> ChecksAsync(string service, QueryOptions? options = null, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(service);
        return await ChecksAtAsync("health/checks/" + EndpointCalls.Segment(service), options, ct);
    }

    /// <summary>
    /// A service's instances, each with its node and checks (<c>GET /v1/health/service/:service</c>);
    /// with <paramref name="passingOnly"/>, only instances whose every check passes.
    /// </summary>
    public async Task<QueryResult<IReadOnlyList<ServiceEntry>>> ServiceAsync(
        string service, IReadOnlyList<string>? tags = null, bool passingOnly = false, IReadOnlyDictionary<string, string>? nodeMeta = null,
        QueryOptions? options = null, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(service);
        var query = EndpointCalls.AddNodeMeta(ApiQuery.For(options), nodeMeta);
        foreach (var tag in tags ?? [])
        {
            query.Add("tag", tag);
        }

        if (passingOnly)
        {
            query.Add("passing", "1");
        }

        var result = await EndpointCalls.QueryAsync(
            _transport, "health/service/" + EndpointCalls.Segment(service), query, ServiceJsonContext.Default.ListServiceEntry, [], options?.Token, ct);
        return new(result.Response, result.Meta);
    }

    /// <summary>Every check in <paramref name="state"/> (<see cref="HealthStates"/>: any, passing, warning, critical; <c>GET /v1/health/state/:state</c>).</summary>
    public async Task<QueryResult<IReadOnlyList<HealthCheck>>> StateAsync(string state, QueryOptions? options = null, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(state);
        return await ChecksAtAsync("health/state/" + EndpointCalls.Segment(state), options, ct);
    }

    /// <summary>A GET of a list of checks at <paramref name="path"/> (by node, service or state).</summary>
    private async Task<QueryResult<IReadOnlyList<HealthCheck>>> ChecksAtAsync(string path, QueryOptions? options, CancellationToken ct)
    {
        var result = await EndpointCalls.QueryAsync(_transport, path, ApiQuery.For(options), ServiceJsonContext.Default.ListHealthCheck, [], options?.Token, ct);
        return new(result.Response, result.Meta);
    }
}
