using System.Net;
using Praetor.Agent;
using Praetor.Api;
using Praetor.Client;

namespace Praetor.Cli.Tests.Commands;

/// <summary>
/// <c>praetor exec</c> across a server and two client agents in process, on loopback, with real
/// gossip (the <c>_rexec</c> event) and server ports (the clients' KV writes and the session):
/// seed 002's <c>consul exec hostname</c>, run from a client.
/// </summary>
public sealed class ExecClusterCommandTests : IAsyncLifetime, IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);
    private static readonly string[] Names = ["s1", "c1", "c2"];

    private readonly List<AgentHost> _hosts = [];
    private readonly Dictionary<string, string> _environment = new(StringComparer.Ordinal);
    private readonly string _root = Path.Combine(Path.GetTempPath(), "praetor-exec-" + Guid.NewGuid().ToString("N"));
    private PraetorClient? _api;

    private PraetorClient Api => _api ?? throw new InvalidOperationException("not started");

    private AgentConfig Config(string name) => new()
    {
        Server = name == "s1", BootstrapExpect = name == "s1" ? 1 : 0, NodeName = name, BindAddr = "127.0.0.1", DataDir = Path.Combine(_root, name),
        HttpPort = 0, DnsPort = AgentConfig.PortDisabled, SerfLanPort = 0, SerfWanPort = AgentConfig.PortDisabled, ServerPort = 0, RaftMultiplier = 1,
        DisableRemoteExec = false,
    };

    public async Task InitializeAsync()
    {
        foreach (var name in Names)
        {
            _hosts.Add(await AgentHost.StartAsync(Config(name)));
        }
        var first = _hosts[0].Agent.Lan!.Pool.AdvertiseEndpoint.Port;
        foreach (var host in _hosts.Skip(1))
        {
            using var http = new HttpClient { BaseAddress = host.HttpAddress };
            using var join = await http.PutAsync($"/v1/agent/join/127.0.0.1:{first}", null);
            Assert.Equal(HttpStatusCode.OK, join.StatusCode);
        }
        _environment["CONSUL_HTTP_ADDR"] = _hosts[1].HttpAddress.Authority;
        _api = new PraetorClient(new PraetorClientConfig { Address = _hosts[1].HttpAddress.Authority });
        // Formed: every node in the catalog with a passing serfHealth (a session needs it), and a write through the client.
        await WaitUntilAsync(async () =>
        {
            var passing = (await Api.Health.StateAsync("passing")).Response;
            return Names.All(n => passing.Any(c => c.Node == n && c.CheckId == "serfHealth"))
                && await Api.Kv.PutAsync("formed", "yes"u8.ToArray());
        });
        await Api.Kv.DeleteAsync("formed");
    }

    public void Dispose() => _api?.Dispose();

    public async Task DisposeAsync()
    {
        for (var i = _hosts.Count - 1; i >= 0; i--)
        {
            await _hosts[i].DisposeAsync();
        }
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a temp directory.
        }
    }

    private Task<CliRun> RunAsync(params string[] args) => CliRun.RunAsync(_environment, string.Empty, args);

    [Fact]
    public async Task Exec_from_a_client_runs_on_the_server_and_both_clients_as_seed_002_shows()
    {
        // The agents share one host here, so a fixed word stands for seed 002's `hostname`.
        var run = await RunAsync("exec", "-wait=1s", "echo", "ran");
        Assert.True(run.ExitCode == 0, run.ToString());
        var lines = run.Stdout.Split('\n');
        foreach (var node in Names)
        {
            Assert.Equal(
                [$"    {node}: ran", $"    {node}:", $"==> {node}: finished with exit code 0"],
                lines.Where(l => l.StartsWith($"    {node}:", StringComparison.Ordinal) || l.StartsWith($"==> {node}:", StringComparison.Ordinal)));
        }
        Assert.EndsWith("3 / 3 node(s) completed / acknowledged\n", run.Stdout, StringComparison.Ordinal);
        Assert.Empty((await Api.Kv.KeysAsync("")).Response);
    }

    [Fact]
    public async Task A_node_filter_runs_on_the_matching_agents_only()
    {
        var run = await RunAsync("exec", "-wait=1s", "-node=^c", "exit 4");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("==> c1: finished with exit code 4\n", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("==> c2: finished with exit code 4\n", run.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("s1", run.Stdout, StringComparison.Ordinal);
        Assert.EndsWith("2 / 2 node(s) completed / acknowledged\n", run.Stdout, StringComparison.Ordinal);
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + Deadline;
        while (true)
        {
            try
            {
                if (await condition())
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or ApiStatusException or AgentConnectionException)
            {
                // Not formed yet: no leader, or a server not answering yet.
            }
            Assert.True(DateTime.UtcNow < deadline, "the cluster did not form in time");
            await Task.Delay(100);
        }
    }
}
