using Praetor.Gossip.Serf;
using Praetor.Raft;

namespace Praetor.Agent.Cluster;

/// <summary>
/// The leader's next change to the Raft configuration, from what gossip says of the servers
/// (Consul's leader reconcile: joinConsulServer, removeConsulServer, and autopilot's non-voter
/// promotion and dead-server cleanup). One change at a time: the caller applies it, waits for its
/// commit, and asks again.
/// </summary>
public static class RaftMembershipPlan
{
    /// <summary>A change to make.</summary>
    public abstract record Change(ulong RaftId, string Reason);

    /// <summary>Add the server at <paramref name="Address"/> as a non-voter: it catches up on the log before a promotion.</summary>
    public sealed record AddNonVoter(ulong RaftId, string Address, string Reason) : Change(RaftId, Reason);

    /// <summary>Promote the non-voter at <paramref name="Address"/> to voter (it is caught up and stable).</summary>
    public sealed record Promote(ulong RaftId, string Address, string Reason) : Change(RaftId, Reason);

    /// <summary>Remove the server.</summary>
    public sealed record Remove(ulong RaftId, string Reason) : Change(RaftId, Reason);

    /// <summary>
    /// The next change, or null when the configuration matches gossip. In order: a server of the
    /// configuration that left (or whose address an alive server with another ID took) is removed;
    /// an alive server that is missing is added as a non-voter; an alive non-voter in
    /// <paramref name="stable"/> (caught up for the stabilization time, <see cref="NonVoterHealth"/>)
    /// is promoted; then, with <paramref name="cleanupDeadServers"/>, a failed server, or one gossip
    /// no longer knows, is removed — a non-voter at any time, a voter only while such voters are
    /// fewer than half the voters (so a quorum stays). This server (<paramref name="self"/>) is never removed.
    /// </summary>
    /// <param name="self">This (the leader's) Raft id.</param>
    /// <param name="configuration">The servers of the configuration (<see cref="RaftLog.GetConfiguration"/>).</param>
    /// <param name="servers">The servers of this datacenter that gossip knows.</param>
    /// <param name="cleanupDeadServers">Autopilot's <c>cleanup_dead_servers</c>.</param>
    /// <param name="stable">The non-voters ready for promotion.</param>
    public static Change? Next(ulong self, IReadOnlyList<RaftServer> configuration, IReadOnlyList<ServerMember> servers, bool cleanupDeadServers, IReadOnlySet<ulong> stable)
    {
        var byId = new Dictionary<ulong, ServerMember>();
        foreach (var server in servers)
        {
            byId[server.RaftId] = server;
        }
        foreach (var configured in configuration)
        {
            if (configured.Id == self)
            {
                continue;
            }
            if (byId.TryGetValue(configured.Id, out var member) && member.Status == MemberStatus.Left)
            {
                return new Remove(configured.Id, $"server {member.Name} left");
            }
            var replacement = servers.FirstOrDefault(s => s.Status == MemberStatus.Alive && s.RaftId != configured.Id && s.Address == configured.Address);
            if (replacement is not null)
            {
                return new Remove(configured.Id, $"server {replacement.Name} took its address {configured.Address} with another ID");
            }
        }
        foreach (var server in servers)
        {
            if (server.Status == MemberStatus.Alive && !configuration.Any(c => c.Id == server.RaftId))
            {
                return new AddNonVoter(server.RaftId, server.Address, $"server {server.Name} joined");
            }
        }
        foreach (var configured in configuration)
        {
            if (!configured.Voter && stable.Contains(configured.Id) && byId.TryGetValue(configured.Id, out var member) && member.Status == MemberStatus.Alive)
            {
                return new Promote(configured.Id, member.Address, $"server {member.Name} is caught up and stable");
            }
        }
        if (!cleanupDeadServers)
        {
            return null;
        }
        var dead = configuration
            .Where(c => c.Id != self && (!byId.TryGetValue(c.Id, out var member) || member.Status is MemberStatus.Failed or MemberStatus.None))
            .OrderBy(c => c.Voter)
            .ThenBy(c => c.Id)
            .ToList();
        if (dead.Count == 0 || (dead[0].Voter && dead.Count * 2 >= configuration.Count(c => c.Voter)))
        {
            return null;
        }
        var deadId = dead[0].Id;
        return new Remove(deadId, byId.TryGetValue(deadId, out var failed) ? $"server {failed.Name} failed" : "gossip knows no such server");
    }
}
