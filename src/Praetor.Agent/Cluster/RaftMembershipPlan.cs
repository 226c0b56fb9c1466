using Praetor.Gossip.Serf;

namespace Praetor.Agent.Cluster;

/// <summary>
/// The leader's next change to the Raft configuration, from what gossip says of the servers
/// (Consul's leader reconcile: joinConsulServer, removeConsulServer, and autopilot's dead-server
/// cleanup). One change at a time: the caller applies it, waits for its commit, and asks again.
/// </summary>
public static class RaftMembershipPlan
{
    /// <summary>A change to make.</summary>
    public abstract record Change(ulong RaftId, string Reason);

    /// <summary>Add the server as a voter at <paramref name="Address"/>.</summary>
    public sealed record AddVoter(ulong RaftId, string Address, string Reason) : Change(RaftId, Reason);

    /// <summary>Remove the server.</summary>
    public sealed record Remove(ulong RaftId, string Reason) : Change(RaftId, Reason);

    /// <summary>
    /// The next change, or null when the configuration matches gossip. In order: a server of the
    /// configuration that left (or whose address an alive server with another ID took) is removed;
    /// an alive server that is missing is added; then, with <paramref name="cleanupDeadServers"/>,
    /// a failed server, or one gossip no longer knows, is removed while such servers are fewer
    /// than half the configuration (so a quorum stays). This server (<paramref name="self"/>) is never removed.
    /// </summary>
    /// <param name="self">This (the leader's) Raft id.</param>
    /// <param name="configuration">The servers of the configuration: Raft id → address ("" when unknown).</param>
    /// <param name="servers">The servers of this datacenter that gossip knows.</param>
    /// <param name="cleanupDeadServers">Autopilot's <c>cleanup_dead_servers</c>.</param>
    public static Change? Next(ulong self, IReadOnlyDictionary<ulong, string> configuration, IReadOnlyList<ServerMember> servers, bool cleanupDeadServers)
    {
        var byId = new Dictionary<ulong, ServerMember>();
        foreach (var server in servers)
        {
            byId[server.RaftId] = server;
        }
        foreach (var (id, address) in configuration)
        {
            if (id == self)
            {
                continue;
            }
            if (byId.TryGetValue(id, out var member) && member.Status == MemberStatus.Left)
            {
                return new Remove(id, $"server {member.Name} left");
            }
            var replacement = servers.FirstOrDefault(s => s.Status == MemberStatus.Alive && s.RaftId != id && s.Address == address);
            if (replacement is not null)
            {
                return new Remove(id, $"server {replacement.Name} took its address {address} with another ID");
            }
        }
        foreach (var server in servers)
        {
            if (server.Status == MemberStatus.Alive && !configuration.ContainsKey(server.RaftId))
            {
                return new AddVoter(server.RaftId, server.Address, $"server {server.Name} joined");
            }
        }
        if (!cleanupDeadServers)
        {
            return null;
        }
        var dead = configuration.Keys
            .Where(id => id != self && (!byId.TryGetValue(id, out var member) || member.Status is MemberStatus.Failed or MemberStatus.None))
            .ToList();
        if (dead.Count == 0 || dead.Count * 2 >= configuration.Count)
        {
            return null;
        }
        var deadId = dead.Min();
        return new Remove(deadId, byId.TryGetValue(deadId, out var failed) ? $"server {failed.Name} failed" : "gossip knows no such server");
    }
}
