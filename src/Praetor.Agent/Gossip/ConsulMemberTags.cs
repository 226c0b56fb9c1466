using System.Globalization;
using System.Net;
using Praetor.Gossip.Serf;

namespace Praetor.Agent.Gossip;

/// <summary>
/// Consul's member tags on the LAN pool (server_serf.go, client_serf.go) and how Consul reads them
/// back (metadata.IsConsulServer, isConsulNode): role <c>consul</c> for servers and <c>node</c>
/// for clients, the datacenter, the node ID, protocol versions, the build, and for servers the RPC
/// port and bootstrap settings.
/// </summary>
public static class ConsulMemberTags
{
    public const string RoleServer = "consul";
    public const string RoleClient = "node";

    /// <summary>The tags this agent gossips.</summary>
    public static SortedDictionary<string, string> For(AgentConfig config, string nodeId)
    {
        var inv = CultureInfo.InvariantCulture;
        var server = config.Server || config.DevMode;
        var tags = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["role"] = server ? RoleServer : RoleClient,
            ["dc"] = config.Datacenter,
            ["segment"] = "",
            ["id"] = nodeId,
            ["vsn"] = BuildInfo.ProtocolVersion.ToString(inv),
            ["vsn_min"] = BuildInfo.ProtocolVersionMin.ToString(inv),
            ["vsn_max"] = BuildInfo.ProtocolVersionMax.ToString(inv),
            ["build"] = $"{BuildInfo.ConsulVersion}:{BuildInfo.Revision}",
        };
        if (server)
        {
            tags["raft_vsn"] = "3";
            tags["port"] = ServerPort(config).ToString(inv);
            if (config.SerfWanPort > 0)
            {
                tags["wan_join_port"] = config.SerfWanPort.ToString(inv);
            }
            if (config.GrpcPort > 0)
            {
                tags["grpc_port"] = config.GrpcPort.ToString(inv);
            }
            if (config.Bootstrap || config.DevMode)
            {
                tags["bootstrap"] = "1";
            }
            if (config.BootstrapExpect != 0)
            {
                tags["expect"] = config.BootstrapExpect.ToString(inv);
            }
            tags["acls"] = "0";
            // Feature flags every Consul server since 1.8 advertises: federation states, service-intentions.
            tags["ft_fs"] = "1";
            tags["ft_si"] = "1";
        }
        else
        {
            tags["acls"] = "0";
        }
        return tags;
    }

    /// <summary>
    /// The tags this server gossips on the WAN: the server tags of the LAN without
    /// <c>wan_join_port</c>, which only tells LAN members where to reach the WAN pool.
    /// </summary>
    public static SortedDictionary<string, string> ForWan(AgentConfig config, string nodeId)
    {
        var tags = For(config, nodeId);
        tags.Remove("wan_join_port");
        return tags;
    }

    /// <summary>The server RPC port (8300 unless set).</summary>
    public static int ServerPort(AgentConfig config) => config.ServerPort > 0 ? config.ServerPort : 8300;

    /// <summary>A Consul server of some datacenter (role=consul with a dc and a port).</summary>
    public static bool IsServer(IReadOnlyDictionary<string, string> tags, out string datacenter, out int port)
    {
        datacenter = tags.GetValueOrDefault("dc", "");
        port = 0;
        return tags.GetValueOrDefault("role") == RoleServer
            && int.TryParse(tags.GetValueOrDefault("port"), NumberStyles.None, CultureInfo.InvariantCulture, out port);
    }

    /// <summary>A Consul client of some datacenter (role=node).</summary>
    public static bool IsClient(IReadOnlyDictionary<string, string> tags, out string datacenter)
    {
        datacenter = tags.GetValueOrDefault("dc", "");
        return tags.GetValueOrDefault("role") == RoleClient;
    }

    /// <summary>A member's address as Go's net.IP prints it (IPv4 dotted, also when sent as IPv4-in-IPv6).</summary>
    public static string Address(byte[] addr)
    {
        if (addr.Length is not (4 or 16))
        {
            return "<nil>";
        }
        var ip = new IPAddress(addr);
        return (ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4() : ip).ToString();
    }

    /// <summary>A Serf member as Consul's API shows it.</summary>
    public static AgentMember ToAgentMember(SerfMember member) => new(
        member.Name,
        Address(member.Addr),
        member.Port,
        member.Tags,
        (int)member.Status,
        member.Vsn.ProtocolMin,
        member.Vsn.ProtocolMax,
        member.Vsn.ProtocolCurrent,
        member.Vsn.DelegateMin,
        member.Vsn.DelegateMax,
        member.Vsn.DelegateCurrent);
}
