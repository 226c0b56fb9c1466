using System.Text.Json;
using Praetor.Client.Watch;

namespace Praetor.Cli.Tests.Commands;

public sealed class WatchCommandTests : CliAgentFixture, IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(15);

    private readonly string _dir = Directory.CreateTempSubdirectory("praetor-watch-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Without_a_handler_the_result_is_printed_indented_once()
    {
        await PutAsync("cfg/a", "1");
        var run = await RunAsync("watch", "-type=keyprefix", "-prefix=cfg/");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.StartsWith("[\n    {\n        \"", run.Stdout, StringComparison.Ordinal);
        Assert.EndsWith("\n    }\n]\n", run.Stdout, StringComparison.Ordinal);
        using var printed = JsonDocument.Parse(run.Stdout);
        Assert.Equal("cfg/a", printed.RootElement[0].GetProperty("Key").GetString());
    }

    [Fact]
    public async Task A_missing_key_prints_null()
    {
        var run = await RunAsync("watch", "-type=key", "-key=nothing/here");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal("null\n", run.Stdout);
    }

    [Theory]
    [InlineData(new[] { "watch" }, "Watch type must be specified\n")]
    [InlineData(new[] { "watch", "-type=keys" }, "Unsupported watch type: keys\n")]
    [InlineData(new[] { "watch", "-type=key" }, "Must specify a single key to watch\n")]
    [InlineData(new[] { "watch", "-type=keyprefix" }, "Must specify a single prefix to watch\n")]
    [InlineData(new[] { "watch", "-type=service" }, "Must specify a single service to watch\n")]
    [InlineData(new[] { "watch", "-type=checks", "-service=web", "-state=critical" }, "Cannot specify service and state\n")]
    [InlineData(new[] { "watch", "-type=key", "-key=a", "-prefix=b" }, "Invalid parameters: [prefix]\n")]
    [InlineData(new[] { "watch", "-type=event", "-stale" }, "Invalid parameters: [stale]\n")]
    [InlineData(new[] { "watch", "-type=service", "-service=web", "-passingonly=maybe" }, "Failed to parse passingonly flag: strconv.ParseBool: parsing \"maybe\": invalid syntax\n")]
    public async Task Bad_parameters_are_refused_in_consuls_words(string[] args, string expected)
    {
        var run = await RunAsync(args);

        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith(expected, run.Stderr, StringComparison.Ordinal);
        Assert.Empty(run.Stdout);
    }

    [Fact]
    public async Task An_unreachable_agent_is_an_error_before_watching()
    {
        Environment["CONSUL_HTTP_ADDR"] = $"127.0.0.1:{ClosedPort()}";
        var run = await RunAsync("watch", "-type=nodes");

        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith("Error connecting to Consul agent: Get \"http://127.0.0.1:", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_handler_gets_the_json_on_stdin_and_consul_index_at_start_and_on_each_change()
    {
        await PutAsync("cfg/a", "1");
        var data = Path.Combine(_dir, "data");
        var indexes = Path.Combine(_dir, "indexes");
        using var stop = new CancellationTokenSource();
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var context = new CliContext(new StringReader(""), stdout, stderr, Environment);
        var run = WatchCommand.RunAsync(
            ["-type=key", "-key=cfg/a", $"echo \"$CONSUL_INDEX\" >> {indexes}; cat >> {data}; echo fired"], context, WatchRetryPolicy.Default, stop.Token);

        await LinesAsync(data, 1);
        var modify = (await Client.Kv.GetAsync("cfg/a")).Response!.ModifyIndex;
        await PutAsync("cfg/a", "2");
        var lines = await LinesAsync(data, 2);
        await stop.CancelAsync();

        Assert.Equal(0, await run.WaitAsync(Deadline));
        using (var first = JsonDocument.Parse(lines[0]))
        {
            Assert.Equal(Convert.ToBase64String("1"u8), first.RootElement.GetProperty("Value").GetString());
        }

        using var second = JsonDocument.Parse(lines[1]);
        Assert.Equal(Convert.ToBase64String("2"u8), second.RootElement.GetProperty("Value").GetString());
        var index = await File.ReadAllLinesAsync(indexes);
        Assert.Equal(2, index.Length);
        Assert.Equal(modify, ulong.Parse(index[0], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(second.RootElement.GetProperty("ModifyIndex").GetUInt64(), ulong.Parse(index[1], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("fired\nfired\n", stdout.ToString());
    }

    [Fact]
    public async Task A_failing_handler_ends_the_watch_with_exit_1()
    {
        var run = await RunAsync("watch", "-type=nodes", "exit 3");

        Assert.Equal(1, run.ExitCode);
        Assert.Equal("Error executing handler: exit status 3\n", run.Stderr);
    }

    [Fact]
    public async Task Without_the_shell_the_arguments_run_as_a_program()
    {
        var data = Path.Combine(_dir, "args");
        var run = await RunAsync("watch", "-type=nodes", "-shell=false", "/bin/sh", "-c", $"cat > {data}; exit 4");

        Assert.Equal(1, run.ExitCode);
        using var nodes = JsonDocument.Parse(await File.ReadAllTextAsync(data));
        Assert.Equal("cli-test", nodes.RootElement[0].GetProperty("Node").GetString());
    }

    /// <summary>Waits (up to the deadline) until <paramref name="path"/> holds at least <paramref name="count"/> lines.</summary>
    private static async Task<string[]> LinesAsync(string path, int count)
    {
        var deadline = DateTime.UtcNow + Deadline;
        while (true)
        {
            var lines = File.Exists(path) ? await File.ReadAllLinesAsync(path) : [];
            if (lines.Length >= count)
            {
                return lines;
            }

            Assert.True(DateTime.UtcNow < deadline, $"{path} has {lines.Length} lines, expected {count}");
            await Task.Delay(20);
        }
    }
}
