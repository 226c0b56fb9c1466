using System.Globalization;
using Praetor.Cli.Flags;
using Praetor.State;

namespace Praetor.Cli.Snapshot;

/// <summary>
/// <c>praetor snapshot inspect FILE</c>: reads and verifies an archive offline (no agent) and
/// prints it in Consul's layout: the meta (<c> ID</c>, <c> Size</c>, <c> Index</c>, <c> Term</c>,
/// <c> Version</c>) and the table of record types (<c>KVS</c>, <c>Tombstone</c>, <c>Register</c>).
/// </summary>
public static class SnapshotInspectCommand
{
    private const string Usage = """
        Usage: praetor snapshot inspect [options] FILE

          Displays information about a snapshot file on disk.

          To inspect the file "backup.snap":

            $ praetor snapshot inspect backup.snap
        """;

    private static readonly string[] TableHeader = [" Type", "Count", "Size"];
    private static readonly string[] TableRule = [" ----", "----", "----"];

    public static Task<int> RunAsync(IReadOnlyList<string> args, CliContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var flags = new GoFlagSet("snapshot inspect");
        if (CommandHelp.ParseFlags(flags, args, context, Usage) is { } exit)
        {
            return Task.FromResult(exit);
        }
        if (SnapshotCommands.FileArgument(flags, context) is not { } file)
        {
            return Task.FromResult(1);
        }

        (SnapshotArchiveMeta Meta, StateSnapshot State) snapshot;
        try
        {
            using var archive = File.OpenRead(file);
            try
            {
                snapshot = SnapshotArchive.Read(archive);
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
        context.Info(Format(snapshot.Meta, SnapshotCodec.Statistics(snapshot.State)));
        return Task.FromResult(0);
    }

    /// <summary>
    /// Consul's pretty layout: the meta, a blank line, then each record type with its count and
    /// size (largest first, then by name) between <c>----</c> rules and the total; columns as Go's
    /// tabwriter lays them out there.
    /// </summary>
    public static string Format(SnapshotArchiveMeta meta, IReadOnlyList<SnapshotRecordStats> records)
    {
        ArgumentNullException.ThrowIfNull(meta);
        ArgumentNullException.ThrowIfNull(records);
        var table = new List<string[]> { TableHeader, TableRule };
        foreach (var record in records.OrderByDescending(r => r.Size).ThenBy(r => r.Name, StringComparer.Ordinal))
        {
            table.Add([" " + record.Name, record.Count.ToString(CultureInfo.InvariantCulture), ByteSize(record.Size)]);
        }
        table.Add(TableRule);
        table.Add([" Total", "", ByteSize(records.Sum(r => r.Size))]);
        string[][] header =
        [
            [" ID", meta.Id],
            [" Size", meta.Size.ToString(CultureInfo.InvariantCulture)],
            [" Index", meta.Index.ToString(CultureInfo.InvariantCulture)],
            [" Term", meta.Term.ToString(CultureInfo.InvariantCulture)],
            [" Version", meta.Version.ToString(CultureInfo.InvariantCulture)],
        ];
        return Tabulate(header) + "\n\n" + Tabulate(table);
    }

    /// <summary>
    /// Go's tabwriter as Consul configures it (minimum width 8, padding 6, spaces) for a block of
    /// rows of equal length: every cell but the last is padded to its column's widest plus 6.
    /// </summary>
    private static string Tabulate(IReadOnlyList<string[]> rows)
    {
        var widths = new int[rows[0].Length - 1];
        for (var column = 0; column < widths.Length; column++)
        {
            widths[column] = Math.Max(8, rows.Max(r => r[column].Length) + 6);
        }
        return string.Join('\n', rows.Select(r => string.Concat(r[..^1].Select((cell, column) => cell.PadRight(widths[column]))) + r[^1]));
    }

    /// <summary>Consul's ByteSize: B, KB, MB, GB, TB by powers of 1024, one decimal unless it is .0; "0" for nothing.</summary>
    private static string ByteSize(long bytes)
    {
        if (bytes == 0)
        {
            return "0";
        }
        string[] units = ["B", "KB", "MB", "GB", "TB"];
        var unit = 0;
        while (unit < units.Length - 1 && bytes >= 1L << (10 * (unit + 1)))
        {
            unit++;
        }
        var text = ((double)bytes / (1L << (10 * unit))).ToString("F1", CultureInfo.InvariantCulture);
        return (text.EndsWith(".0", StringComparison.Ordinal) ? text[..^2] : text) + units[unit];
    }
}
