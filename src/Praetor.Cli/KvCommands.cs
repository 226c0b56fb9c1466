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

    public static Task<int> RunAsync(IReadOnlyList<string> args, CliContext context)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(context);
        if (args.Count == 0)
        {
            context.Error(Usage);
            return Task.FromResult(1);
        }

        var rest = Rest(args);
        switch (args[0])
        {
            case "get":
                return KvGetCommand.RunAsync(rest, context);
            case "put":
                return KvPutCommand.RunAsync(rest, context);
            case "delete":
                return KvDeleteCommand.RunAsync(rest, context);
            case "export":
                return KvExportCommand.RunAsync(rest, context);
            case "import":
                return KvImportCommand.RunAsync(rest, context);
            case "-h" or "-help" or "--help":
                context.Info(Usage);
                return Task.FromResult(0);
            default:
                context.Error($"Unknown subcommand: kv {args[0]}");
                context.Error(Usage);
                return Task.FromResult(1);
        }
    }

    private static string[] Rest(IReadOnlyList<string> args)
    {
        var rest = new string[args.Count - 1];
        for (var i = 1; i < args.Count; i++)
        {
            rest[i - 1] = args[i];
        }

        return rest;
    }
}
