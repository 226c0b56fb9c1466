namespace Praetor.Agent.Cluster;

/// <summary>
/// Consul's <c>bootstrap_expect</c> decision (server.maybeBootstrap): a server with no Raft
/// state waits until it sees <c>expect</c> alive servers of its datacenter in the LAN pool, all
/// expecting the same number and none in <c>-bootstrap</c> mode; then (once none of them reports
/// Raft peers already) every one of them bootstraps the same configuration of all of them.
/// </summary>
public static class BootstrapExpect
{
    /// <summary>What to do now.</summary>
    public abstract record Decision;

    /// <summary>Not enough servers yet (<paramref name="Seen"/> of the expected).</summary>
    public sealed record Wait(int Seen) : Decision;

    /// <summary>A server's settings make bootstrapping unsafe; <paramref name="Message"/> says which (Consul's log line).</summary>
    public sealed record Refuse(string Message) : Decision;

    /// <summary>Enough servers: bootstrap with these voters (ordered by Raft id), once none reports peers.</summary>
    public sealed record Bootstrap(IReadOnlyList<ServerMember> Servers) : Decision;

    /// <summary>The decision for a server expecting <paramref name="expect"/> servers, given the servers of its datacenter.</summary>
    public static Decision Decide(int expect, IReadOnlyList<ServerMember> servers)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(expect, 1);
        var alive = new List<ServerMember>();
        foreach (var server in servers)
        {
            if (server.Status != Praetor.Gossip.Serf.MemberStatus.Alive)
            {
                continue;
            }
            if (server.Bootstrap)
            {
                return new Refuse($"Member {server.Name} has bootstrap mode. Expect disabled.");
            }
            if (server.Expect != 0 && server.Expect != expect)
            {
                return new Refuse($"Member {server.Name} has a conflicting expect value. All nodes should expect the same number.");
            }
            alive.Add(server);
        }
        if (alive.Count < expect)
        {
            return new Wait(alive.Count);
        }
        alive.Sort((a, b) => a.RaftId.CompareTo(b.RaftId));
        return new Bootstrap(alive);
    }
}
