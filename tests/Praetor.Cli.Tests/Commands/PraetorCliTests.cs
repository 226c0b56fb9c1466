using System.Text.Json;

namespace Praetor.Cli.Tests.Commands;

public sealed class PraetorCliTests
{
    private static readonly Dictionary<string, string> NoEnvironment = [];

    private static Task<CliRun> RunAsync(params string[] args) => CliRun.RunAsync(NoEnvironment, string.Empty, args);

    [Fact]
    public async Task No_arguments_prints_the_command_list_and_fails()
    {
        var run = await RunAsync();
        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith("Usage: praetor [--version] [--help] <command> [<args>]\n\nAvailable commands are:\n", run.Stdout, StringComparison.Ordinal);
        // Names are padded to the longest one plus four spaces, as Consul's CLI lists them.
        Assert.Matches(@"\n    agent +Runs a Praetor agent\n", run.Stdout);
        Assert.Matches(@"\n    kv +Interact with the key-value store\n", run.Stdout);
        Assert.Matches(@"\n    version +Prints the Praetor version\n", run.Stdout);
        var descriptionColumns = run.Stdout.Split('\n').Where(l => l.StartsWith("    ", StringComparison.Ordinal))
            .Select(l => l.Length - l.TrimStart().Length + l.TrimStart().IndexOf(' ', StringComparison.Ordinal)
                + l.TrimStart()[l.TrimStart().IndexOf(' ', StringComparison.Ordinal)..].TakeWhile(c => c == ' ').Count())
            .Distinct();
        Assert.Single(descriptionColumns);
    }

    [Theory]
    [InlineData("-h")]
    [InlineData("-help")]
    [InlineData("--help")]
    public async Task Help_prints_the_command_list_and_succeeds(string flag)
    {
        var run = await RunAsync(flag);
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("Available commands are:", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Keygen_prints_a_new_32_byte_key_the_agent_accepts()
    {
        var first = await RunAsync("keygen");
        var second = await RunAsync("keygen");

        Assert.Equal(0, first.ExitCode);
        var key = first.Stdout.TrimEnd('\n');
        Assert.Equal(32, Convert.FromBase64String(key).Length);
        Assert.NotEqual(key, second.Stdout.TrimEnd('\n'));
        Assert.Empty(new Praetor.Agent.AgentConfig { DevMode = true, Encrypt = key }.ValidateSettings());
    }

    [Fact]
    public async Task Keygen_takes_no_arguments()
    {
        var run = await RunAsync("keygen", "extra");

        Assert.Equal(1, run.ExitCode);
        Assert.Equal("Too many arguments (expected 0, got 1)\n", run.Stderr);
    }

    [Fact]
    public async Task An_unknown_command_is_named_and_fails()
    {
        var run = await RunAsync("frobnicate");
        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith("Unknown command: frobnicate\n", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Version_prints_praetors_version_then_the_consul_api_version()
    {
        var run = await RunAsync("version");
        Assert.Equal(0, run.ExitCode);
        var lines = run.Stdout.Split('\n');
        Assert.Equal("Praetor v0.1.0", lines[0]);
        Assert.Equal("Consul-compatible API: 1.20.0", lines[1]);
        Assert.StartsWith("Revision ", lines[2], StringComparison.Ordinal);
        Assert.StartsWith("Build Date ", lines[3], StringComparison.Ordinal);
        Assert.StartsWith("Protocol 2 spoken by default", lines[4], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("-v")]
    [InlineData("-version")]
    [InlineData("--version")]
    public async Task Version_flags_at_the_top_run_version(string flag)
    {
        var run = await RunAsync(flag);
        Assert.Equal(0, run.ExitCode);
        Assert.StartsWith("Praetor v", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Version_json_is_what_gos_sdk_testutil_parses()
    {
        var run = await RunAsync("version", "-format=json");
        Assert.Equal(0, run.ExitCode);
        using var json = JsonDocument.Parse(run.Stdout);
        var root = json.RootElement;
        Assert.Equal("1.20.0", root.GetProperty("Version").GetString());
        Assert.Equal(string.Empty, root.GetProperty("Prerelease").GetString());
        Assert.False(string.IsNullOrEmpty(root.GetProperty("Revision").GetString()));
        Assert.True(DateTime.TryParseExact(root.GetProperty("BuildDate").GetString(), "yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out _));
        Assert.Equal(2, root.GetProperty("RPC").GetProperty("Default").GetInt32());
        Assert.True(root.GetProperty("RPC").GetProperty("Max").GetInt32() >= 2);
        Assert.StartsWith("{\n   \"Version\": ", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Version_with_an_unknown_format_names_it_and_fails()
    {
        var run = await RunAsync("version", "-format=xml");
        Assert.Equal(1, run.ExitCode);
        Assert.Equal("Unknown format: xml\n", run.Stderr);
    }

    [Fact]
    public async Task Kv_without_a_subcommand_prints_its_help_and_fails()
    {
        var run = await RunAsync("kv");
        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith("Usage: praetor kv <subcommand> [options] [args]", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Kv_with_an_unknown_subcommand_names_it_and_fails()
    {
        var run = await RunAsync("kv", "list");
        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith("Unknown subcommand: kv list\n", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Kv_help_succeeds()
    {
        var run = await RunAsync("kv", "-h");
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("Subcommands:", run.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("put")]
    [InlineData("delete")]
    [InlineData("export")]
    [InlineData("import")]
    public async Task Every_kv_subcommand_has_help(string subcommand)
    {
        var run = await RunAsync("kv", subcommand, "--help");
        Assert.Equal(0, run.ExitCode);
        Assert.StartsWith($"Usage: praetor kv {subcommand}", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("  -http-addr=<address>\n", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Token_file_that_cannot_be_read_is_named()
    {
        var run = await RunAsync("kv", "get", "-token-file=/no/such/token", "k");
        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith("Error connecting to Consul agent: Error loading token file /no/such/token : ", run.Stderr, StringComparison.Ordinal);
    }
}
