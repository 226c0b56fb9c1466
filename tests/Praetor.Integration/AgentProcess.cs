namespace Praetor.Integration;

/// <summary>
/// A real `praetor agent -dev` process on a free loopback HTTP port, started and ready to serve:
/// `/v1/status/leader` has named a leader. Disposing kills it by PID.
/// </summary>
public sealed class AgentProcess : IAsyncDisposable
{
    /// <summary>How long a dev agent may take to elect itself; generous for a cold JIT on a busy 2-core CI machine.</summary>
    public static readonly TimeSpan ReadyDeadline = TimeSpan.FromSeconds(60);

    private const int PortAttempts = 5;

    private AgentProcess(ChildProcess process, int httpPort)
    {
        Process = process;
        HttpPort = httpPort;
    }

    public ChildProcess Process { get; }

    public int HttpPort { get; }

    /// <summary>`127.0.0.1:PORT`, as CONSUL_HTTP_ADDR and -http-addr take it.</summary>
    public string HttpAddr => $"127.0.0.1:{HttpPort}";

    public Uri BaseAddress => new($"http://{HttpAddr}/");

    /// <summary>
    /// Starts `praetor agent -dev -http-port PORT -serf-lan-port 0 -serf-wan-port 0 EXTRA...`, picking
    /// another HTTP port when the chosen one was taken meanwhile; the Serf ports are left to the
    /// agent (as 8301 and 8302 would clash between agents, and with any agent the developer runs).
    /// </summary>
    public static Task<AgentProcess> StartDevAsync(params string[] extraArgs) => StartDevAsync(ignoredSignals: [], extraArgs);

    /// <summary>As above, started with <paramref name="ignoredSignals"/> ignored (as `nohup` or a script's `&amp;` start it).</summary>
    public static async Task<AgentProcess> StartDevAsync(IReadOnlyList<string> ignoredSignals, IReadOnlyList<string> extraArgs)
    {
        var failures = new List<string>();
        for (var attempt = 1; attempt <= PortAttempts; attempt++)
        {
            var port = FreeLoopbackPort.Pick();
            var child = ChildProcess.Start(PraetorExecutable.StartInfo(
                ["agent", "-dev", "-http-port", port.ToString(), "-serf-lan-port", "0", "-serf-wan-port", "0", .. extraArgs], ignoredSignals: ignoredSignals));
            var ready = await WaitUntilReadyAsync(child, port);
            if (ready)
            {
                return new AgentProcess(child, port);
            }
            var output = $"attempt {attempt} on port {port}: {(child.HasExited ? $"exit code {child.ExitCode}" : $"not ready within {ReadyDeadline}")}\n{child.Output}";
            failures.Add(output);
            // Only a lost race for the port is worth another try; anything else is the agent's failure.
            var lostThePort = child.HasExited && child.ExitCode != 0 && child.StandardError.Contains(port.ToString(), StringComparison.Ordinal);
            // Read above: a disposed child no longer knows whether it exited.
            await child.DisposeAsync();
            if (!lostThePort)
            {
                break;
            }
        }
        throw new InvalidOperationException($"praetor agent -dev did not become ready:\n{string.Join("\n", failures)}");
    }

    /// <summary>Polls `/v1/status/leader` until it names a leader, the process exits, or the deadline passes.</summary>
    private static async Task<bool> WaitUntilReadyAsync(ChildProcess child, int port)
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(5) };
        using var deadline = new CancellationTokenSource(ReadyDeadline);
        using var poll = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        while (!child.HasExited && !deadline.IsCancellationRequested)
        {
            try
            {
                var leader = (await http.GetStringAsync("v1/status/leader", deadline.Token)).Trim();
                if (leader.Length > 0 && leader != "\"\"")
                {
                    return true;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException)
            {
                // One slow poll, or the deadline; the loop condition tells which.
            }
            try
            {
                await poll.WaitForNextTickAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
        return false;
    }

    public ValueTask DisposeAsync() => Process.DisposeAsync();
}
