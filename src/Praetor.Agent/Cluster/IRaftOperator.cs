using Praetor.Agent.Endpoints;

namespace Praetor.Agent.Cluster;

/// <summary>
/// Consul's Operator.Raft endpoints (<c>/v1/operator/raft/*</c>, <c>praetor operator raft</c>): on a
/// server <see cref="RaftOperator"/> (answered by the leader), on a client agent
/// <see cref="Endpoints.Remote.RemoteRaftOperator"/> (by RPC to a server, which asks the leader).
/// </summary>
public interface IRaftOperator
{
    /// <summary>
    /// The servers of the Raft configuration with their last indexes, as the leader knows them
    /// (<c>stale</c>: as the server asked knows them). Default and <c>consistent</c> fail without a leader.
    /// </summary>
    Task<RaftConfigurationInfo> ConfigurationAsync(ConsistencyMode consistency, CancellationToken cancellationToken);

    /// <summary>
    /// Removes the server with node ID <paramref name="id"/> or at <paramref name="address"/> (one
    /// of them given; null when absent) from the Raft configuration, on the leader. Consul's
    /// errors: neither given (400), no such server (500).
    /// </summary>
    Task RemovePeerAsync(string? id, string? address, CancellationToken cancellationToken);
}
