using Praetor.Agent.Cluster;

namespace Praetor.Agent.Endpoints.Remote;

/// <summary>
/// The Raft operator endpoints by RPC to a server: a client agent's (its server forwards to the
/// leader), and a follower's way to the leader (through a <see cref="DirectServerRpc"/>).
/// </summary>
public sealed class RemoteRaftOperator(EndpointRpcClient rpc) : IRaftOperator
{
    /// <inheritdoc/>
    public Task<RaftConfigurationInfo> ConfigurationAsync(ConsistencyMode consistency, CancellationToken cancellationToken) =>
        rpc.CallAsync(EndpointRpcMethods.OperatorRaftConfiguration, consistency, cancellationToken);

    /// <inheritdoc/>
    public Task RemovePeerAsync(string? id, string? address, CancellationToken cancellationToken) =>
        rpc.CallAsync(EndpointRpcMethods.OperatorRaftRemovePeer, (id, address), cancellationToken);
}
