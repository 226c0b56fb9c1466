using Praetor.Gossip.Serf;
using Praetor.Raft;

namespace Praetor.Agent.Cluster;

/// <summary>
/// The leader's view of its non-voters' health, for autopilot's promotion: a non-voter is healthy
/// while gossip has it alive and its replicated index is within <see cref="CaughtUpLagMax"/>
/// entries of the leader's commit index; it is stable once it has been healthy, without a break,
/// for the stabilization time (Consul's <c>server_stabilization_time</c>). Time is passed in, so
/// the rules are tested without a clock. A new leader starts a new view.
/// </summary>
public sealed class NonVoterHealth
{
    /// <summary>250 entries (Consul autopilot's <c>max_trailing_logs</c>): how far behind the commit index a non-voter may be and still count as caught up.</summary>
    public const ulong CaughtUpLagMax = 250;

    private readonly Dictionary<ulong, TimeSpan> _healthySince = [];

    /// <summary>
    /// Records what the leader sees at <paramref name="now"/> (a monotonic time) and returns the
    /// non-voters healthy for at least <paramref name="stabilization"/>.
    /// </summary>
    /// <param name="now">The time of the observation, never going back.</param>
    /// <param name="configuration">The servers of the configuration.</param>
    /// <param name="matchIndex">The leader's replicated index of a server (0: none known).</param>
    /// <param name="commitIndex">The leader's commit index.</param>
    /// <param name="servers">The servers of this datacenter that gossip knows.</param>
    /// <param name="stabilization">How long a non-voter must stay healthy.</param>
    public IReadOnlySet<ulong> Observe(TimeSpan now, IReadOnlyList<RaftServer> configuration, Func<ulong, ulong> matchIndex, ulong commitIndex, IReadOnlyList<ServerMember> servers, TimeSpan stabilization)
    {
        var stable = new HashSet<ulong>();
        var seen = new HashSet<ulong>();
        foreach (var server in configuration.Where(s => !s.Voter))
        {
            seen.Add(server.Id);
            var match = matchIndex(server.Id);
            var alive = servers.Any(m => m.RaftId == server.Id && m.Status == MemberStatus.Alive);
            if (!alive || match == 0 || match + CaughtUpLagMax < commitIndex)
            {
                _healthySince.Remove(server.Id);
                continue;
            }
            if (!_healthySince.TryGetValue(server.Id, out var since))
            {
                since = now;
                _healthySince[server.Id] = since;
            }
            if (now - since >= stabilization)
            {
                stable.Add(server.Id);
            }
        }
        foreach (var id in _healthySince.Keys.Where(id => !seen.Contains(id)).ToList())
        {
            _healthySince.Remove(id);
        }
        return stable;
    }
}
