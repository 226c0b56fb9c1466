using System.Text.Json;

namespace Praetor.Integration;

/// <summary>
/// Seed 001's failover hook: <c>consul watch -type service -service master.db /usr/local/bin/mysql-failover.sh</c>.
/// The watched service is the one named <c>master.db</c> (as in Consul, the name is taken literally),
/// defined in a config file with the seed's script check. The failover script gets the health
/// entries on stdin at start, and again when the check fails.
/// </summary>
[Trait("Category", "Integration")]
public sealed class Seed001WatchTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Seed_watch_on_master_db_runs_the_failover_script_when_its_check_fails()
    {
        using var temp = new TempDirectory();
        var configDir = temp.CreateSubdirectory("consul.d");
        var bin = temp.CreateSubdirectory("bin");
        var exitCodeFile = Path.Combine(bin, "exit-code");
        TempDirectory.WriteAtomically(exitCodeFile, "0\n");
        var check = Executable(Path.Combine(bin, "check_mysql_master"), $"#!/bin/sh\nexit \"$(cat '{exitCodeFile}')\"\n");
        var calls = Path.Combine(temp.Path, "failover-calls");
        var failover = Executable(Path.Combine(bin, "mysql-failover.sh"), $"#!/bin/sh\ninput=$(cat)\nprintf '%s %s\\n' \"$CONSUL_INDEX\" \"$input\" >> '{calls}'\n");
        File.WriteAllText(Path.Combine(configDir, "db.json"), $$"""
            { "service": { "name": "master.db", "tags": ["master"], "port": 3306,
                           "check": { "script": {{JsonSerializer.Serialize(check)}}, "interval": "1s" } } }
            """);
        await using var agent = await AgentProcess.StartDevAsync("-enable-local-script-checks", $"-config-dir={configDir}");
        using var http = new AgentHttp(agent);
        await http.WaitForAsync("v1/health/service/master.db?passing", static b => b.GetArrayLength() == 1, "master.db passing");

        // Started with SIGINT ignored, as `praetor watch ... &` in a script starts it; SIGINT still stops it, as it does Consul's.
        await using var watch = ChildProcess.Start(PraetorExecutable.StartInfo(
            ["watch", $"-http-addr={agent.HttpAddr}", "-type", "service", "-service", "master.db", failover], ignoredSignals: ["INT"]));
        var first = await CallsAsync(calls, 1, watch);
        Assert.Equal("passing", Status(first[0]));

        TempDirectory.WriteAtomically(exitCodeFile, "2\n");
        var failed = await CallsAsync(calls, 2, watch);
        Assert.Equal("critical", Status(failed[1]));

        await watch.SignalAsync("INT");
        Assert.Equal(0, await watch.WaitForExitAsync(Deadline));
    }

    private static string Executable(string path, string text)
    {
        File.WriteAllText(path, text);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        return path;
    }

    /// <summary>The service check's status in one call's input (<c>INDEX [entries]</c>).</summary>
    private static string Status(string call)
    {
        using var entries = JsonDocument.Parse(call[(call.IndexOf(' ', StringComparison.Ordinal) + 1)..]);
        return entries.RootElement[0].GetProperty("Checks").EnumerateArray()
            .Single(static c => c.GetProperty("CheckID").GetString() == "service:master.db").GetProperty("Status").GetString()!;
    }

    /// <summary>Waits until the failover script ran <paramref name="count"/> times, one line (<c>INDEX JSON</c>) per run.</summary>
    private static async Task<string[]> CallsAsync(string path, int count, ChildProcess watch)
    {
        var deadline = DateTime.UtcNow + Deadline;
        while (true)
        {
            // Only whole lines: a run may be writing its line right now.
            var text = File.Exists(path) ? await File.ReadAllTextAsync(path) : "";
            var lines = text[..(text.LastIndexOf('\n') + 1)].Split('\n', StringSplitOptions.RemoveEmptyEntries);
            if (lines.Length >= count)
            {
                return lines;
            }

            Assert.True(DateTime.UtcNow < deadline, $"the failover script ran {lines.Length} times, expected {count}\n{watch.Output}");
            await Task.Delay(100);
        }
    }
}
