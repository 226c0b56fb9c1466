using Praetor.Client;

namespace Praetor.Cli.Catalog;

/// <summary>
/// <c>praetor catalog nodes</c> (Consul's <c>consul catalog nodes</c>): the datacenter's nodes in
/// columns <c>Node ID Address DC</c> (ID shortened to its first group), <c>-detailed</c> adding
/// <c>TaggedAddresses</c> and <c>Meta</c> and showing the full ID.
/// </summary>
public static class CatalogNodesCommand
{
    public const string Synopsis = "Lists all nodes in the given datacenter";

    private const string Usage = """
        Usage: praetor catalog nodes [options]

          Retrieves the list nodes registered in a given datacenter. By default, the
          datacenter of the local agent is queried.

          To retrieve the list of nodes:

              $ praetor catalog nodes

          To print detailed information including full node IDs, tagged addresses, and
          metadata information:

              $ praetor catalog nodes -detailed

          To list nodes which are running a particular service:

              $ praetor catalog nodes -service=web

          To filter by node metadata:

              $ praetor catalog nodes -node-meta="foo=bar"

          For a full list of options and examples, please see the Consul documentation.
        """;

    public static async Task<int> RunAsync(IReadOnlyList<string> args, CliContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var command = new HttpCommand("catalog nodes", Usage);
        var flags = command.Flags;
        var filter = flags.String("filter", string.Empty, "Filter to use with the request (not supported yet).");
        var detailed = flags.Bool("detailed", false,
            "Output detailed information about the nodes including their addresses and metadata.");
        var near = flags.String("near", string.Empty,
            "Node name to sort the node list in ascending order based on estimated round-trip time from that node. " +
            "Passing \"_agent\" will use this agent's node for sorting (not supported yet: Praetor keeps no network coordinates).");
        var nodeMeta = KeyValueFlag.Define(flags, "node-meta",
            "Metadata to filter nodes with the given `key=value` pairs. This flag may be specified multiple times to " +
            "filter on multiple sources of metadata.");
        var service = flags.String("service", string.Empty,
            "Service `id or name` to filter nodes. Only nodes which are providing the given service will be returned.");
        if (command.ParseFlags(args, context) is { } exit)
        {
            return exit;
        }

        if (command.TooManyArguments(0, context))
        {
            return 1;
        }

        if (near.IsSet)
        {
            context.Error("-near is not supported yet: Praetor keeps no network coordinates to sort nodes by round-trip time");
            return 1;
        }

        if (filter.IsSet)
        {
            context.Error("-filter is not supported yet: Praetor's API does not evaluate filter expressions");
            return 1;
        }

        return await command.RunAsync(context, async client =>
        {
            var nodes = new List<CatalogNode>();
            if (service.Value.Length > 0)
            {
                await HttpCommand.RequestAsync("Error listing nodes for service", async () =>
                {
                    var instances = await client.Catalog.ServiceAsync(service.Value, nodeMeta: nodeMeta.Value, options: command.Http.QueryOptions);
                    foreach (var instance in instances.Response)
                    {
                        nodes.Add(new CatalogNode
                        {
                            Id = instance.Id,
                            Node = instance.Node,
                            Address = instance.Address,
                            Datacenter = instance.Datacenter,
                            TaggedAddresses = instance.TaggedAddresses,
                            Meta = instance.NodeMeta,
                            CreateIndex = instance.CreateIndex,
                            ModifyIndex = instance.ModifyIndex,
                        });
                    }
                });
            }
            else
            {
                await HttpCommand.RequestAsync(
                    "Error listing nodes", async () => nodes.AddRange((await client.Catalog.NodesAsync(nodeMeta.Value, command.Http.QueryOptions)).Response));
            }

            if (nodes.Count == 0)
            {
                context.Error("No nodes match the given query - try expanding your search.");
                return 0;
            }

            context.Info(Format(nodes, detailed.Value));
            return 0;
        });
    }

    /// <summary>The table Consul prints (its <c>NodesHeader</c> and <c>NodeRow</c> through columnize).</summary>
    public static string Format(IReadOnlyList<CatalogNode> nodes, bool detailed)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        var rows = new List<IReadOnlyList<string>>(nodes.Count + 1)
        {
            detailed ? ["Node", "ID", "Address", "DC", "TaggedAddresses", "Meta"] : ["Node", "ID", "Address", "DC"],
        };
        foreach (var node in nodes)
        {
            if (detailed)
            {
                rows.Add([node.Node, node.Id, node.Address, node.Datacenter, Columnize.KeyValues(node.TaggedAddresses, ", "), Columnize.KeyValues(node.Meta, ", ")]);
            }
            else
            {
                // Only the ID's first group (8 hex digits of a UUID).
                var dash = node.Id.IndexOf('-', StringComparison.Ordinal);
                rows.Add([node.Node, dash > 0 ? node.Id[..dash] : node.Id, node.Address, node.Datacenter]);
            }
        }

        return Columnize.Format(rows);
    }
}
