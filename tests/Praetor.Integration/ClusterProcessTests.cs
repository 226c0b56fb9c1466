using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;

namespace Praetor.Integration;

/// <summary>
/// A real cluster of <c>praetor</c> processes on loopback, formed as the seeds form it: three
/// servers started with <c>agent -server -bootstrap-expect 3 -data-dir ...</c> that find each other
/// through <c>-retry-join</c>, and two client agents that <c>-join</c> them. Writes through a
/// follower and through the clients; a client's services reach the catalog; kill -9 of the leader
/// under write load through the clients (a new leader, no acknowledged write lost, the clients keep
/// working); kill -9 of every server and a restart from the data directories (every acknowledged
/// write still there); <c>snapshot save</c>, every server wiped, a new cluster, <c>snapshot
/// restore</c> (everything back).
/// </summary>
[Trait("Category", "Integration")]
public sealed class ClusterProcessTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Three_servers_and_two_clients_replicate_survive_a_leader_kill_and_a_full_restart()
    {
        using var dirs = new TempDirectory();
        await using var cluster = ClusterNodes.Servers(dirs, 3);
        foreach (var node in cluster.Nodes) node.Start();
        var service = dirs.Combine("web.json");
        File.WriteAllText(service, """{ "service": { "name": "web", "port": 8080 } }""");
        await using var clients = ClusterNodes.Clients(dirs, 2, cluster.Nodes[0].LanPort, ["-config-file", service]);
        foreach (var node in clients.Nodes) node.Start();

        var leader = await ClusterNodes.WaitForLeaderAsync(cluster.Nodes);
        foreach (var node in cluster.Nodes)
        {
            var peers = JsonSerializer.Deserialize<string[]>(await node.GetStringAsync("v1/status/peers"))!;
            Assert.Equal(cluster.Nodes.Select(n => n.ServerAddress).Order(), peers.Order());
        }

        // A write through a follower is forwarded to the leader and readable everywhere.
        var follower = cluster.Nodes.First(n => n.ServerAddress != leader);
        Assert.Equal("true", await follower.PutAsync("v1/kv/seed/hello", "world"));
        foreach (var node in cluster.Nodes)
        {
            Assert.Equal("world", await node.GetStringAsync("v1/kv/seed/hello?raw"));
            Assert.Equal("world", await node.GetStringAsync("v1/kv/seed/hello?raw&consistent"));
        }

        // Clients forward writes and reads; their services reach the catalog by anti-entropy.
        Assert.Equal("true", await clients.Nodes[0].PutAsync("v1/kv/seed/client", "written by a client"));
        Assert.Equal("written by a client", await clients.Nodes[1].GetStringAsync("v1/kv/seed/client?raw"));
        Assert.Equal("written by a client", await follower.GetStringAsync("v1/kv/seed/client?raw"));
        await WaitAsync(async () => JsonSerializer.Deserialize<JsonElement[]>(await clients.Nodes[1].GetStringAsync("v1/catalog/service/web"))!.Length == 2, "both clients' web service in the catalog");

        // operator raft list-peers on a client: its server asks the leader, so every server shows its index.
        await WaitAsync(async () =>
        {
            var peers = await PraetorExecutable.RunAsync(["operator", "raft", "list-peers", $"-http-addr={clients.Nodes[0].HttpAddr}"], Deadline);
            var rows = peers.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).ToArray();
            return peers.ExitCode == 0 && rows.Length == 3 && rows.Count(r => r.Contains(" leader ", StringComparison.Ordinal)) == 1
                && rows.All(r => ulong.TryParse(r.Split(' ', StringSplitOptions.RemoveEmptyEntries)[6], System.Globalization.CultureInfo.InvariantCulture, out var index) && index > 0);
        }, "list-peers through a client with every server's index");

        // kill -9 of the leader under write load through the clients.
        var acknowledged = new List<string>();
        using var stopWriting = new CancellationTokenSource();
        var survivors = cluster.Nodes.Where(n => n.ServerAddress != leader).ToArray();
        var writers = clients.Nodes;
        var writer = Task.Run(async () =>
        {
            var i = 0;
            while (!stopWriting.IsCancellationRequested)
            {
                var key = $"load/{i++:D5}";
                var node = writers[i % writers.Count];
                try
                {
                    if (await node.PutAsync($"v1/kv/{key}", key) == "true")
                    {
                        lock (acknowledged) acknowledged.Add(key);
                    }
                }
                catch (HttpRequestException)
                {
                }
                catch (TaskCanceledException)
                {
                }
            }
        });
        await WaitAsync(() => { lock (acknowledged) return acknowledged.Count >= 20; }, "writes before the kill");
        var killed = cluster.Nodes.Single(n => n.ServerAddress == leader);
        await killed.KillAsync();
        int countAtKill;
        lock (acknowledged) countAtKill = acknowledged.Count;
        var newLeader = await ClusterNodes.WaitForLeaderAsync(survivors);
        Assert.NotEqual(leader, newLeader);
        await WaitAsync(() => { lock (acknowledged) return acknowledged.Count >= countAtKill + 20; }, "writes after the new leader");
        await stopWriting.CancelAsync();
        await writer;

        string[] written;
        lock (acknowledged) written = [.. acknowledged];
        foreach (var node in survivors.Concat(clients.Nodes))
        {
            var keys = JsonSerializer.Deserialize<string[]>(await node.GetStringAsync("v1/kv/load/?keys&consistent"))!.ToHashSet();
            Assert.All(written, key => Assert.Contains(key, keys));
        }

        // kill -9 of every server, restart from the data directories: everything acknowledged is there.
        foreach (var node in survivors) await node.KillAsync();
        foreach (var node in cluster.Nodes) node.Start();
        await ClusterNodes.WaitForLeaderAsync(cluster.Nodes);
        foreach (var node in cluster.Nodes)
        {
            var keys = JsonSerializer.Deserialize<string[]>(await node.GetStringAsync("v1/kv/load/?keys&consistent"))!.ToHashSet();
            Assert.All(written, key => Assert.Contains(key, keys));
            Assert.Equal("world", await node.GetStringAsync("v1/kv/seed/hello?raw"));
        }

        // Backup: snapshot save, wipe every server, a new cluster, restore: everything is back.
        var backup = dirs.Combine("backup.snap");
        var save = await PraetorExecutable.RunAsync(["snapshot", "save", $"-http-addr={cluster.Nodes[0].HttpAddr}", backup], Deadline);
        Assert.True(save.ExitCode == 0, save.ToString());
        foreach (var node in cluster.Nodes) await node.KillAsync();
        foreach (var node in cluster.Nodes) node.Wipe();
        foreach (var node in cluster.Nodes) node.Start();
        await ClusterNodes.WaitForLeaderAsync(cluster.Nodes);
        Assert.Equal(HttpStatusCode.NotFound, await cluster.Nodes[1].StatusOfAsync("v1/kv/seed/hello"));
        var restore = await PraetorExecutable.RunAsync(["snapshot", "restore", $"-http-addr={cluster.Nodes[1].HttpAddr}", backup], Deadline);
        Assert.True(restore.ExitCode == 0, restore.ToString());
        foreach (var node in cluster.Nodes)
        {
            var keys = JsonSerializer.Deserialize<string[]>(await node.GetStringAsync("v1/kv/load/?keys&consistent"))!.ToHashSet();
            Assert.All(written, key => Assert.Contains(key, keys));
            Assert.Equal("written by a client", await node.GetStringAsync("v1/kv/seed/client?raw&consistent"));
        }
    }

    internal static async Task WaitAsync(Func<Task<bool>> condition, string what)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                if (await condition()) return;
            }
            catch (HttpRequestException)
            {
            }
            if (watch.Elapsed > Deadline) Assert.Fail($"{what}: not within {Deadline}");
            await Task.Delay(100);
        }
    }

    internal static async Task WaitAsync(Func<bool> condition, string what)
    {
        var watch = Stopwatch.StartNew();
        while (!condition())
        {
            if (watch.Elapsed > Deadline) Assert.Fail($"{what}: not within {Deadline}");
            await Task.Delay(50);
        }
    }
}

/// <summary>The processes of one test cluster, killed by PID when disposed.</summary>
internal sealed class ClusterNodes : IAsyncDisposable
{
    private ClusterNodes(IReadOnlyList<ClusterNode> nodes) => Nodes = nodes;

    public IReadOnlyList<ClusterNode> Nodes { get; }

    /// <summary>
    /// <paramref name="count"/> servers expecting each other, each retry-joining all the others' LAN
    /// ports, with Consul's <c>raft_multiplier</c> 1 (a 1 s election timeout, as on a fast LAN).
    /// </summary>
    public static ClusterNodes Servers(TempDirectory dirs, int count)
    {
        var performance = dirs.Combine("performance.json");
        File.WriteAllText(performance, """{ "performance": { "raft_multiplier": 1 } }""");
        var lanPorts = Enumerable.Range(0, count).Select(_ => FreeLoopbackPort.Pick()).ToArray();
        var nodes = new List<ClusterNode>();
        for (var i = 0; i < count; i++)
        {
            var others = lanPorts.Where((_, j) => j != i).SelectMany(p => new[] { "-retry-join", $"127.0.0.1:{p}" });
            nodes.Add(new ClusterNode($"server-{i + 1}", dirs.CreateSubdirectory($"server-{i + 1}"), lanPorts[i],
                ["-server", "-bootstrap-expect", count.ToString(), "-config-file", performance, .. others]));
        }
        return new ClusterNodes(nodes);
    }

    /// <summary><paramref name="count"/> client agents joining the server at LAN port <paramref name="serverLanPort"/>.</summary>
    public static ClusterNodes Clients(TempDirectory dirs, int count, int serverLanPort, string[] extraArgs)
    {
        var nodes = new List<ClusterNode>();
        for (var i = 0; i < count; i++)
        {
            nodes.Add(new ClusterNode($"client-{i + 1}", dirs.CreateSubdirectory($"client-{i + 1}"), FreeLoopbackPort.Pick(),
                ["-retry-join", $"127.0.0.1:{serverLanPort}", .. extraArgs]));
        }
        return new ClusterNodes(nodes);
    }

    /// <summary>Waits until every node of <paramref name="nodes"/> names the same leader among them; returns its server address.</summary>
    public static async Task<string> WaitForLeaderAsync(IReadOnlyList<ClusterNode> nodes)
    {
        string leader = "";
        var watch = Stopwatch.StartNew();
        while (true)
        {
            var seen = new List<string>();
            foreach (var node in nodes)
            {
                try
                {
                    seen.Add(JsonSerializer.Deserialize<string>(await node.GetStringAsync("v1/status/leader")) ?? "");
                }
                catch (HttpRequestException)
                {
                    seen.Add("");
                }
                catch (TaskCanceledException)
                {
                    seen.Add("");
                }
            }
            leader = seen[0];
            if (leader.Length > 0 && seen.All(s => s == leader) && nodes.Any(n => n.ServerAddress == leader))
            {
                return leader;
            }
            if (watch.Elapsed > TimeSpan.FromSeconds(60))
            {
                Assert.Fail($"no common leader within 60 s: [{string.Join(", ", seen)}]\n{string.Join("\n", nodes.Select(n => $"=== {n.Name}\n{n.Output}"))}");
            }
            await Task.Delay(100);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in Nodes) await node.DisposeAsync();
    }
}

/// <summary>One agent process with fixed ports and data directory, so a restart is the same agent.</summary>
internal sealed class ClusterNode : IAsyncDisposable
{
    private readonly string[] _extraArgs;
    private readonly HttpClient _http;
    private ChildProcess? _process;
    private readonly StringBuilder _pastOutput = new();

    public ClusterNode(string name, string dataDir, int lanPort, string[] extraArgs)
    {
        Name = name;
        DataDir = dataDir;
        LanPort = lanPort;
        HttpPort = FreeLoopbackPort.Pick();
        ServerPort = FreeLoopbackPort.Pick();
        _extraArgs = extraArgs;
        _http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{HttpPort}/"), Timeout = TimeSpan.FromSeconds(15) };
    }

    public string Name { get; }

    public string DataDir { get; }

    public int LanPort { get; }

    public int HttpPort { get; }

    public int ServerPort { get; }

    public string ServerAddress => $"127.0.0.1:{ServerPort}";

    public string HttpAddr => $"127.0.0.1:{HttpPort}";

    public string Output => _pastOutput + (_process?.Output ?? "");

    public void Start()
    {
        _process = ChildProcess.Start(PraetorExecutable.StartInfo(
        [
            "agent", "-node", Name, "-data-dir", DataDir, "-bind", "127.0.0.1", "-client", "127.0.0.1",
            "-http-port", HttpPort.ToString(), "-dns-port", "-1", "-serf-lan-port", LanPort.ToString(), "-serf-wan-port", "-1",
            "-server-port", ServerPort.ToString(), "-retry-interval", "1s", .. _extraArgs,
        ]));
    }

    /// <summary>Deletes everything in the data directory (the node ID, the Raft log, the Serf snapshot): the node starts as new.</summary>
    public void Wipe()
    {
        Directory.Delete(DataDir, recursive: true);
        Directory.CreateDirectory(DataDir);
    }

    public async Task KillAsync()
    {
        if (_process is null) return;
        await _process.KillAsync();
        _pastOutput.Append(_process.Output);
        await _process.DisposeAsync();
        _process = null;
    }

    public async Task<string> GetStringAsync(string path)
    {
        using var response = await _http.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        if (response.StatusCode != HttpStatusCode.OK) throw new HttpRequestException($"GET {path} on {Name}: {(int)response.StatusCode} {text}");
        return text;
    }

    public async Task<HttpStatusCode> StatusOfAsync(string path)
    {
        using var response = await _http.GetAsync(path);
        return response.StatusCode;
    }

    public async Task<string> PutAsync(string path, string body)
    {
        using var response = await _http.PutAsync(path, new StringContent(body));
        var text = await response.Content.ReadAsStringAsync();
        if (response.StatusCode != HttpStatusCode.OK) throw new HttpRequestException($"PUT {path} on {Name}: {(int)response.StatusCode} {text}");
        return text.Trim();
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _http.Dispose();
    }
}
