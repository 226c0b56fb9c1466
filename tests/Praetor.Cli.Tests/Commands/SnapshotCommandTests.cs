using System.Text.RegularExpressions;
using Praetor.Cli.Tests.Config;

namespace Praetor.Cli.Tests.Commands;

public sealed partial class SnapshotCommandTests : CliAgentFixture, IDisposable
{
    private readonly TempConfigDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private string FilePath(string name) => Path.Combine(_dir.Path, name);

    [Fact]
    public async Task Save_inspect_and_restore_bring_deleted_keys_back()
    {
        await PutAsync("app/one", "1");
        await PutAsync("app/two", "2");
        var file = FilePath("backup.snap");

        var save = await RunAsync("snapshot", "save", file);

        Assert.True(save.ExitCode == 0, save.ToString());
        var index = Host.Agent.Store.Current.Index;
        Assert.Equal($"Saved and verified snapshot to index {index}\n", save.Stdout);
        Assert.Equal([Path.GetFileName(file)], Directory.GetFiles(_dir.Path).Select(Path.GetFileName));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        }

        var inspect = await RunAsync("snapshot", "inspect", file);
        Assert.True(inspect.ExitCode == 0, inspect.ToString());
        var lines = inspect.Stdout.Split('\n');
        Assert.Matches(InspectIdLine(), lines[0]);
        Assert.Matches(@"^ Size {9}\d+$", lines[1]);
        Assert.Equal($" Index        {index}", lines[2]);
        Assert.Equal(" Term         1", lines[3]); // -dev's single server leads term 1
        Assert.Equal(" Version      1", lines[4]);
        // Five record types: the widest name, "Coordinate", sets the first column.
        Assert.Equal(["", " Type            Count      Size", " ----            ----       ----"], lines[5..8]);
        Assert.Contains(lines[8..13], line => KvsLine().IsMatch(line));
        Assert.Contains(" Coordinate      0          0", lines[8..13]);
        Assert.Matches(@"^ Total {22}[\d.]+K?B$", lines[14]);

        await Client.Kv.DeleteAsync("app/one");
        await PutAsync("app/three", "3");
        var restore = await RunAsync("snapshot", "restore", file);

        Assert.True(restore.ExitCode == 0, restore.ToString());
        Assert.Equal("Restored snapshot\n", restore.Stdout);
        Assert.Equal("1", await ValueAsync("app/one"));
        Assert.Equal("2", await ValueAsync("app/two"));
        Assert.Null(await ValueAsync("app/three"));
    }

    [Fact]
    public void Inspect_lays_out_meta_and_record_types_as_consul_does()
    {
        var output = Snapshot.SnapshotInspectCommand.Format(
            new State.SnapshotArchiveMeta("1-5-99", 700, 5, 1, 1),
            [new("KVS", 2, 100), new("Tombstone", 1, 20), new("Register", 3, 2048)]);

        Assert.Equal("""
             ID           1-5-99
             Size         700
             Index        5
             Term         1
             Version      1

             Type           Count      Size
             ----           ----       ----
             Register       3          2KB
             KVS            2          100B
             Tombstone      1          20B
             ----           ----       ----
             Total                     2.1KB
            """, output);
    }

    [GeneratedRegex(@"^ KVS {13}2 {10}\d+B$")]
    private static partial Regex KvsLine();

    [GeneratedRegex(@"^ ID {11}[1-9][0-9]*-\d+-\d+$")]
    private static partial Regex InspectIdLine();

    [Theory]
    [InlineData("save")]
    [InlineData("restore")]
    [InlineData("inspect")]
    public async Task Each_subcommand_takes_exactly_one_file(string subcommand)
    {
        var none = await RunAsync("snapshot", subcommand);
        var two = await RunAsync("snapshot", subcommand, "a", "b");

        Assert.Equal((1, "Missing FILE argument\n"), (none.ExitCode, none.Stderr));
        Assert.Equal((1, "Too many arguments (expected 1, got 2)\n"), (two.ExitCode, two.Stderr));
    }

    [Fact]
    public async Task Inspect_and_restore_refuse_a_missing_or_bad_file_and_change_nothing()
    {
        var bad = FilePath("bad.snap");
        await File.WriteAllTextAsync(bad, "not a snapshot");
        var state = Host.Agent.Store.Current;

        var inspectMissing = await RunAsync("snapshot", "inspect", FilePath("missing.snap"));
        var inspectBad = await RunAsync("snapshot", "inspect", bad);
        var restoreMissing = await RunAsync("snapshot", "restore", FilePath("missing.snap"));
        var restoreBad = await RunAsync("snapshot", "restore", bad);

        Assert.Equal(1, inspectMissing.ExitCode);
        Assert.StartsWith("Error opening snapshot file: ", inspectMissing.Stderr, StringComparison.Ordinal);
        Assert.Equal((1, "Error reading snapshot: not a snapshot archive: not gzip-compressed\n"), (inspectBad.ExitCode, inspectBad.Stderr));
        Assert.Equal(1, restoreMissing.ExitCode);
        Assert.StartsWith("Error opening snapshot file: ", restoreMissing.Stderr, StringComparison.Ordinal);
        Assert.Equal((1, "Error restoring snapshot: Unexpected response code: 400 (not a snapshot archive: not gzip-compressed)\n"), (restoreBad.ExitCode, restoreBad.Stderr));
        Assert.Same(state, Host.Agent.Store.Current);
    }

    [Fact]
    public async Task Save_to_an_agent_that_is_not_there_fails_and_leaves_no_file()
    {
        Environment["CONSUL_HTTP_ADDR"] = $"127.0.0.1:{ClosedPort()}";
        var file = FilePath("backup.snap");

        var save = await RunAsync("snapshot", "save", file);

        Assert.Equal(1, save.ExitCode);
        Assert.StartsWith("Error saving snapshot: ", save.Stderr, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(_dir.Path));
    }

    [Fact]
    public async Task Snapshot_alone_prints_its_usage_and_fails()
    {
        var run = await RunAsync("snapshot");

        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith("Usage: praetor snapshot <subcommand>", run.Stderr, StringComparison.Ordinal);
    }
}
