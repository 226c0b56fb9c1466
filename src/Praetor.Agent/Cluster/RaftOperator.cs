using System.Globalization;
using Praetor.Agent.Endpoints;
using Praetor.Raft;
using Praetor.Raft.Core;

namespace Praetor.Agent.Cluster;

/// <summary>
/// A server's Operator.Raft endpoints: the Raft configuration with each server's node from gossip,
/// and removing a peer by ID or address. Only the leader knows how far each server's log goes and
/// can change the configuration, so a follower forwards both to it (Consul's ForwardRPC), but a
/// <c>stale</c> read of the configuration, which any server answers from its own view.
/// </summary>
/// <param name="raft">This server's Raft log.</param>
/// <param name="log">The agent's log (the read barrier of a default or <c>consistent</c> read).</param>
/// <param name="serverNode">The node ID and name gossip gives a Raft id; null when gossip does not know it.</param>
/// <param name="leader">The leader's operator endpoints, by RPC; null when this server is the only one there is (<c>-dev</c>).</param>
public sealed class RaftOperator(RaftLog raft, IReplicatedLog log, Func<ulong, (string NodeId, string Node)?> serverNode, IRaftOperator? leader) : IRaftOperator
{
    /// <inheritdoc/>
    /// <remarks>A server gossip does not know shows as Consul shows it: its Raft id, node <c>(unknown)</c>.</remarks>
    public async Task<RaftConfigurationInfo> ConfigurationAsync(ConsistencyMode consistency, CancellationToken cancellationToken)
    {
        if (consistency != ConsistencyMode.Stale)
        {
            if (Follower() is { } forward)
            {
                return await forward.ConfigurationAsync(consistency, cancellationToken).ConfigureAwait(false);
            }
            await log.ReadIndexAsync(allowLease: consistency == ConsistencyMode.Default, cancellationToken).ConfigureAwait(false);
        }
        var view = raft.GetConfiguration();
        var servers = new List<RaftServerInfo>(view.Servers.Count);
        foreach (var server in view.Servers)
        {
            var member = serverNode(server.Id);
            servers.Add(new RaftServerInfo(
                NodeId(server.Id, member),
                member?.Node ?? "(unknown)",
                server.Address,
                server.Leader,
                server.Voter,
                member is null ? "unknown" : "3",
                server.Id == raft.Id ? view.LastIndex : raft.MatchIndex(server.Id)));
        }
        return new RaftConfigurationInfo(servers, view.CommitIndex);
    }

    /// <inheritdoc/>
    public async Task RemovePeerAsync(string? id, string? address, CancellationToken cancellationToken)
    {
        if (id is null == address is null)
        {
            throw EndpointException.BadRequest("Must specify either ?id with the server's ID or ?address with IP:port of peer to remove");
        }
        if (Follower() is { } forward)
        {
            await forward.RemovePeerAsync(id, address, cancellationToken).ConfigureAwait(false);
            return;
        }
        var match = raft.GetConfiguration().Servers.FirstOrDefault(s => id is not null ? NodeId(s.Id, serverNode(s.Id)) == id : s.Address == address)
            ?? throw new EndpointException(EndpointErrorKind.Failed, id is not null
                ? $"id \"{id}\" was not found in the Raft configuration"
                : $"address \"{address}\" was not found in the Raft configuration");
        try
        {
            await raft.ChangeConfigurationAsync(ConfigChangeType.RemoveServer, match.Id, "", cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException)
        {
            throw new EndpointException(EndpointErrorKind.Failed, ex.Message);
        }
    }

    /// <summary>The leader to forward to: null on the leader, or when there is no other server to ask.</summary>
    private IRaftOperator? Follower() => leader is not null && !raft.Leader.IsLeader ? leader : null;

    /// <summary>The ID the configuration shows for a server: its node ID from gossip, else its Raft id in decimal.</summary>
    private static string NodeId(ulong raftId, (string NodeId, string Node)? member) =>
        member?.NodeId ?? raftId.ToString(CultureInfo.InvariantCulture);
}
