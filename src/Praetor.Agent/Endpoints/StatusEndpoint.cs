using Praetor.Raft;

namespace Praetor.Agent.Endpoints;

/// <summary>Consul's Status endpoint: who leads, and who votes, as this server's log knows it.</summary>
public sealed class StatusEndpoint(IReplicatedLog log) : IStatusEndpoint
{
    /// <inheritdoc/>
    public Task<string> LeaderAsync(CancellationToken cancellationToken) => Task.FromResult(log.Leader.LeaderAddress);

    /// <inheritdoc/>
    public Task<IReadOnlyList<string>> PeersAsync(CancellationToken cancellationToken) => Task.FromResult(log.Peers);
}
