using System.Diagnostics;
using Praetor.Agent.Checks;
using Praetor.Agent.Definitions;
using Praetor.State.Catalog;

namespace Praetor.Agent.Tests.Checks;

public sealed class ScriptCheckRunnerTests : IDisposable
{
    private readonly RecordingSink _sink = new();
    private readonly string _scratch = Directory.CreateTempSubdirectory("praetor-checks-").FullName;

    public void Dispose() => Directory.Delete(_scratch, recursive: true);

    [Theory]
    [InlineData(0, HealthStatus.Passing)]
    [InlineData(1, HealthStatus.Warning)]
    [InlineData(2, HealthStatus.Critical)]
    [InlineData(127, HealthStatus.Critical)]
    public async Task Exit_code_maps_to_status_with_stdout_and_stderr_captured(int exitCode, string expected)
    {
        await using var runner = Start(new CheckDefinition
        {
            Args = ["/bin/sh", "-c", $"echo out; echo err >&2; exit {exitCode}"],
            Interval = TimeSpan.FromSeconds(30),
        });

        var report = await _sink.FirstReportAsync("web");

        Assert.Equal(expected, report.Status);
        Assert.Contains("out\n", report.Output);
        Assert.Contains("err\n", report.Output);
        Assert.Equal(8, report.Output.Length);
    }

    [Fact]
    public async Task Args_run_directly_without_a_shell()
    {
        await using var runner = Start(new CheckDefinition
        {
            Args = ["/bin/echo", "a  b", "$HOME", "|", "tr"],
            Interval = TimeSpan.FromSeconds(30),
        });

        var report = await _sink.FirstReportAsync("web");

        Assert.Equal(new CheckReport("web", HealthStatus.Passing, "a  b $HOME | tr\n"), report);
    }

    [Fact]
    public async Task Script_string_runs_through_the_shell_so_pipes_work()
    {
        await using var runner = Start(new CheckDefinition
        {
            Script = "echo hello | tr a-z A-Z; test -n \"$HOME\"",
            Interval = TimeSpan.FromSeconds(30),
        });

        var report = await _sink.FirstReportAsync("web");

        Assert.Equal(new CheckReport("web", HealthStatus.Passing, "HELLO\n"), report);
    }

    [Fact]
    public async Task A_writer_whose_reader_went_away_ends_quietly_on_SIGPIPE_as_under_consul()
    {
        // With SIGPIPE ignored, as .NET has it, `yes` would get EPIPE and print "Broken pipe" into the output.
        await using var runner = Start(new CheckDefinition
        {
            Script = "yes | head -n 1; grep '^SigIgn' /proc/self/status",
            Interval = TimeSpan.FromSeconds(30),
        });

        var report = await _sink.FirstReportAsync("web");

        Assert.Equal(HealthStatus.Passing, report.Status);
        var lines = report.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("y", lines[0]);
        Assert.False(ProcessProbe.SignalIgnored(lines[1], 13), $"SIGPIPE ignored in the check's process: {report.Output}");
        Assert.Equal(2, lines.Length);
    }

    [Fact]
    public async Task Output_over_the_limit_keeps_the_tail_after_consuls_note()
    {
        await using var runner = Start(new CheckDefinition
        {
            Script = "head -c 900 /dev/zero | tr '\\0' a; printf END",
            Interval = TimeSpan.FromSeconds(30),
            OutputMaxSizeBytes = 100,
        });

        var report = await _sink.FirstReportAsync("web");

        Assert.Equal(HealthStatus.Passing, report.Status);
        Assert.Equal($"Captured 100 of 903 bytes\n...\n{new string('a', 97)}END", report.Output);
    }

    [Fact]
    public async Task Output_is_bounded_to_4_KiB_by_default()
    {
        await using var runner = Start(new CheckDefinition
        {
            Script = "head -c 100000 /dev/zero | tr '\\0' x; exit 1",
            Interval = TimeSpan.FromSeconds(30),
        });

        var report = await _sink.FirstReportAsync("web");

        Assert.Equal(HealthStatus.Warning, report.Status);
        Assert.Equal($"Captured 4096 of 100000 bytes\n...\n{new string('x', 4096)}", report.Output);
    }

    [Fact]
    public async Task Hung_script_is_killed_with_its_children_at_the_timeout()
    {
        var pidFile = Path.Combine(_scratch, "pids");
        var clock = Stopwatch.StartNew();
        await using var runner = Start(new CheckDefinition
        {
            Script = $"sleep 100 & echo $$ $! > {pidFile}; wait",
            Interval = TimeSpan.FromSeconds(30),
            Timeout = TimeSpan.FromSeconds(1),
        });

        var report = await _sink.FirstReportAsync("web");

        Assert.Equal(new CheckReport("web", HealthStatus.Critical, "Timed out (1s) running check"), report);
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(8));
        var pids = await ProcessProbe.ReadPidsAsync(pidFile, 2, TimeSpan.FromSeconds(1));
        Assert.True(await ProcessProbe.WaitUntilGoneAsync(pids[0], TimeSpan.FromSeconds(5)), "the shell still runs");
        Assert.True(await ProcessProbe.WaitUntilGoneAsync(pids[1], TimeSpan.FromSeconds(5)), "the shell's child (sleep) still runs");
    }

    [Fact]
    public async Task Program_that_cannot_start_is_critical_with_the_reason()
    {
        await using var runner = Start(new CheckDefinition
        {
            Args = ["/nonexistent/check-program", "-x"],
            Interval = TimeSpan.FromSeconds(30),
        });

        var report = await _sink.FirstReportAsync("web");

        Assert.Equal(HealthStatus.Critical, report.Status);
        Assert.Contains("/nonexistent/check-program", report.Output);
        Assert.Contains("No such file or directory", report.Output);
    }

    [Fact]
    public async Task Dispose_kills_a_running_script_and_reports_nothing()
    {
        var pidFile = Path.Combine(_scratch, "pid");
        var runner = Start(new CheckDefinition
        {
            Script = $"echo $$ > {pidFile}; exec sleep 100",
            Interval = TimeSpan.FromSeconds(30),
            Timeout = TimeSpan.FromSeconds(60),
        });
        var pid = (await ProcessProbe.ReadPidsAsync(pidFile, 1, TimeSpan.FromSeconds(10)))[0];
        Assert.True(ProcessProbe.IsRunning(pid));

        await runner.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));

        Assert.True(await ProcessProbe.WaitUntilGoneAsync(pid, TimeSpan.FromSeconds(5)), "the script still runs");
        Assert.Empty(_sink.Reports);
    }

    private CheckRunner Start(CheckDefinition definition)
    {
        var runner = CheckRunners.Create("web", definition, _sink, TimeProvider.System);
        Assert.IsType<ScriptCheckRunner>(runner);
        runner.Start();
        return runner;
    }
}
