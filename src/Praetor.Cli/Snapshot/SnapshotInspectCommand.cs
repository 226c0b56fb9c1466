using System.Globalization;
using Praetor.Cli.Flags;
using Praetor.State;

namespace Praetor.Cli.Snapshot;

/// <summary>
/// <c>praetor snapshot inspect FILE</c>: reads and verifies an archive offline (no agent) and
/// prints its meta in Consul's layout: <c> ID</c>, <c> Size</c>, <c> Index</c>, <c> Term</c>,
/// <c> Version</c>, each name padded as Go's tabwriter pads it there (to 14 columns).
/// </summary>
public static class SnapshotInspectCommand
{
    private const string Usage = """
        Usage: praetor snapshot inspect [options] FILE

          Displays information about a snapshot file on disk.

          To inspect the file "backup.snap":

            $ praetor snapshot inspect backup.snap
        """;

    public static Task<int> RunAsync(IReadOnlyList<string> args, CliContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var flags = new GoFlagSet("snapshot inspect");
        if (CommandHelp.ParseFlags(flags, args, context, CommandHelp.Format(Usage, flags)) is { } exit)
        {
            return Task.FromResult(exit);
        }
        if (SnapshotCommands.FileArgument(flags, context) is not { } file)
        {
            return Task.FromResult(1);
        }

        SnapshotArchiveMeta meta;
        try
        {
            using var archive = File.OpenRead(file);
            try
            {
                meta = SnapshotArchive.Read(archive).Meta;
            }
            catch (InvalidDataException e)
            {
                context.Error($"Error reading snapshot: {e.Message}");
                return Task.FromResult(1);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            context.Error($"Error opening snapshot file: {e.Message}");
            return Task.FromResult(1);
        }
        context.Info(Format(meta));
        return Task.FromResult(0);
    }

    /// <summary>Consul's pretty layout of the meta: a space, the name, padding to 14 columns, the value.</summary>
    public static string Format(SnapshotArchiveMeta meta)
    {
        ArgumentNullException.ThrowIfNull(meta);
        (string Name, string Value)[] rows =
        [
            ("ID", meta.Id),
            ("Size", meta.Size.ToString(CultureInfo.InvariantCulture)),
            ("Index", meta.Index.ToString(CultureInfo.InvariantCulture)),
            ("Term", meta.Term.ToString(CultureInfo.InvariantCulture)),
            ("Version", meta.Version.ToString(CultureInfo.InvariantCulture)),
        ];
        // Go's tabwriter (minwidth 8, padding 6) sizes the name column to its widest cell, " Version", plus 6.
        var width = rows.Max(r => r.Name.Length + 1) + 6;
        return string.Join('\n', rows.Select(r => (" " + r.Name).PadRight(width) + r.Value));
    }
}
