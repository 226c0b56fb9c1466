namespace Praetor.Integration;

/// <summary>`praetor snapshot save/inspect/restore` as separate processes: save, delete, restore; and save, wipe (a new agent), restore.</summary>
[Trait("Category", "Integration")]
public sealed class SnapshotCliTests
{
    private static readonly TimeSpan CommandDeadline = TimeSpan.FromSeconds(30);

    private static async Task<ChildProcessResult> RunAsync(AgentProcess agent, params string[] args)
    {
        var result = await PraetorExecutable.RunAsync(args, CommandDeadline, new Dictionary<string, string> { ["CONSUL_HTTP_ADDR"] = agent.HttpAddr });
        Assert.True(result.ExitCode == 0, $"praetor {string.Join(' ', args)}\n{result.Output}\n--- agent ---\n{agent.Process.Output}");
        return result;
    }

    private static async Task AssertKeysAsync(AgentProcess agent)
    {
        Assert.Equal("one\n", (await RunAsync(agent, "kv", "get", "app/one")).StandardOutput);
        Assert.Equal("two\n", (await RunAsync(agent, "kv", "get", "app/two")).StandardOutput);
    }

    [Fact]
    public async Task Snapshot_save_delete_restore_then_wipe_and_restore_brings_the_keys_back()
    {
        using var directory = new TempDirectory();
        var file = directory.Combine("backup.snap");
        string index;
        await using (var agent = await AgentProcess.StartDevAsync())
        {
            await RunAsync(agent, "kv", "put", "app/one", "one");
            await RunAsync(agent, "kv", "put", "app/two", "two");

            var save = await RunAsync(agent, "snapshot", "save", file);
            Assert.Matches(@"^Saved and verified snapshot to index \d+\n$", save.StandardOutput);
            index = save.StandardOutput.Split(' ')[^1].TrimEnd('\n');

            await RunAsync(agent, "kv", "delete", "-recurse", "app/");
            var gone = await PraetorExecutable.RunAsync(["kv", "get", $"-http-addr={agent.HttpAddr}", "app/one"], CommandDeadline);
            Assert.Equal(1, gone.ExitCode);

            Assert.Equal("Restored snapshot\n", (await RunAsync(agent, "snapshot", "restore", file)).StandardOutput);
            await AssertKeysAsync(agent);
        }

        var inspect = await PraetorExecutable.RunAsync(["snapshot", "inspect", file], CommandDeadline);
        Assert.True(inspect.ExitCode == 0, inspect.Output);
        Assert.Contains($"\n Index        {index}\n", inspect.StandardOutput, StringComparison.Ordinal);

        // A -dev agent keeps its state in memory: a new one starts empty, as after losing every server.
        await using (var fresh = await AgentProcess.StartDevAsync())
        {
            Assert.Equal("Restored snapshot\n", (await RunAsync(fresh, "snapshot", "restore", file)).StandardOutput);
            await AssertKeysAsync(fresh);
            await RunAsync(fresh, "kv", "put", "app/three", "three");
            var detailed = (await RunAsync(fresh, "kv", "get", "-detailed", "app/three")).StandardOutput;
            var modifyIndex = detailed.Split('\n').Single(l => l.StartsWith("ModifyIndex", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1];
            Assert.True(ulong.Parse(modifyIndex, System.Globalization.CultureInfo.InvariantCulture) > ulong.Parse(index, System.Globalization.CultureInfo.InvariantCulture),
                $"a write after the restore is stamped {modifyIndex}, not past the snapshot's {index}");
        }
    }
}
