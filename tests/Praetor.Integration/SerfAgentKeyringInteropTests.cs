using System.Diagnostics;
using System.Globalization;

namespace Praetor.Integration;

/// <summary>
/// The real <c>praetor agent -dev -encrypt</c> process and a real <c>serf agent</c> on the same key:
/// <c>praetor keyring</c> counts both nodes and rotates serf's keys, and <c>serf keys</c> rotates
/// the Praetor agent's.
/// </summary>
[Trait("Category", "Integration")]
public sealed class SerfAgentKeyringInteropTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan CliTimeout = TimeSpan.FromSeconds(20);
    private static readonly string Key1 = Convert.ToBase64String(Enumerable.Range(0, 32).Select(i => (byte)(i + 40)).ToArray());
    private static readonly string Key2 = Convert.ToBase64String(Enumerable.Range(0, 32).Select(i => (byte)(i + 90)).ToArray());

    [SerfInteropFact]
    public async Task Praetor_keyring_and_serf_keys_see_and_rotate_each_others_keys()
    {
        await using var serf = await SerfInteropAgent.StartAsync("serf1", encryptKey: Key1);
        var serfPort = FreeLoopbackPort.Pick();
        await using var praetor = await AgentProcess.StartDevAsync("-node", "praetor-agent", "-serf-lan-port", serfPort.ToString(CultureInfo.InvariantCulture), "-encrypt", Key1);
        string Diagnostics() => $"\n=== praetor ===\n{praetor.Process.Output}\n=== serf ===\n{serf.Output}";
        await serf.JoinAsync($"127.0.0.1:{serfPort}");
        await WaitUntilAsync(async () => (await serf.MembersAsync()).GetValueOrDefault("praetor-agent") == "alive", () => "serf to list praetor-agent alive" + Diagnostics());

        // Both nodes answer Praetor's list (serf's answer may lag its view of the join by a moment).
        await WaitUntilAsync(async () => (await PraetorAsync(praetor, "keyring", "-list")).StandardOutput.Contains($"  {Key1} [2/2]", StringComparison.Ordinal),
            () => "praetor keyring -list to count both nodes" + Diagnostics());
        var list = await PraetorAsync(praetor, "keyring", "-list");
        // The -dev agent is a server: its WAN pool (itself alone) is listed first, as Consul's.
        Assert.Equal($"==> Gathering installed encryption keys...\n\nWAN:\n  {Key1} [1/1]\n\ndc1 (LAN):\n  {Key1} [2/2]\n", list.StandardOutput);

        // Praetor installs a key; serf has it.
        var install = await PraetorAsync(praetor, "keyring", "-install", Key2);
        Assert.True(install.ExitCode == 0, $"praetor keyring -install: {install.StandardOutput}{install.StandardError}{Diagnostics()}");
        var (exit, serfList) = await serf.RunAsync("keys", "-list");
        Assert.True(exit == 0, serfList);
        Assert.Contains($"{Key2}  [2/2]", serfList, StringComparison.Ordinal);

        // serf makes it primary everywhere; Praetor's list-primary shows it.
        (exit, var use) = await serf.RunAsync("keys", "-use", Key2);
        Assert.True(exit == 0, use + Diagnostics());
        var primary = await PraetorAsync(praetor, "keyring", "-list-primary");
        Assert.Contains($"  {Key2} [2/2]", primary.StandardOutput, StringComparison.Ordinal);

        // Removing the primary key fails on both, and Praetor says so per node.
        var remove = await PraetorAsync(praetor, "keyring", "-remove", Key2);
        Assert.Equal(1, remove.ExitCode);
        Assert.Contains("serf1: Removing the primary key is not allowed", remove.StandardError, StringComparison.Ordinal);
        Assert.Contains("praetor-agent: Removing the primary key is not allowed", remove.StandardError, StringComparison.Ordinal);
    }

    private static Task<ChildProcessResult> PraetorAsync(AgentProcess agent, params string[] args) =>
        PraetorExecutable.RunAsync(args, CliTimeout, new Dictionary<string, string> { ["CONSUL_HTTP_ADDR"] = agent.HttpAddr });

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, Func<string> what)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            if (clock.Elapsed > Deadline) Assert.Fail($"timed out after {Deadline.TotalSeconds} s waiting for {what()}");
            await Task.Delay(200);
        }
    }
}
