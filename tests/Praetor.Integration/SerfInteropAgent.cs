using System.Diagnostics;
using System.Globalization;

namespace Praetor.Integration;

/// <summary>
/// The real <c>serf</c> of Debian's serf package (/usr/bin/serf): an agent started as a child
/// process on loopback (memberlist's local profile, an RPC port of its own), and the
/// <c>serf members|join|event -rpc-addr</c> commands run against it. Disposing kills the agent by PID.
/// </summary>
public sealed class SerfInteropAgent : IAsyncDisposable
{
    public const string Executable = "/usr/bin/serf";

    private static readonly TimeSpan CommandDeadline = TimeSpan.FromSeconds(20);

    private readonly ChildProcess _process;

    private SerfInteropAgent(ChildProcess process, string name, int bindPort, int rpcPort)
    {
        _process = process;
        Name = name;
        BindPort = bindPort;
        RpcPort = rpcPort;
    }

    public static bool Available => File.Exists(Executable);

    public static string SkipReason => $"{Executable} (Debian package serf) is not installed; run scripts/install-deps.sh";

    public string Name { get; }

    public int BindPort { get; }

    public int RpcPort { get; }

    public string RpcAddress => $"127.0.0.1:{RpcPort}";

    public string GossipAddress => $"127.0.0.1:{BindPort}";

    public int ProcessId => _process.Id;

    /// <summary>What the agent printed so far (for failure messages).</summary>
    public string Output => _process.Output;

    /// <summary>Starts <c>serf agent</c> and waits until its RPC answers.</summary>
    public static async Task<SerfInteropAgent> StartAsync(string name, string? eventHandler = null, string? encryptKey = null)
    {
        var bindPort = FreeLoopbackPort.Pick();
        var rpcPort = FreeLoopbackPort.Pick();
        var info = new ProcessStartInfo(Executable)
        {
            ArgumentList =
            {
                "agent", "-node", name, "-bind", $"127.0.0.1:{bindPort}", "-rpc-addr", $"127.0.0.1:{rpcPort}",
                "-profile", "local", "-log-level", "debug", "-tag", "role=serf",
            },
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (eventHandler is not null)
        {
            info.ArgumentList.Add("-event-handler");
            info.ArgumentList.Add(eventHandler);
        }
        if (encryptKey is not null)
        {
            info.ArgumentList.Add("-encrypt");
            info.ArgumentList.Add(encryptKey);
        }
        var agent = new SerfInteropAgent(ChildProcess.Start(info), name, bindPort, rpcPort);
        var started = Stopwatch.StartNew();
        while (true)
        {
            if (agent._process.HasExited) throw new InvalidOperationException($"serf agent exited {agent._process.ExitCode}\n{agent.Output}");
            var (exit, _) = await agent.RunAsync("members");
            if (exit == 0) return agent;
            if (started.Elapsed > CommandDeadline)
            {
                await agent.DisposeAsync();
                throw new InvalidOperationException($"serf agent's RPC did not answer in {CommandDeadline}\n{agent.Output}");
            }
            await Task.Delay(100);
        }
    }

    /// <summary><c>serf members</c>, parsed: node name → status (alive, failed, left, leaving).</summary>
    public async Task<IReadOnlyDictionary<string, string>> MembersAsync()
    {
        var (exit, output) = await RunAsync("members");
        if (exit != 0) throw new InvalidOperationException($"serf members exited {exit}: {output}");
        var members = new Dictionary<string, string>();
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var columns = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (columns.Length >= 3) members[columns[0]] = columns[2];
        }
        return members;
    }

    public async Task JoinAsync(string address)
    {
        var (exit, output) = await RunAsync("join", address);
        if (exit != 0) throw new InvalidOperationException($"serf join {address} exited {exit}: {output}\n{Output}");
    }

    public async Task FireEventAsync(string name, string payload)
    {
        var (exit, output) = await RunAsync("event", name, payload);
        if (exit != 0) throw new InvalidOperationException($"serf event {name} exited {exit}: {output}");
    }

    /// <summary>kill -9 by PID: no leave, the pool must detect a failure.</summary>
    public async Task KillAsync()
    {
        await _process.SignalAsync("KILL");
        await _process.WaitForExitAsync(TimeSpan.FromSeconds(10));
    }

    /// <summary>Runs <c>serf SUBCOMMAND -rpc-addr ADDR ARGS...</c>; its exit code and output.</summary>
    public async Task<(int Exit, string Output)> RunAsync(string subcommand, params string[] args)
    {
        var info = new ProcessStartInfo(Executable)
        {
            ArgumentList = { subcommand, "-rpc-addr", RpcAddress },
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args) info.ArgumentList.Add(arg);
        await using var command = ChildProcess.Start(info);
        var exit = await command.WaitForExitAsync(CommandDeadline);
        return (exit ?? -1, command.StandardOutput + command.StandardError);
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"serf agent {Name} pid {ProcessId} at {GossipAddress}");

    public async ValueTask DisposeAsync() => await _process.DisposeAsync();
}
