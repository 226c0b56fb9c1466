using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Praetor.Integration;

/// <summary>
/// The real <c>praetor agent -dev</c> process (its Serf LAN pool on a port of the test's choice,
/// <c>event_handlers</c> from a config file) and real Debian <c>serf agent</c> processes on
/// loopback: serf joins Praetor and Praetor (<c>praetor join</c>) joins serf, each lists the other
/// alive (<c>praetor members</c>, <c>serf members</c>); <c>serf event</c> reaches Praetor's
/// <c>user:deploy</c> handler; Praetor's <c>member-join</c> handler fires for serf's node;
/// <c>praetor event</c> reaches serf's handler as the Serf user event <c>consul:event:deploy</c>
/// (Consul's msgpack envelope as payload); kill -9 on either side is seen as failed by the other.
/// Once in plaintext, once with the same <c>serf keygen</c> key on both sides.
/// </summary>
[Trait("Category", "Integration")]
public sealed class SerfAgentInteropTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    private static readonly TimeSpan CliTimeout = TimeSpan.FromSeconds(20);

    private const string PraetorNode = "praetor-agent";

    [SerfInteropFact]
    public Task Praetor_agent_and_serf_join_each_other_exchange_events_run_handlers_and_detect_kills() => RunScenarioAsync(encryptKey: null);

    [SerfInteropFact]
    public async Task Praetor_agent_and_serf_do_the_same_with_gossip_encryption_from_serf_keygen()
    {
        var key = await SerfKeygenAsync();
        await RunScenarioAsync(key);
    }

    private static async Task RunScenarioAsync(string? encryptKey)
    {
        using var temp = new TempDirectory();
        var praetorEvents = temp.CreateSubdirectory("praetor-events");
        var serfEvents = temp.CreateSubdirectory("serf-events");
        var praetorHandler = WriteHandler(temp.Combine("praetor-handler.sh"), praetorEvents);
        var serfHandler = WriteHandler(temp.Combine("serf-handler.sh"), serfEvents);
        var config = temp.Combine("handlers.json");
        File.WriteAllText(config, JsonSerializer.Serialize(new Dictionary<string, string[]>
        {
            ["event_handlers"] = [$"user:deploy=sh {praetorHandler}", $"member-join,member-failed=sh {praetorHandler}"],
        }));

        // serf1 joins Praetor; Praetor joins serf2. serf runs a handler with /bin/sh -c.
        await using var serf1 = await SerfInteropAgent.StartAsync("serf1", $"sh {serfHandler}", encryptKey);
        await using var serf2 = await SerfInteropAgent.StartAsync("serf2", encryptKey: encryptKey);
        // A second serf beside serf2 when Praetor is killed: memberlist shortens a suspicion to its
        // minimum (3 s at the local profile) only once another member confirms it; alone, serf2
        // would wait the maximum (18 s).
        await using var serf3 = await SerfInteropAgent.StartAsync("serf3", encryptKey: encryptKey);
        var serfPort = FreeLoopbackPort.Pick();
        string[] agentArgs = ["-node", PraetorNode, "-serf-lan-port", serfPort.ToString(CultureInfo.InvariantCulture), "-config-file", config];
        if (encryptKey is not null) agentArgs = [.. agentArgs, "-encrypt", encryptKey];
        await using var praetor = await AgentProcess.StartDevAsync(agentArgs);
        var praetorGossip = $"127.0.0.1:{serfPort}";
        string Diagnostics() => $"\n=== praetor ===\n{praetor.Process.Output}\n=== serf1 ===\n{serf1.Output}\n=== serf2 ===\n{serf2.Output}\n=== serf3 ===\n{serf3.Output}";

        // (1) serf joins the Praetor agent.
        await serf1.JoinAsync(praetorGossip);
        await WaitForSerfAsync(serf1, PraetorNode, "alive", Diagnostics);
        await WaitForPraetorAsync(praetor, "serf1", "alive", Diagnostics);

        // (1) Praetor joins serf, by `praetor join`.
        var join = await PraetorAsync(praetor, "join", serf2.GossipAddress);
        Assert.True(join.ExitCode == 0, $"praetor join {serf2.GossipAddress}: expected exit 0, got {join.ExitCode}\n{join.StandardOutput}{join.StandardError}{Diagnostics()}");
        Assert.Contains("Successfully joined cluster by contacting 1 nodes", join.StandardOutput, StringComparison.Ordinal);
        await WaitForSerfAsync(serf2, PraetorNode, "alive", Diagnostics);
        await WaitForPraetorAsync(praetor, "serf2", "alive", Diagnostics);
        await WaitForSerfAsync(serf1, "serf2", "alive", Diagnostics);
        await serf3.JoinAsync(serf2.GossipAddress);
        await WaitForPraetorAsync(praetor, "serf3", "alive", Diagnostics);

        // (3) Praetor's member-join handler fired for serf's node, with Serf's member line on stdin.
        var memberJoin = await WaitForHandlerAsync(praetorEvents, env => env["SERF_EVENT"] == "member-join", stdin => stdin.Contains("serf1\t127.0.0.1\tserf\t", StringComparison.Ordinal),
            "Praetor's member-join handler to get serf1's line", Diagnostics);
        Assert.Equal(PraetorNode, memberJoin.Env["SERF_SELF_NAME"]);
        Assert.Equal("", memberJoin.Env["SERF_USER_EVENT"]);

        // (2) `serf event deploy hello` reaches Praetor's user:deploy handler.
        await serf1.FireEventAsync("deploy", "hello");
        var deploy = await WaitForHandlerAsync(praetorEvents, env => env["SERF_EVENT"] == "user" && env["SERF_USER_EVENT"] == "deploy", _ => true,
            "Praetor's user:deploy handler to run for serf's event", Diagnostics);
        Assert.Equal("hello\n", Encoding.UTF8.GetString(deploy.Stdin));
        Assert.Equal(PraetorNode, deploy.Env["SERF_SELF_NAME"]);

        // (4) `praetor event -name=deploy hi` reaches serf's handler as Consul's Serf user event.
        var fire = await PraetorAsync(praetor, "event", "-name=deploy", "hi");
        Assert.True(fire.ExitCode == 0, $"praetor event -name=deploy hi: expected exit 0, got {fire.ExitCode}\n{fire.StandardOutput}{fire.StandardError}{Diagnostics()}");
        var consulEvent = await WaitForHandlerAsync(serfEvents, env => env["SERF_EVENT"] == "user" && env["SERF_USER_EVENT"] == "consul:event:deploy", _ => true,
            "serf's handler to get user event consul:event:deploy", Diagnostics);
        Assert.Equal("serf1", consulEvent.Env["SERF_SELF_NAME"]);
        // Consul's UserEvent in msgpack: "n" → str "deploy", "p" → bin "hi" (serf appends a newline).
        AssertContainsBytes(consulEvent.Stdin, [0xa1, (byte)'n', 0xa6, .. "deploy"u8], "the event name in the msgpack payload", Diagnostics);
        AssertContainsBytes(consulEvent.Stdin, [0xa1, (byte)'p', 0xc4, 0x02, .. "hi"u8], "the payload as msgpack bin", Diagnostics);
        using (var http = new HttpClient { BaseAddress = praetor.BaseAddress, Timeout = TimeSpan.FromSeconds(10) })
        {
            var events = await http.GetFromJsonAsync<JsonElement>("v1/event/list?name=deploy");
            Assert.Contains(events.EnumerateArray(), e => e.GetProperty("Name").GetString() == "deploy" && e.GetProperty("Payload").GetString() == Convert.ToBase64String("hi"u8.ToArray()));
        }

        // Nothing of Praetor's made serf complain so far.
        Assert.DoesNotContain("[ERR]", serf1.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("[ERR]", serf2.Output, StringComparison.Ordinal);

        // (5) serf1 killed with SIGKILL is failed in `praetor members`, and the member-failed handler runs.
        await serf1.KillAsync();
        await WaitForPraetorAsync(praetor, "serf1", "failed", Diagnostics);
        await WaitForHandlerAsync(praetorEvents, env => env["SERF_EVENT"] == "member-failed", stdin => stdin.StartsWith("serf1\t", StringComparison.Ordinal),
            "Praetor's member-failed handler to get serf1's line", Diagnostics);

        // (5) The Praetor agent killed by PID is failed in `serf members`.
        await praetor.Process.SignalAsync("KILL");
        Assert.NotNull(await praetor.Process.WaitForExitAsync(TimeSpan.FromSeconds(10)));
        await WaitForSerfAsync(serf2, PraetorNode, "failed", Diagnostics);
        await WaitForSerfAsync(serf3, PraetorNode, "failed", Diagnostics);
    }

    /// <summary>A handler that leaves, per run, <c>KIND.PID.stdin</c> then <c>KIND.PID.env</c> (renamed into place, so a complete file).</summary>
    private static string WriteHandler(string path, string directory)
    {
        File.WriteAllText(path, $$"""
            #!/bin/sh
            n="{{directory}}/$SERF_EVENT.$$"
            cat > "$n.stdin"
            printf 'SERF_EVENT=%s\nSERF_USER_EVENT=%s\nSERF_SELF_NAME=%s\n' "$SERF_EVENT" "$SERF_USER_EVENT" "$SERF_SELF_NAME" > "$n.tmp"
            mv "$n.tmp" "$n.env"

            """);
        return path;
    }

    private sealed record HandlerRun(string File, IReadOnlyDictionary<string, string> Env, byte[] Stdin)
    {
        public override string ToString() =>
            $"{Path.GetFileName(File)}: {string.Join(' ', Env.Select(e => $"{e.Key}={e.Value}"))} stdin={JsonSerializer.Serialize(Encoding.UTF8.GetString(Stdin))}";
    }

    private static List<HandlerRun> HandlerRuns(string directory) =>
        [.. Directory.GetFiles(directory, "*.env").Order(StringComparer.Ordinal).Select(env => new HandlerRun(
            env,
            File.ReadAllLines(env).Select(l => l.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1]),
            File.ReadAllBytes(Path.ChangeExtension(env, ".stdin"))))];

    private static async Task<HandlerRun> WaitForHandlerAsync(string directory, Func<IReadOnlyDictionary<string, string>, bool> env, Func<string, bool> stdin, string what, Func<string> diagnostics)
    {
        HandlerRun? found = null;
        await WaitUntilAsync(() =>
        {
            found = HandlerRuns(directory).FirstOrDefault(r => env(r.Env) && stdin(Encoding.UTF8.GetString(r.Stdin)));
            return Task.FromResult(found is not null);
        }, () => $"{what}; runs so far:\n{string.Join('\n', HandlerRuns(directory))}{diagnostics()}");
        return found!;
    }

    private static void AssertContainsBytes(byte[] haystack, byte[] needle, string what, Func<string> diagnostics) =>
        Assert.True(haystack.AsSpan().IndexOf(needle) >= 0,
            $"serf's handler stdin lacks {what} ({Convert.ToHexString(needle)}); got {Convert.ToHexString(haystack)}{diagnostics()}");

    private static Task<ChildProcessResult> PraetorAsync(AgentProcess agent, params string[] args) =>
        PraetorExecutable.RunAsync(args, CliTimeout, new Dictionary<string, string> { ["CONSUL_HTTP_ADDR"] = agent.HttpAddr });

    /// <summary><c>praetor members</c>, parsed: node name → status.</summary>
    private static async Task<(IReadOnlyDictionary<string, string> Members, string Output)> PraetorMembersAsync(AgentProcess agent)
    {
        var result = await PraetorAsync(agent, "members");
        var output = $"exit {result.ExitCode}\n{result.StandardOutput}{result.StandardError}";
        var members = new Dictionary<string, string>();
        if (result.ExitCode != 0) return (members, output);
        foreach (var line in result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Skip(1))
        {
            var columns = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (columns.Length >= 3) members[columns[0]] = columns[2];
        }
        return (members, output);
    }

    private static async Task WaitForPraetorAsync(AgentProcess agent, string node, string status, Func<string> diagnostics)
    {
        var last = "(not run)";
        await WaitUntilAsync(async () =>
        {
            var (members, output) = await PraetorMembersAsync(agent);
            last = output;
            return members.TryGetValue(node, out var s) && s == status;
        }, () => $"`praetor members` to list {node} {status}; last output:\n{last}{diagnostics()}");
    }

    private static async Task WaitForSerfAsync(SerfInteropAgent serf, string node, string status, Func<string> diagnostics)
    {
        IReadOnlyDictionary<string, string> members = new Dictionary<string, string>();
        await WaitUntilAsync(async () =>
        {
            members = await serf.MembersAsync();
            return members.TryGetValue(node, out var s) && s == status;
        }, () => $"`serf members` at {serf.Name} to list {node} {status}; it lists {string.Join(", ", members.Select(m => $"{m.Key}={m.Value}"))}{diagnostics()}");
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, Func<string> what)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            if (clock.Elapsed > Deadline) Assert.Fail($"timed out after {Deadline.TotalSeconds} s waiting for {what()}");
            await Task.Delay(200);
        }
    }

    /// <summary>A fresh gossip key from <c>serf keygen</c>.</summary>
    private static async Task<string> SerfKeygenAsync()
    {
        var info = new ProcessStartInfo(SerfInteropAgent.Executable)
        {
            ArgumentList = { "keygen" },
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        await using var keygen = ChildProcess.Start(info);
        var exit = await keygen.WaitForExitAsync(TimeSpan.FromSeconds(10));
        Assert.True(exit == 0, $"serf keygen exited {exit}\n{keygen.Output}");
        var key = keygen.StandardOutput.Trim();
        Assert.Equal(32, Convert.FromBase64String(key).Length);
        return key;
    }
}
