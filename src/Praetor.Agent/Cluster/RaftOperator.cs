using Praetor.Agent.Endpoints;
using Praetor.Raft;

namespace Praetor.Agent.Cluster;

/// <summary>
/// Consul's Operator.Raft endpoints (<c>/v1/operator/raft/*</c>, <c>praetor operator raft</c>):
/// the Raft configuration with each server's node from gossip, and removing a peer by ID or address.
/// </summary>
/// <param name="raft">This server's Raft log.</param>
/// <param name="log">The agent's log (reads behind the leader, writes forwarded to it).</param>
/// <param name="serverNode">The node ID and name gossip gives a Raft id; null when gossip does not know it.</param>
/// <param name="removeServer">Removes a server by Raft id through the leader (here, or over RPC).</param>
public sealed class RaftOperator(RaftLog raft, IReplicatedLog log, Func<ulong, (string NodeId, string Node)?> serverNode, Func<ulong, CancellationToken, Task> removeServer)
{
    /// <summary>
    /// The servers of the Raft configuration as this server knows them, after the read barrier of
    /// <paramref name="consistency"/> (default and <c>consistent</c>: fails without a leader, as Consul's).
    /// A server gossip does not know shows as Consul shows it: its Raft id, node <c>(unknown)</c>.
    /// </summary>
    public async Task<RaftConfigurationInfo> ConfigurationAsync(ConsistencyMode consistency, CancellationToken cancellationToken)
    {
        if (consistency != ConsistencyMode.Stale)
        {
            await log.ReadIndexAsync(allowLease: consistency == ConsistencyMode.Default, cancellationToken).ConfigureAwait(false);
        }
        var view = raft.GetConfiguration();
        var servers = new List<RaftServerInfo>(view.Servers.Count);
        foreach (var server in view.Servers)
        {
            var member = serverNode(server.Id);
            servers.Add(new RaftServerInfo(
                member?.NodeId ?? server.Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
                member?.Node ?? "(unknown)",
                server.Address,
                server.Leader,
                server.Voter,
                member is null ? "unknown" : "3",
                server.Id == raft.Id ? view.LastIndex : raft.MatchIndex(server.Id)));
        }
        return new RaftConfigurationInfo(servers, view.CommitIndex);
    }

    /// <summary>
    /// Removes the server with node ID <paramref name="id"/> or at <paramref name="address"/> (one
    /// of them given; null when absent) from the Raft configuration, through the leader. Consul's
    /// errors: neither given (400), no such server (500).
    /// </summary>
    public async Task RemovePeerAsync(string? id, string? address, CancellationToken cancellationToken)
    {
        if (id is null == address is null)
        {
            throw EndpointException.BadRequest("Must specify either ?id with the server's ID or ?address with IP:port of peer to remove");
        }
        var servers = (await ConfigurationAsync(ConsistencyMode.Default, cancellationToken).ConfigureAwait(false)).Servers;
        var match = servers.FirstOrDefault(s => id is not null ? s.Id == id : s.Address == address);
        if (match is null)
        {
            throw new EndpointException(EndpointErrorKind.Failed, id is not null
                ? $"id \"{id}\" was not found in the Raft configuration"
                : $"address \"{address}\" was not found in the Raft configuration");
        }
        var raftId = raft.GetConfiguration().Servers.First(s => s.Address == match.Address).Id;
        await removeServer(raftId, cancellationToken).ConfigureAwait(false);
    }
}
