using Praetor.Agent.Endpoints;
using Praetor.Raft;

namespace Praetor.Agent.Cluster;

/// <summary>
/// Consul's Operator.Raft endpoints (<c>/v1/operator/raft/*</c>, <c>praetor operator raft</c>):
/// the Raft configuration with each server's node, and removing a peer by ID or address.
/// </summary>
public sealed class RaftOperator(IReplicatedLog log, Func<string, (string NodeId, string Node)?> serverByAddress)
{
    /// <summary>The servers of the Raft configuration, the leader marked, as this server knows them.</summary>
    public RaftConfigurationInfo Configuration()
    {
        var leader = log.Leader.LeaderAddress;
        var servers = new List<RaftServerInfo>();
        foreach (var address in log.Peers)
        {
            var member = serverByAddress(address);
            servers.Add(new RaftServerInfo(member?.NodeId ?? address, member?.Node ?? "", address, address == leader, Voter: true, "3", 0));
        }
        return new RaftConfigurationInfo(servers, 0);
    }

    /// <summary>
    /// Removes the server with node ID <paramref name="id"/> or at <paramref name="address"/>
    /// (exactly one given) from the Raft configuration; Consul's errors when neither or both are
    /// given or no server matches.
    /// </summary>
    public Task RemovePeerAsync(string? id, string? address, CancellationToken cancellationToken)
    {
        var byId = !string.IsNullOrEmpty(id);
        var byAddress = !string.IsNullOrEmpty(address);
        if (byId == byAddress)
        {
            throw EndpointException.BadRequest("Must specify either ?id with the server's ID or ?address with IP:port of peer to remove");
        }
        var servers = Configuration().Servers;
        var match = servers.FirstOrDefault(s => byId ? s.Id == id : s.Address == address);
        if (match is null)
        {
            throw EndpointException.BadRequest(byId
                ? $"id \"{id}\" was not found in the Raft configuration"
                : $"address \"{address}\" was not found in the Raft configuration");
        }
        throw new EndpointException(EndpointErrorKind.Failed, "removing a server needs a cluster: this server is the only one");
    }
}
