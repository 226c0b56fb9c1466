using Praetor.Client;
using Praetor.State;

namespace Praetor.Cli.Snapshot;

/// <summary>
/// <c>praetor snapshot save [-stale] FILE</c>: downloads the state as an archive into
/// <c>FILE.unverified</c> (mode 0600), verifies it whole, renames it to FILE and prints
/// <c>Saved and verified snapshot to index N</c>, as Consul does.
/// </summary>
public static class SnapshotSaveCommand
{
    private const string Usage = """
        Usage: praetor snapshot save [options] FILE

          Retrieves an atomic, point-in-time snapshot of the state of the Praetor servers
          which includes key/value entries and the service catalog.

          To create a snapshot from the leader server and save it to "backup.snap":

            $ praetor snapshot save backup.snap

          To create a potentially stale snapshot from any available server (useful if no
          leader is available):

            $ praetor snapshot save -stale backup.snap
        """;

    public static async Task<int> RunAsync(IReadOnlyList<string> args, CliContext context)
    {
        var command = new HttpCommand("snapshot save", Usage);
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
            var unverified = file + ".unverified";
            try
            {
                FileStream output;
                try
                {
                    var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.ReadWrite };
                    if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
                    output = new FileStream(unverified, options);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    context.Error($"Error writing unverified snapshot file: {e.Message}");
                    return 1;
                }
                QueryMeta meta;
                using (output)
                {
                    meta = await HttpCommand.RequestAsync("Error saving snapshot", () => client.Snapshot.SaveAsync(output, command.Http.QueryOptions));
                    output.Flush(flushToDisk: true);
                    output.Position = 0;
                    try
                    {
                        SnapshotArchive.Read(output);
                    }
                    catch (InvalidDataException e)
                    {
                        context.Error($"Error verifying snapshot file: {e.Message}");
                        return 1;
                    }
                }
                try
                {
                    File.Move(unverified, file, overwrite: true);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    context.Error($"Error renaming \"{unverified}\" to \"{file}\": {e.Message}");
                    return 1;
                }
                context.Info($"Saved and verified snapshot to index {meta.LastIndex}");
                return 0;
            }
            finally
            {
                File.Delete(unverified);
            }
        });
    }
}
