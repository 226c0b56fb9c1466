namespace Praetor.Cli.Tests.Config;

public sealed class ValidateCommandTests : IDisposable
{
    private static readonly Dictionary<string, string> NoEnvironment = new(StringComparer.Ordinal);
    private readonly TempConfigDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static Task<CliRun> RunAsync(params string[] args) => CliRun.RunAsync(NoEnvironment, "", ["validate", .. args]);

    [Fact]
    public async Task A_valid_directory_prints_configuration_is_valid_and_exits_0()
    {
        var dir = _dir.Dir("conf.d");
        _dir.Write("conf.d/agent.json", """{ "datacenter": "dc1", "data_dir": "/tmp/consul", "server": true, "bootstrap_expect": 1 }""");
        _dir.Write("conf.d/db.json", """{ "service": { "name": "db", "tags": ["master"], "port": 3306, "check": { "script": "/usr/local/bin/check_mysql_master", "interval": "10s" } } }""");

        var run = await RunAsync(dir);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("Configuration is valid!\n", run.Stdout);
        Assert.Equal("", run.Stderr);
    }

    [Fact]
    public async Task Quiet_prints_nothing_when_valid()
    {
        var file = _dir.Write("a.json", """{ "data_dir": "/tmp/x" }""");

        var run = await RunAsync("-quiet", file);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("", run.Stdout);
    }

    [Fact]
    public async Task Problems_are_all_printed_and_exit_1()
    {
        var file = _dir.Write("web.json", """{ "data_dir": "/tmp/x", "bogus": true, "services": [ { "name": "web", "port": "80", "check": { "http": "http://x/", "interval": "10x" } } ] }""");

        var run = await RunAsync(file);

        Assert.Equal(1, run.ExitCode);
        Assert.Equal("", run.Stdout);
        Assert.Equal(
            "Config validation failed:\n" +
            $"    {file}: bogus: unknown key\n" +
            $"    {file}: services[0].port: expected an integer, got string \"80\"\n" +
            $"    {file}: services[0].check.interval: invalid duration \"10x\"\n",
            run.Stderr);
    }

    [Fact]
    public async Task Quiet_still_prints_problems()
    {
        var file = _dir.Write("a.json", "{");

        var run = await RunAsync("-quiet", file);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains($"{file}: invalid JSON", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Settings_rules_apply_to_the_merged_files()
    {
        var file = _dir.Write("a.json", """{ "bootstrap_expect": 3 }""");

        var run = await RunAsync(file);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("    data_dir: must be set (unless -dev)\n", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("    bootstrap_expect: requires server mode (server = true)\n", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_paths_it_asks_for_one_and_exits_1()
    {
        var run = await RunAsync();

        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith("Must specify at least one config file or directory\n", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_exits_0_with_usage()
    {
        var run = await RunAsync("-h");

        Assert.Equal(0, run.ExitCode);
        Assert.StartsWith("Usage: praetor validate [options] FILE_OR_DIRECTORY...", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("-quiet", run.Stdout, StringComparison.Ordinal);
    }
}
