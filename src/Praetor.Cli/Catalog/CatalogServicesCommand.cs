using Praetor.Client;

namespace Praetor.Cli.Catalog;

/// <summary>
/// <c>praetor catalog services</c> (Consul's <c>consul catalog services</c>): service names, one a
/// line in name order; with <c>-tags</c>, each name's tags comma-joined beside it.
/// </summary>
public static class CatalogServicesCommand
{
    public const string Synopsis = "Lists all registered services in a datacenter";

    private const string Usage = """
        Usage: praetor catalog services [options]

          Retrieves the list services registered in a given datacenter. By default, the
          datacenter of the local agent is queried.

          To retrieve the list of services:

              $ praetor catalog services

          To include the services' tags in the output:

              $ praetor catalog services -tags

          To list services which run on a particular node:

              $ praetor catalog services -node=web

          To filter services on node metadata:

              $ praetor catalog services -node-meta="foo=bar"

          For a full list of options and examples, please see the Consul documentation.
        """;

    public static async Task<int> RunAsync(IReadOnlyList<string> args, CliContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var command = new HttpCommand("catalog services", Usage);
        var flags = command.Flags;
        var node = flags.String("node", string.Empty, "Node `id or name` for which to list services.");
        var nodeMeta = KeyValueFlag.Define(flags, "node-meta",
            "Metadata to filter nodes with the given `key=value` pairs. If specified, only services running on nodes " +
            "matching the given metadata will be returned. This flag may be specified multiple times to filter on " +
            "multiple sources of metadata.");
        var tags = flags.Bool("tags", false, "Display each service's tags as a comma-separated list beside each service entry.");
        if (command.ParseFlags(args, context) is { } exit)
        {
            return exit;
        }

        if (command.TooManyArguments(0, context))
        {
            return 1;
        }

        return await command.RunAsync(context, async client =>
        {
            var services = new Dictionary<string, List<string>>(StringComparer.Ordinal);
            if (node.Value.Length > 0)
            {
                await HttpCommand.RequestAsync("Error listing services for node", async () =>
                {
                    var found = (await client.Catalog.NodeAsync(node.Value, command.Http.QueryOptions)).Response;
                    if (found is not null && MatchesMeta(found.Node?.Meta, nodeMeta.Value))
                    {
                        foreach (var (_, service) in found.Services ?? [])
                        {
                            if (!services.TryGetValue(service.Service, out var list))
                            {
                                services[service.Service] = list = [];
                            }

                            list.AddRange(service.Tags ?? []);
                        }
                    }
                });
            }
            else
            {
                await HttpCommand.RequestAsync("Error listing services", async () =>
                {
                    foreach (var (name, serviceTags) in (await client.Catalog.ServicesAsync(nodeMeta.Value, command.Http.QueryOptions)).Response)
                    {
                        services[name] = [.. serviceTags];
                    }
                });
            }

            if (services.Count == 0)
            {
                context.Error("No services match the given query - try expanding your search.");
                return 0;
            }

            context.Info(Format(services, tags.Value));
            return 0;
        });
    }

    /// <summary>
    /// Names in order; with tags, Consul's <c>text/tabwriter</c> layout (padding 6): each name padded
    /// to the longest plus six, then its sorted tags comma-joined, the whole block trimmed.
    /// </summary>
    public static string Format(IReadOnlyDictionary<string, List<string>> services, bool withTags)
    {
        ArgumentNullException.ThrowIfNull(services);
        var names = new List<string>(services.Keys);
        names.Sort(StringComparer.Ordinal);
        if (!withTags)
        {
            return string.Join('\n', names);
        }

        var width = names.Max(name => name.Length) + 6;
        var output = new System.Text.StringBuilder();
        foreach (var name in names)
        {
            var serviceTags = new List<string>(services[name]);
            serviceTags.Sort(StringComparer.Ordinal);
            output.Append(name.PadRight(width)).Append(string.Join(',', serviceTags)).Append('\n');
        }

        return output.ToString().Trim();
    }

    // The agent's node endpoint takes no node-meta filter (Consul's ignores it too); applied here so the flag means what it says.
    private static bool MatchesMeta(Dictionary<string, string>? meta, IReadOnlyDictionary<string, string> filter)
    {
        foreach (var (key, value) in filter)
        {
            if (meta is null || !meta.TryGetValue(key, out var actual) || actual != value)
            {
                return false;
            }
        }

        return true;
    }
}
