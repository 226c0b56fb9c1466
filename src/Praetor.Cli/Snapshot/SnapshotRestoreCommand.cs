using Praetor.Client;
namespace Praetor.Cli.Snapshot;

/// <summary><c>praetor snapshot restore FILE</c>: sends the archive to <c>PUT /v1/snapshot</c> and prints <c>Restored snapshot</c>.</summary>
public static class SnapshotRestoreCommand
{
    private const string Usage = """
        Usage: praetor snapshot restore [options] FILE

          Restores an atomic, point-in-time snapshot of the state of the Praetor servers
          which includes key/value entries and the service catalog.

          The restore replaces the whole state on every server, through the replicated
          log. It is primarily intended to be used when recovering from a disaster,
          restoring into a fresh cluster of Praetor servers.

          To restore a snapshot from the file "backup.snap":

            $ praetor snapshot restore backup.snap
        """;

    public static async Task<int> RunAsync(IReadOnlyList<string> args, CliContext context)
    {
        var command = new HttpCommand("snapshot restore", Usage);
        if (command.ParseFlags(args, context) is { } exit)
        {
            return exit;
        }
        if (SnapshotCommands.FileArgument(command.Flags, context) is not { } file)
        {
            return 1;
        }

        return await command.RunAsync(context, async client =>
        {
            FileStream archive;
            try
            {
                archive = File.OpenRead(file);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                context.Error($"Error opening snapshot file: {e.Message}");
                return 1;
            }
            using (archive)
            {
                await HttpCommand.RequestAsync("Error restoring snapshot", () => client.Snapshot.RestoreAsync(archive));
            }
            context.Info("Restored snapshot");
            return 0;
        });
    }
}
