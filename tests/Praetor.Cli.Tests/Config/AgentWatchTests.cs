using System.Net;
using System.Text.Json;
using Praetor.Agent;
using Praetor.Agent.Config;

namespace Praetor.Cli.Tests.Config;

/// <summary>The agent's <c>watches</c>: run in the background against its own HTTP API, replaced on reload.</summary>
public sealed class AgentWatchTests : CliAgentFixture, IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(15);

    private readonly string _dir = Directory.CreateTempSubdirectory("praetor-agent-watch-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    protected override AgentConfig Config => WithWatches(base.Config, $$"""
        [
          { "type": "key", "key": "a", "args": ["/bin/sh", "-c", "cat >> {{Out("a")}}"] },
          { "type": "key", "key": "c", "handler": "echo \"$CONSUL_INDEX\" >> {{Out("c")}}" }
        ]
        """);

    [Fact]
    public async Task A_script_watch_fires_at_start_and_on_change_with_the_json_on_stdin()
    {
        var first = await LinesAsync(Out("a"), 1);
        Assert.Equal("null", first[0]);
        await PutAsync("a", "1");
        var lines = await LinesAsync(Out("a"), 2);
        using var entry = JsonDocument.Parse(lines[1]);
        Assert.Equal(Convert.ToBase64String("1"u8), entry.RootElement.GetProperty("Value").GetString());
        Assert.Equal(2, Host.WatchCount);
    }

    [Fact]
    public async Task Reload_stops_removed_watches_starts_new_ones_and_leaves_unchanged_ones_alone()
    {
        await LinesAsync(Out("a"), 1);
        await LinesAsync(Out("c"), 1);
        var reloaded = WithWatches(Host.Agent.Config, $$"""
            [
              { "type": "key", "key": "c", "handler": "echo \"$CONSUL_INDEX\" >> {{Out("c")}}" },
              { "type": "keyprefix", "prefix": "b/", "args": ["/bin/sh", "-c", "cat >> {{Out("b")}}"] }
            ]
            """);
        Host.Agent.ConfigSource = () => reloaded;
        Host.Agent.Reload();

        Assert.Equal(2, Host.WatchCount);
        await LinesAsync(Out("b"), 1);
        await PutAsync("a", "ignored");
        await PutAsync("b/x", "1");
        var b = await LinesAsync(Out("b"), 2);
        Assert.Contains("b/x", b[1], StringComparison.Ordinal);
        // The removed watch on "a" saw nothing after the reload; the kept one on "c" did not fire again.
        Assert.Single(await File.ReadAllLinesAsync(Out("a")));
        Assert.Single(await File.ReadAllLinesAsync(Out("c")));
    }

    [Fact]
    public async Task An_http_handler_receives_the_json_body_and_the_index()
    {
        using var listener = new HttpListener();
        var port = ClosedPort();
        listener.Prefixes.Add($"http://127.0.0.1:{port}/hook/");
        listener.Start();
        var reloaded = WithWatches(Host.Agent.Config, $$"""
            [ { "type": "nodes", "handler_type": "http",
                "http_handler_config": { "path": "http://127.0.0.1:{{port}}/hook/nodes", "method": "PUT", "header": { "X-Team": ["db"] }, "timeout": "5s" } } ]
            """);
        Host.Agent.ConfigSource = () => reloaded;
        Host.Agent.Reload();

        var context = await listener.GetContextAsync().WaitAsync(Deadline);
        using var reader = new StreamReader(context.Request.InputStream);
        var body = await reader.ReadToEndAsync();
        context.Response.StatusCode = 200;
        context.Response.Close();

        Assert.Equal("PUT", context.Request.HttpMethod);
        Assert.Equal("/hook/nodes", context.Request.Url!.AbsolutePath);
        Assert.Equal("db", context.Request.Headers["X-Team"]);
        Assert.Equal("application/json", context.Request.ContentType);
        Assert.True(ulong.Parse(context.Request.Headers["X-Consul-Index"]!, System.Globalization.CultureInfo.InvariantCulture) > 0);
        Assert.EndsWith("\n", body, StringComparison.Ordinal);
        using var nodes = JsonDocument.Parse(body);
        Assert.Equal("cli-test", nodes.RootElement[0].GetProperty("Node").GetString());
    }

    [Fact]
    public void A_bad_watch_in_a_reload_changes_nothing()
    {
        var bad = ConfigLoader.LoadJson("bad.json", """{ "watches": [ { "type": "key", "args": ["true"] } ] }""", Host.Agent.Config);
        Assert.Equal(["bad.json: watches[0].key: Must specify a single key to watch"], bad.Problems.Select(p => p.ToString()));
        Host.Agent.ConfigSource = () => throw new ArgumentException(string.Join("\n", bad.Problems));

        Assert.Throws<ArgumentException>(Host.Agent.Reload);
        Assert.Equal(2, Host.WatchCount);
        Assert.Equal(2, Host.Agent.Config.Watches.Count);
    }

    private string Out(string name) => Path.Combine(_dir, name);

    private static AgentConfig WithWatches(AgentConfig config, string watches)
    {
        var result = ConfigLoader.LoadJson("watches.json", $$"""{ "watches": {{watches}} }""", config with { Watches = [] });
        Assert.True(result.IsValid, string.Join("\n", result.Problems));
        return result.Config;
    }

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
