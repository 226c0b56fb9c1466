namespace Praetor.Agent.Endpoints;

/// <summary>
/// Consul's Status endpoint: on a server <see cref="StatusEndpoint"/> (its log's view), on a
/// client <see cref="Remote.RemoteStatusEndpoint"/> (a server's view, by RPC).
/// </summary>
public interface IStatusEndpoint
{
    /// <summary>The leader's server address, or empty when there is none.</summary>
    Task<string> LeaderAsync(CancellationToken cancellationToken);

    /// <summary>The addresses of the voting servers.</summary>
    Task<IReadOnlyList<string>> PeersAsync(CancellationToken cancellationToken);
}
