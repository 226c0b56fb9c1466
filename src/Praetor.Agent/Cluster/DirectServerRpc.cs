using Praetor.Agent.Endpoints.Remote;
using Praetor.Agent.Rpc;
using Praetor.Raft;

namespace Praetor.Agent.Cluster;

/// <summary>
/// The endpoint RPC to one server chosen by the caller: the leader, for a follower that forwards
/// (Consul's ForwardRPC), or a given server (the bootstrap check). A server that cannot be reached
/// or fails the call is a <see cref="NotLeaderException"/> (a 500 over HTTP) with the RPC's error.
/// </summary>
/// <param name="rpc">The server's RPC client.</param>
/// <param name="address">The server's RPC address now; null when there is none (no known leader).</param>
public sealed class DirectServerRpc(RpcClient rpc, Func<string?> address) : IServerRpc
{
    /// <inheritdoc/>
    public async Task<byte[]> CallAsync(string method, ReadOnlyMemory<byte> body, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var target = address() ?? throw new NotLeaderException("No cluster leader");
        try
        {
            return await rpc.CallAsync(target, method, body, timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (RpcErrorException ex)
        {
            throw new NotLeaderException(ex.Message);
        }
        catch (RpcUnavailableException ex)
        {
            throw new NotLeaderException($"rpc error: {ex.Message}");
        }
    }
}
