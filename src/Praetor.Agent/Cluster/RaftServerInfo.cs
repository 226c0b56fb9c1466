namespace Praetor.Agent.Cluster;

/// <summary>
/// One server of the Raft configuration as Consul's <c>/v1/operator/raft/configuration</c>
/// reports it (structs.RaftServer).
/// </summary>
/// <param name="Id">The server's node ID (a UUID), or its Raft id in decimal when no member names it.</param>
/// <param name="Node">The server's node name; empty when gossip does not know it.</param>
/// <param name="Address">Its server RPC address (<c>host:port</c>).</param>
/// <param name="Leader">Whether it is the leader.</param>
/// <param name="Voter">Whether it votes (false: a non-voter catching up).</param>
/// <param name="ProtocolVersion">Its Raft protocol version as Consul reports it ("3").</param>
/// <param name="LastIndex">The last log index it holds as far as this server knows (the leader knows every follower's).</param>
public sealed record RaftServerInfo(string Id, string Node, string Address, bool Leader, bool Voter, string ProtocolVersion, ulong LastIndex);

/// <summary>The Raft configuration (structs.RaftConfigurationResponse): the servers and the index it was read at.</summary>
public sealed record RaftConfigurationInfo(IReadOnlyList<RaftServerInfo> Servers, ulong Index);
