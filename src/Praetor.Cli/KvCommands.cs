using Praetor.Cli.Kv;

namespace Praetor.Cli;

/// <summary><c>praetor kv</c>: dispatches to get, put, delete, export and import (Consul's <c>consul kv</c>).</summary>
public static class KvCommands
{
    public const string Synopsis = "Interact with the key-value store";

    private const string Usage = """
        Usage: praetor kv <subcommand> [options] [args]

          This command has subcommands for interacting with the key-value store. Here are
          some simple examples, and more detailed examples are available in the
          subcommands or the documentation.

          Create or update the key named "redis/config/connections" with the value "5":

              $ praetor kv put redis/config/connections 5

          Read this value back:

              $ praetor kv get redis/config/connections

          Or get detailed key information:

              $ praetor kv get -detailed redis/config/connections

          Finally, delete the key:

              $ praetor kv delete redis/config/connections

          For more examples, ask for subcommand help or view the documentation.

        Subcommands:
            delete    Removes data from the KV store
            export    Exports a tree from the KV store as JSON
            get       Retrieves or lists data from the KV store
            import    Imports a tree stored as JSON to the KV store
            put       Sets or updates data in the KV store
        """;

    private static readonly CommandFamily Family = new("kv", Usage, new Dictionary<string, CommandRun>(StringComparer.Ordinal)
        {
            ["get"] = KvGetCommand.RunAsync,
            ["put"] = KvPutCommand.RunAsync,
            ["delete"] = KvDeleteCommand.RunAsync,
            ["export"] = KvExportCommand.RunAsync,
            ["import"] = KvImportCommand.RunAsync,
        });

    public static Task<int> RunAsync(IReadOnlyList<string> args, CliContext context) => Family.RunAsync(args, context);
}
