using Praetor.Raft;

namespace Praetor.Agent.Endpoints;

/// <summary>Consul's Status endpoint: who leads, and who votes.</summary>
public sealed class StatusEndpoint(IReplicatedLog log)
{
    /// <summary>The leader's server address, or empty when there is none.</summary>
    public string Leader() => log.Leader.LeaderAddress;

    public IReadOnlyList<string> Peers() => log.Peers;
}
