using System.Text.Json;

namespace Praetor.Integration;

/// <summary>
/// Seed 001 (GREE Advent Calendar 2014, "オーケストレーション入門"): the `db` service defined in a
/// config file with the old `"script"` check form and an `interval`. Exit code 0 is passing, 1 is
/// warning, anything else critical; `/v1/health/service/db?passing` lists the instance only while
/// it passes. The script reads its exit code from a file the test rewrites.
/// </summary>
[Trait("Category", "Integration")]
public sealed class Seed001ScriptCheckTests
{
    private static readonly TimeSpan ExitDeadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Seed_db_service_script_check_follows_the_exit_code()
    {
        using var temp = new TempDirectory();
        var seed = SeedFiles.Create(temp);
        await using var agent = await AgentProcess.StartDevAsync("-enable-local-script-checks", $"-config-dir={seed.ConfigDir}");
        using var http = new AgentHttp(agent);

        var passing = await http.WaitForAsync("v1/health/service/db?passing", static b => b.GetArrayLength() == 1, "db listed as passing while the script exits 0");
        var instance = passing[0];
        Assert.Equal("db", instance.GetProperty("Service").GetProperty("ID").GetString());
        Assert.Equal(3306, instance.GetProperty("Service").GetProperty("Port").GetInt32());
        Assert.Equal(["master"], instance.GetProperty("Service").GetProperty("Tags").EnumerateArray().Select(static t => t.GetString()));
        var check = DbCheck(instance);
        Assert.Equal("script", check.GetProperty("Type").GetString());
        Assert.Equal("1s", check.GetProperty("Definition").GetProperty("Interval").GetString());
        Assert.Contains("exit code file says 0", check.GetProperty("Output").GetString(), StringComparison.Ordinal);

        seed.SetExitCode(1);
        await WaitForDbCheckAsync(http, "warning", 1);
        Assert.Equal(0, (await http.GetJsonAsync("v1/health/service/db?passing")).GetArrayLength());

        seed.SetExitCode(2);
        await WaitForDbCheckAsync(http, "critical", 2);
        Assert.Equal(0, (await http.GetJsonAsync("v1/health/service/db?passing")).GetArrayLength());

        seed.SetExitCode(0);
        passing = await http.WaitForAsync("v1/health/service/db?passing", static b => b.GetArrayLength() == 1, "db listed as passing again once the script exits 0");
        Assert.Equal("passing", DbCheck(passing[0]).GetProperty("Status").GetString());
    }

    [Fact]
    public async Task Seed_db_service_without_enable_local_script_checks_exits_1_naming_the_setting()
    {
        using var temp = new TempDirectory();
        var seed = SeedFiles.Create(temp);
        var port = FreeLoopbackPort.Pick();

        var result = await PraetorExecutable.RunAsync(["agent", "-dev", $"-config-dir={seed.ConfigDir}", $"-http-port={port}"], ExitDeadline);

        Assert.True(result.ExitCode == 1, $"a script check without enable_local_script_checks must stop the agent with exit code 1\n{result.Output}");
        Assert.Contains("enable_local_script_checks", result.StandardError, StringComparison.Ordinal);
    }

    private static async Task WaitForDbCheckAsync(AgentHttp http, string status, int exitCode)
    {
        var entries = await http.WaitForAsync("v1/health/service/db", b => b.GetArrayLength() == 1 && DbCheck(b[0]).GetProperty("Status").GetString() == status,
            $"the db check {status} once the script exits {exitCode}");
        Assert.Contains($"exit code file says {exitCode}", DbCheck(entries[0]).GetProperty("Output").GetString(), StringComparison.Ordinal);
    }

    /// <summary>The service's own check in one `/v1/health/service` entry (the node's serfHealth is the other).</summary>
    private static JsonElement DbCheck(JsonElement entry) =>
        entry.GetProperty("Checks").EnumerateArray().Single(static c => c.GetProperty("CheckID").GetString() == "service:db");

    /// <summary>The seed's config directory holding `db.json`, and the check script with the file it reads its exit code from.</summary>
    private sealed record SeedFiles(string ConfigDir, string ExitCodeFile)
    {
        public static SeedFiles Create(TempDirectory temp)
        {
            var configDir = temp.CreateSubdirectory("consul.d");
            var bin = temp.CreateSubdirectory("bin");
            var exitCodeFile = Path.Combine(bin, "exit-code");
            TempDirectory.WriteAtomically(exitCodeFile, "0\n");
            var script = Path.Combine(bin, "check_mysql_master");
            File.WriteAllText(script, $"""
                #!/bin/sh
                code=$(cat '{exitCodeFile}')
                echo "exit code file says $code"
                exit "$code"

                """);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
            // The blog's definition, word for word, but for the script's path and a 1 s interval.
            File.WriteAllText(Path.Combine(configDir, "db.json"), $$"""
                {
                  "service": {
                    "name": "db",
                    "tags": ["master"],
                    "port": 3306,
                    "check": {
                      "script": {{JsonSerializer.Serialize(script)}},
                      "interval": "1s"
                    }
                  }
                }

                """);
            return new SeedFiles(configDir, exitCodeFile);
        }

        public void SetExitCode(int code) => TempDirectory.WriteAtomically(ExitCodeFile, $"{code}\n");
    }
}
