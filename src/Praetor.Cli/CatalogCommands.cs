using Praetor.Cli.Catalog;

namespace Praetor.Cli;

/// <summary><c>praetor catalog</c>: dispatches to datacenters, nodes and services (Consul's <c>consul catalog</c>).</summary>
public static class CatalogCommands
{
    public const string Synopsis = "Interact with the catalog";

    private const string Usage = """
        Usage: praetor catalog <subcommand> [options] [args]

          This command has subcommands for interacting with Consul's catalog. The
          catalog should not be confused with the agent, although the APIs and
          responses may be similar.

          Here are some simple examples, and more detailed examples are available
          in the subcommands or the documentation.

          List all datacenters:

              $ praetor catalog datacenters

          List all nodes:

              $ praetor catalog nodes

          List all services:

              $ praetor catalog services

          For more examples, ask for subcommand help or view the documentation.

        Subcommands:
            datacenters    Lists all known datacenters
            nodes          Lists all nodes in the given datacenter
            services       Lists all registered services in a datacenter
        """;

    public static Task<int> RunAsync(IReadOnlyList<string> args, CliContext context)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(context);
        if (args.Count == 0)
        {
            context.Error(Usage);
            return Task.FromResult(1);
        }

        var rest = args.Skip(1).ToArray();
        switch (args[0])
        {
            case "datacenters":
                return CatalogDatacentersCommand.RunAsync(rest, context);
            case "nodes":
                return CatalogNodesCommand.RunAsync(rest, context);
            case "services":
                return CatalogServicesCommand.RunAsync(rest, context);
            case "-h" or "-help" or "--help":
                context.Info(Usage);
                return Task.FromResult(0);
            default:
                context.Error($"Unknown subcommand: catalog {args[0]}");
                context.Error(Usage);
                return Task.FromResult(1);
        }
    }
}
