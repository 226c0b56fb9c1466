namespace Praetor.Cli.Tests.Config;

public sealed class AgentCommandConfigTests : IDisposable
{
    private readonly TempConfigDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static async Task<CliRun> RunToExitAsync(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var exit = await AgentCommand.RunAsync(args, stdout, stderr, () => "test", timeout.Token);
        Assert.False(timeout.IsCancellationRequested, "the agent should have refused to start");
        return new CliRun(exit, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public async Task A_bad_config_file_stops_the_agent_before_it_starts_naming_every_problem()
    {
        var bad = _dir.Write("bad.json", """{ "datacenterr": "x", "service": { "name": "web", "check": { "http": "http://x/", "interval": "10x" } } }""");

        var run = await RunToExitAsync("-dev", $"-config-file={bad}", "-http-port", "0");

        Assert.Equal(1, run.ExitCode);
        Assert.DoesNotContain("Starting Praetor agent", run.Stdout, StringComparison.Ordinal);
        Assert.Equal(
            "==> Invalid configuration:\n" +
            $"    {bad}: datacenterr: unknown key\n" +
            $"    {bad}: service.check.interval: invalid duration \"10x\"\n",
            run.Stderr);
    }

    [Fact]
    public async Task An_hcl_file_in_a_config_dir_stops_the_agent()
    {
        var dir = _dir.Dir("conf.d");
        _dir.Write("conf.d/agent.hcl", "server = true");

        var run = await RunToExitAsync("-dev", "-config-dir", dir, "-http-port", "0");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains($"{Path.Combine(dir, "agent.hcl")}: HCL config files are not supported yet", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_config_file_stops_the_agent()
    {
        var missing = Path.Combine(_dir.Path, "missing.json");

        var run = await RunToExitAsync("-dev", "-config-file", missing);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains($"    {missing}: no such file or directory\n", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_server_config_without_dev_is_still_refused()
    {
        var server = _dir.Write("server.json", """{ "datacenter": "dc1", "data_dir": "/tmp/consul", "server": true, "bootstrap_expect": 1 }""");

        var run = await RunToExitAsync($"-config-file={server}", "-http-port", "0");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("    dev: only -dev agents exist so far", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_script_check_in_a_file_without_enable_local_script_checks_stops_the_agent()
    {
        // Consul's rule since 0.9 (the agent endpoint enforces it); seed 001's old form needs the setting.
        var db = _dir.Write("db.json", """{ "service": { "name": "db", "check": { "script": "/bin/true", "interval": "10s" } } }""");

        var run = await RunToExitAsync("-dev", $"-config-file={db}", "-http-port", "0");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("==> Error starting agent: Scripts are disabled on this agent", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bad_flag_value_after_good_files_is_reported()
    {
        var good = _dir.Write("good.json", "{}");

        var run = await RunToExitAsync("-dev", $"-config-file={good}", "-node-meta", ":nokey", "-http-port", "0");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("    -node-meta: \":nokey\" is not key:value\n", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_good_config_starts_the_agent_with_files_applied_and_flags_winning()
    {
        var dir = _dir.Dir("conf.d");
        _dir.Write("conf.d/10-agent.json", """{ "datacenter": "FileDC", "node_name": "file-node", "ports": { "dns": 5353, "serf_lan": 9301 }, "enable_local_script_checks": true }""");
        _dir.Write("conf.d/20-db.json", """{ "service": { "name": "db", "tags": ["master"], "port": 3306, "check": { "script": "/usr/local/bin/check_mysql_master", "interval": "10s" } } }""");
        var extra = _dir.Write("extra.json", """{ "node_name": "extra-node" }""");
        var stdout = new StringWriter();
        var stdoutSync = TextWriter.Synchronized(stdout);
        var stderr = new StringWriter();
        using var shutdown = new CancellationTokenSource();

        var agent = AgentCommand.RunAsync(
            ["-dev", "-config-dir", dir, "-config-file", extra, "-node", "flag-node", "-dns-port", "5454", "-http-port", "0"],
            stdoutSync, TextWriter.Synchronized(stderr), () => "test", shutdown.Token);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        string output;
        while (true)
        {
            lock (stdoutSync)
            {
                output = stdout.ToString();
            }

            if (output.Contains("Praetor agent running!", StringComparison.Ordinal) || agent.IsCompleted || DateTime.UtcNow > deadline)
            {
                break;
            }

            await Task.Delay(50);
        }

        if (agent.IsCompleted)
        {
            // Awaiting surfaces the exception of a faulted start.
            Assert.Fail($"the agent exited early with {await agent}:\n{output}\n{stderr}");
        }

        Assert.Contains("Praetor agent running!", output, StringComparison.Ordinal);
        await shutdown.CancelAsync();
        Assert.Equal(0, await agent.WaitAsync(TimeSpan.FromSeconds(30)));

        // -node beats both files; the files' datacenter (lower-cased) and serf_lan stay; -dns-port beats the file.
        Assert.Contains("Node name: 'flag-node'", output, StringComparison.Ordinal);
        Assert.Contains("Datacenter: 'filedc'", output, StringComparison.Ordinal);
        Assert.Contains("DNS: 5454)", output, StringComparison.Ordinal);
        Assert.Contains("(LAN: 9301, WAN: 8302)", output, StringComparison.Ordinal);
        Assert.DoesNotContain("HTTP: 8500", output, StringComparison.Ordinal);
    }
}
