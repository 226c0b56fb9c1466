using Praetor.Cli.Flags;
using Praetor.Cli.Snapshot;

namespace Praetor.Cli;

/// <summary><c>praetor snapshot</c>: dispatches to save, restore and inspect (Consul's <c>consul snapshot</c>).</summary>
public static class SnapshotCommands
{
    public const string Synopsis = "Saves, restores and inspects snapshots of Consul server state";

    private const string Usage = """
        Usage: praetor snapshot <subcommand> [options] [args]

          This command has subcommands for saving, restoring, and inspecting the state
          of the Praetor servers for disaster recovery. These are atomic, point-in-time
          snapshots which include key/value entries and the service catalog.

          Create a snapshot:

              $ praetor snapshot save backup.snap

          Restore a snapshot:

              $ praetor snapshot restore backup.snap

          Inspect a snapshot:

              $ praetor snapshot inspect backup.snap

          For more examples, ask for subcommand help or view the documentation.

        Subcommands:
            inspect    Displays information about a Consul snapshot file
            restore    Restores snapshot of Consul server state
            save       Saves snapshot of Consul server state
        """;

    private static readonly CommandFamily Family = new("snapshot", Usage, new Dictionary<string, CommandRun>(StringComparer.Ordinal)
        {
            ["save"] = SnapshotSaveCommand.RunAsync,
            ["restore"] = SnapshotRestoreCommand.RunAsync,
            ["inspect"] = SnapshotInspectCommand.RunAsync,
        });

    public static Task<int> RunAsync(IReadOnlyList<string> args, CliContext context) => Family.RunAsync(args, context);

    /// <summary>The one FILE argument every snapshot subcommand takes, or null after Consul's error for none or more.</summary>
    internal static string? FileArgument(GoFlagSet flags, CliContext context)
    {
        switch (flags.Args.Count)
        {
            case 0:
                context.Error("Missing FILE argument");
                return null;
            case 1:
                return flags.Args[0];
            default:
                context.Error($"Too many arguments (expected 1, got {flags.Args.Count})");
                return null;
        }
    }
}
