namespace Praetor.Agent.Endpoints.Remote;

/// <summary>A client agent's Status endpoint: a server's view of the leader and the voters, by RPC.</summary>
public sealed class RemoteStatusEndpoint(EndpointRpcClient rpc) : IStatusEndpoint
{
    /// <inheritdoc/>
    public Task<string> LeaderAsync(CancellationToken cancellationToken) => rpc.CallAsync(EndpointRpcMethods.StatusLeader, default, cancellationToken);

    /// <inheritdoc/>
    public Task<IReadOnlyList<string>> PeersAsync(CancellationToken cancellationToken) => rpc.CallAsync(EndpointRpcMethods.StatusPeers, default, cancellationToken);
}
