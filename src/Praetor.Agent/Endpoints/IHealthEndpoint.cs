using Praetor.State.Catalog;

namespace Praetor.Agent.Endpoints;

/// <summary>
/// Consul's Health endpoint: on a server <see cref="HealthEndpoint"/>, on a client
/// <see cref="Remote.RemoteHealthEndpoint"/> (by RPC to a server).
/// </summary>
public interface IHealthEndpoint
{
    /// <summary>The checks of a node, node-level and its services' (`/v1/health/node/:node`).</summary>
    Task<QueryResult<IReadOnlyList<HealthCheck>>> NodeChecksAsync(string node, QueryOptions options, CancellationToken cancellationToken);

    /// <summary>The checks of a service's instances (not node-level checks), as `/v1/health/checks/:service`.</summary>
    Task<QueryResult<IReadOnlyList<HealthCheck>>> ServiceChecksAsync(string service, QueryOptions options, CancellationToken cancellationToken);

    /// <summary>Instances with node and checks; <paramref name="passingOnly"/> keeps those whose every check passes.</summary>
    Task<QueryResult<IReadOnlyList<ServiceHealth>>> ServiceHealthAsync(
        string service, IReadOnlyList<string> tags, NodeMetaFilter meta, bool passingOnly, QueryOptions options, CancellationToken cancellationToken);

    /// <summary>Checks in a state (`passing`, `warning`, `critical`, or `any`).</summary>
    Task<QueryResult<IReadOnlyList<HealthCheck>>> ChecksInStateAsync(string state, QueryOptions options, CancellationToken cancellationToken);
}
