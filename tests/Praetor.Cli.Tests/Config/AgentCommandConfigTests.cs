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

    /// <summary>Runs a <c>-bootstrap</c> server on <paramref name="dataDir"/> with every port picked or off, until it exits.</summary>
    private static Task<CliRun> RunServerToExitAsync(string dataDir) =>
        RunToExitAsync("-server", "-bootstrap", "-data-dir", dataDir, "-bind", "127.0.0.1", "-http-port", "0", "-dns-port", "-1",
            "-serf-lan-port", "0", "-serf-wan-port", "-1", "-server-port", "0");

    [Fact]
    public async Task A_damaged_node_id_file_stops_a_server_naming_the_file()
    {
        var nodeIdFile = _dir.Write("data/node-id", "not-a-uuid");
        var dataDir = Path.GetDirectoryName(nodeIdFile)!;

        var run = await RunServerToExitAsync(dataDir);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains($"==> Error starting agent: the node ID in {nodeIdFile} is not a UUID: \"not-a-uuid\"", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_damaged_raft_log_stops_a_server_naming_the_file()
    {
        var segment = _dir.Write("data/raft/wal/00000000000000000001.wal", "this is not a write-ahead log segment, just some text long enough");
        var dataDir = Path.GetDirectoryName(Path.GetDirectoryName(Path.GetDirectoryName(segment)))!;

        var run = await RunServerToExitAsync(dataDir);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("==> Error starting agent: ", run.Stderr, StringComparison.Ordinal);
        Assert.Contains(segment, run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_taken_dns_port_stops_the_agent_naming_the_address()
    {
        using var taken = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Dgram, System.Net.Sockets.ProtocolType.Udp);
        taken.Bind(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0));
        var port = ((System.Net.IPEndPoint)taken.LocalEndPoint!).Port;

        var run = await RunToExitAsync("-dev", "-http-port", "0", "-serf-lan-port", "0", "-serf-wan-port", "0", "-dns-port", port.ToString(System.Globalization.CultureInfo.InvariantCulture));

        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith($"==> Error starting agent: failed to start the DNS server on 127.0.0.1:{port}: ", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_taken_wan_port_stops_the_agent_naming_the_wan_pool_and_the_address()
    {
        using var taken = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Dgram, System.Net.Sockets.ProtocolType.Udp);
        taken.Bind(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0));
        var port = ((System.Net.IPEndPoint)taken.LocalEndPoint!).Port;

        var run = await RunToExitAsync("-dev", "-http-port", "0", "-dns-port", "-1", "-serf-lan-port", "0", "-serf-wan-port", port.ToString(System.Globalization.CultureInfo.InvariantCulture));

        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith($"==> Error starting agent: failed to start the Serf WAN pool on 127.0.0.1:{port}: ", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Wan_flags_bind_advertise_and_retry_join_the_wan_until_retry_max_wan_then_exit()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var closed = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        var run = await RunToExitAsync(
            "-dev", "-http-port", "0", "-dns-port", "-1", "-serf-lan-port", "0", "-serf-wan-port", "0",
            "-serf-wan-bind", "127.0.0.1", "-advertise-wan", "127.0.0.1",
            "-join-wan", $"127.0.0.1:{closed}", "-retry-join-wan", $"127.0.0.1:{closed}", "-retry-max-wan", "1", "-retry-interval-wan", "10ms");

        Assert.Equal(1, run.ExitCode);
        Assert.Matches(@"Cluster Addr: 127\.0\.0\.1 \(LAN: \d+, WAN: [1-9]\d*\)", run.Stdout);
        Assert.Contains("Started Serf WAN pool: address=127.0.0.1:", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("Join cluster failed, will retry: cluster=WAN", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("agent: max join WAN retry exhausted, exiting", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bad_wan_flag_value_is_reported()
    {
        var run = await RunToExitAsync("-dev", "-http-port", "0", "-advertise-wan", "wan.example", "-serf-wan-bind", "eth0");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("    advertise_addr_wan: \"wan.example\" is not an IP address", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("    serf_wan: \"eth0\" is not an IP address", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_script_check_in_a_file_without_enable_local_script_checks_stops_the_agent()
    {
        // Consul's rule since 0.9 (the agent endpoint enforces it); seed 001's old form needs the setting.
        var db = _dir.Write("db.json", """{ "service": { "name": "db", "check": { "script": "/bin/true", "interval": "10s" } } }""");

        var run = await RunToExitAsync("-dev", $"-config-file={db}", "-http-port", "0", "-serf-lan-port", "0", "-serf-wan-port", "0");

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
        _dir.Write("conf.d/10-agent.json", """{ "datacenter": "FileDC", "node_name": "file-node", "ports": { "dns": 5353, "serf_lan": 9301, "serf_wan": -1 }, "enable_local_script_checks": true }""");
        _dir.Write("conf.d/20-db.json", """{ "service": { "name": "db", "tags": ["master"], "port": 3306, "check": { "script": "/usr/local/bin/check_mysql_master", "interval": "10s" } } }""");
        var extra = _dir.Write("extra.json", """{ "node_name": "extra-node" }""");
        var stdout = new StringWriter();
        var stdoutSync = TextWriter.Synchronized(stdout);
        using var shutdown = new CancellationTokenSource();

        var agent = AgentCommand.RunAsync(
            ["-dev", "-config-dir", dir, "-config-file", extra, "-node", "flag-node", "-dns-port", "5454", "-http-port", "0"],
            stdoutSync, TextWriter.Synchronized(new StringWriter()), () => "test", shutdown.Token);
        var output = await WaitForAsync(stdout, stdoutSync, agent, "Praetor agent running!");
        await shutdown.CancelAsync();
        Assert.Equal(0, await agent.WaitAsync(TimeSpan.FromSeconds(30)));

        // -node beats both files; the files' datacenter (lower-cased), serf_lan and serf_wan stay; -dns-port beats the file.
        Assert.Contains("Node name: 'flag-node'", output, StringComparison.Ordinal);
        Assert.Contains("Datacenter: 'filedc'", output, StringComparison.Ordinal);
        Assert.Contains("DNS: 5454)", output, StringComparison.Ordinal);
        Assert.Contains("(LAN: 9301, WAN: -1)", output, StringComparison.Ordinal);
        Assert.DoesNotContain("HTTP: 8500", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reload_rereads_the_config_files_and_a_bad_file_changes_nothing()
    {
        var dir = _dir.Dir("conf.d");
        var file = _dir.Write("conf.d/web.json", """{ "service": { "name": "web", "port": 80, "check": { "ttl": "30s" } } }""");
        var stdout = new StringWriter();
        var stdoutSync = TextWriter.Synchronized(stdout);
        using var shutdown = new CancellationTokenSource();
        var agent = AgentCommand.RunAsync(["-dev", "-config-dir", dir, "-http-port", "0", "-dns-port", "0", "-serf-lan-port", "0", "-serf-wan-port", "0"], stdoutSync, TextWriter.Synchronized(new StringWriter()), () => "test", shutdown.Token);
        var output = await WaitForAsync(stdout, stdoutSync, agent, "Praetor agent running!");
        var port = System.Text.RegularExpressions.Regex.Match(output, @"HTTP: (\d+),").Groups[1].Value;
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };

        Assert.Contains("\"web\"", await http.GetStringAsync("/v1/agent/services"), StringComparison.Ordinal);

        _dir.Write("conf.d/web.json", """{ "services": [ { "name": "web", "port": 80 }, { "name": "db", "port": 3306 } ] }""");
        var good = await http.PutAsync("/v1/agent/reload", null);
        Assert.True(good.IsSuccessStatusCode, await good.Content.ReadAsStringAsync());
        Assert.Contains("\"db\"", await http.GetStringAsync("/v1/agent/services"), StringComparison.Ordinal);

        _dir.Write("conf.d/web.json", """{ "services": [ { "name": "web", "port": "80" } ] }""");
        var bad = await http.PutAsync("/v1/agent/reload", null);
        Assert.False(bad.IsSuccessStatusCode);
        Assert.Contains($"{file}: services[0].port: expected an integer", await bad.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains("\"db\"", await http.GetStringAsync("/v1/agent/services"), StringComparison.Ordinal);

        await shutdown.CancelAsync();
        Assert.Equal(0, await agent.WaitAsync(TimeSpan.FromSeconds(30)));
    }

    /// <summary>Polls the agent's output until <paramref name="text"/> appears; fails with the output if the agent exits first.</summary>
    private static async Task<string> WaitForAsync(StringWriter stdout, TextWriter stdoutSync, Task<int> agent, string text)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            string output;
            lock (stdoutSync)
            {
                output = stdout.ToString();
            }

            if (output.Contains(text, StringComparison.Ordinal))
            {
                return output;
            }

            if (agent.IsCompleted)
            {
                Assert.Fail($"the agent exited early with {await agent}:\n{output}");
            }

            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {text}:\n{output}");
            await Task.Delay(50);
        }
    }
}
