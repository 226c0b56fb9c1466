using System.Globalization;
using Praetor.Agent.Gossip;
using Praetor.Gossip.Serf;

namespace Praetor.Agent.Cluster;

/// <summary>
/// A Consul server of this datacenter as its LAN member tags describe it (Consul's
/// metadata.IsConsulServer): its node, Raft id, RPC address and bootstrap settings.
/// </summary>
/// <param name="Name">The node name.</param>
/// <param name="NodeId">The node ID (the <c>id</c> tag, a UUID).</param>
/// <param name="RaftId">Its Raft id (<see cref="RaftServerId"/>).</param>
/// <param name="Address">Its server RPC address, <c>ip:port</c> (the member's address and the <c>port</c> tag).</param>
/// <param name="Expect">Its <c>bootstrap_expect</c> (the <c>expect</c> tag); 0 when unset.</param>
/// <param name="Bootstrap">Whether it runs in <c>-bootstrap</c> mode (the <c>bootstrap</c> tag).</param>
/// <param name="Status">Its gossip status.</param>
public sealed record ServerMember(string Name, string NodeId, ulong RaftId, string Address, int Expect, bool Bootstrap, MemberStatus Status)
{
    /// <summary>The servers of datacenter <paramref name="datacenter"/> among <paramref name="members"/> (members with a bad ID or port are left out).</summary>
    public static IReadOnlyList<ServerMember> InDatacenter(IEnumerable<SerfMember> members, string datacenter)
    {
        var servers = new List<ServerMember>();
        foreach (var member in members)
        {
            if (ConsulMemberTags.IsServer(member.Tags, out var dc, out var port) && dc == datacenter
                && member.Tags.GetValueOrDefault("segment", "") == ""
                && member.Tags.TryGetValue("id", out var nodeId) && RaftServerId.TryFrom(nodeId, out var raftId))
            {
                _ = int.TryParse(member.Tags.GetValueOrDefault("expect"), NumberStyles.None, CultureInfo.InvariantCulture, out var expect);
                servers.Add(new ServerMember(
                    member.Name, nodeId, raftId, $"{ConsulMemberTags.Address(member.Addr)}:{port.ToString(CultureInfo.InvariantCulture)}",
                    expect, member.Tags.GetValueOrDefault("bootstrap") == "1", member.Status));
            }
        }
        return servers;
    }
}
