using Praetor.Agent.Endpoints.Remote;
using Praetor.Agent.Rpc;
using Praetor.Gossip.Serf;
using Praetor.Raft;

namespace Praetor.Agent.Cluster;

/// <summary>
/// How a client agent reaches the servers (Consul's router and server manager): the alive
/// servers of its datacenter from the LAN pool's tags, one of them used until a call to it
/// fails, then the next. Its reads go through <see cref="CallAsync"/>; its writes through a
/// <see cref="ForwardingLog"/> that sends them to <see cref="PickServer"/>.
/// </summary>
/// <param name="rpc">The agent's RPC client.</param>
/// <param name="members">The LAN pool's members.</param>
/// <param name="datacenter">This agent's datacenter.</param>
public sealed class ServerRouter(RpcClient rpc, Func<IReadOnlyList<SerfMember>> members, string datacenter) : IServerRpc
{
    /// <summary>Consul's error when a client knows no server.</summary>
    public const string NoServersMessage = "No known Consul servers";

    private string? _current;

    /// <summary>The RPC address of the server in use, choosing one at random when none is (or it is gone); null when gossip knows none.</summary>
    public string? PickServer()
    {
        var alive = Servers();
        var current = Volatile.Read(ref _current);
        if (current is not null && alive.Contains(current))
        {
            return current;
        }
        var next = alive.Count == 0 ? null : alive[Random.Shared.Next(alive.Count)];
        Volatile.Write(ref _current, next);
        return next;
    }

    /// <summary>Sends one request to a server; when the server cannot be reached, tries each other alive server once before failing with <see cref="NotLeaderException"/>.</summary>
    public async Task<byte[]> CallAsync(string method, ReadOnlyMemory<byte> body, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var tried = new HashSet<string>(StringComparer.Ordinal);
        RpcUnavailableException? last = null;
        while (PickServer() is { } server && tried.Add(server))
        {
            try
            {
                return await rpc.CallAsync(server, method, body, timeout, cancellationToken).ConfigureAwait(false);
            }
            catch (RpcUnavailableException ex)
            {
                last = ex;
                Rotate(server, tried);
            }
            catch (RpcErrorException ex)
            {
                throw new NotLeaderException(ex.Message);
            }
        }
        throw new NotLeaderException(last is null ? NoServersMessage : $"rpc error: {last.Message}");
    }

    /// <summary>The server in use could not be reached: the next pick is another alive server.</summary>
    public void ServerFailed()
    {
        if (Volatile.Read(ref _current) is { } server)
        {
            Rotate(server, [server]);
        }
    }

    private void Rotate(string failed, HashSet<string> avoid) =>
        Interlocked.CompareExchange(ref _current, Servers().FirstOrDefault(s => !avoid.Contains(s)), failed);

    private List<string> Servers() =>
        [.. ServerMember.InDatacenter(members(), datacenter).Where(s => s.Status == MemberStatus.Alive).Select(s => s.Address)];
}
