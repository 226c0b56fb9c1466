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

    private static readonly CommandFamily Family = new("catalog", Usage, new Dictionary<string, CommandRun>(StringComparer.Ordinal)
        {
            ["datacenters"] = CatalogDatacentersCommand.RunAsync,
            ["nodes"] = CatalogNodesCommand.RunAsync,
            ["services"] = CatalogServicesCommand.RunAsync,
        });

    public static Task<int> RunAsync(IReadOnlyList<string> args, CliContext context) => Family.RunAsync(args, context);
}
