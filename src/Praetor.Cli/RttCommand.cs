using System.Globalization;
using Praetor.Client;

namespace Praetor.Cli;

/// <summary>
/// <c>praetor rtt [-wan] &lt;node1&gt; [&lt;node2&gt;]</c> (Consul's <c>consul rtt</c>): the round trip
/// time between two nodes estimated from their network coordinates, the LAN ones from
/// <c>/v1/coordinate/nodes</c>, or with <c>-wan</c> the servers' WAN ones (<c>node.dc</c>) from
/// <c>/v1/coordinate/datacenters</c>. Without a second node, the agent's own node.
/// </summary>
public static class RttCommand
{
    public const string Synopsis = "Estimates network round trip time between nodes";

    private const string Usage = """
        Usage: praetor rtt [options] node1 [node2]

          Estimates the round trip time between two nodes using Praetor's network
          coordinate model of the cluster.

          At least one node name is required. If the second node name isn't given, it
          is set to the agent's node name. These are node names as "praetor members"
          shows them, not IP addresses.

          By default, the two nodes are assumed to be nodes in the local datacenter
          and the LAN coordinates are used. If the -wan option is given, then the WAN
          coordinates are used, and the node names must be suffixed by a period and
          the datacenter (eg. "myserver.dc1").

          It is not possible to measure between LAN coordinates and WAN coordinates
          because they are maintained by independent gossip pools, so they are not
          compatible.
        """;

    public static async Task<int> RunAsync(IReadOnlyList<string> args, CliContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var command = new HttpCommand("rtt", Usage);
        var wan = command.Flags.Bool("wan", false, "Use WAN coordinates instead of LAN coordinates.");
        if (command.ParseFlags(args, context) is { } exit)
        {
            return exit;
        }

        var nodes = command.Flags.Args.ToList();
        if (nodes.Count is < 1 or > 2)
        {
            context.Error("One or two node names must be specified");
            context.Error("For more information, refer to the 'praetor rtt -h' command.");
            return 1;
        }

        return await command.RunAsync(context, async client =>
        {
            if (nodes.Count == 1)
            {
                var self = await HttpCommand.RequestAsync("Unable to look up agent info", () => client.Agent.SelfAsync());
                nodes.Add(wan.Value ? $"{self.Config.NodeName}.{self.Config.Datacenter}" : self.Config.NodeName);
            }
            IEnumerable<CoordinateEntry> entries = wan.Value
                ? (await HttpCommand.RequestAsync("Error getting coordinates", () => client.Coordinate.DatacentersAsync())).SelectMany(dc => dc.Coordinates)
                : (await HttpCommand.RequestAsync("Error getting coordinates", () => client.Coordinate.NodesAsync())).Response;
            var byNode = new Dictionary<string, NetworkCoordinate>(StringComparer.Ordinal);
            foreach (var entry in entries)
            {
                if (entry.Coord is { } coord && (wan.Value || entry.Segment.Length == 0))
                {
                    byNode.TryAdd(entry.Node, coord);
                }
            }
            var coordinates = new Gossip.Serf.Coordinate[2];
            for (var i = 0; i < 2; i++)
            {
                if (!byNode.TryGetValue(nodes[i], out var found))
                {
                    context.Error($"Could not find a coordinate for node \"{nodes[i]}\"");
                    return 1;
                }
                coordinates[i] = new Gossip.Serf.Coordinate(found.Vec, found.Error, found.Adjustment, found.Height);
            }
            if (!coordinates[0].IsCompatibleWith(coordinates[1]))
            {
                context.Error("Coordinates of the two nodes have different dimensionalities");
                return 1;
            }
            var milliseconds = coordinates[0].DistanceTo(coordinates[1]) * 1000.0;
            context.Info(string.Create(CultureInfo.InvariantCulture,
                $"Estimated {nodes[0]} <-> {nodes[1]} rtt: {milliseconds:F3} ms (using {(wan.Value ? "WAN" : "LAN")} coordinates)"));
            return 0;
        });
    }
}
