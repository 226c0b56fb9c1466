using System.Diagnostics;
using System.Net;
using System.Text;
using Praetor.Gossip;
using Praetor.Gossip.Memberlist;
using Praetor.Gossip.Memberlist.Wire;
using Praetor.Gossip.Serf;

namespace Praetor.Integration;

/// <summary>
/// Praetor's gossip (an in-process <see cref="SerfPool"/>) and the real Debian <c>serf agent</c>
/// (Serf 0.9 / memberlist 0.2) on loopback: joins in both directions, each lists the other alive,
/// user events cross both ways into handlers, a kill on either side is detected as failed, a leave
/// as left; in plaintext and with gossip encryption on the same key.
/// </summary>
[Trait("Category", "Integration")]
public sealed class SerfInteropTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(40);

    [SerfInteropFact]
    public Task Serf_and_praetor_join_each_other_exchange_events_and_detect_kills() => RunScenarioAsync(key: null);

    [SerfInteropFact]
    public Task Serf_and_praetor_do_the_same_with_gossip_encryption_on_the_same_key() =>
        RunScenarioAsync(key: Enumerable.Range(0, 32).Select(i => (byte)(i * 7 + 3)).ToArray());

    [SerfInteropFact]
    public async Task A_pool_with_another_key_cannot_join_serf()
    {
        var serfKey = Enumerable.Repeat((byte)1, 32).ToArray();
        await using var serf = await SerfInteropAgent.StartAsync("serf1", encryptKey: Convert.ToBase64String(serfKey));
        await using var pool = await StartPoolAsync("praetor-a", Enumerable.Repeat((byte)2, 32).ToArray());

        await Assert.ThrowsAsync<GossipException>(() => pool.JoinAsync([serf.GossipAddress], false, CancellationToken.None));

        Assert.DoesNotContain("praetor-a", (await serf.MembersAsync()).Keys);
        Assert.Equal(["praetor-a"], pool.Members().Select(m => m.Name));
    }

    [SerfInteropFact]
    public async Task Serf_and_praetor_read_each_others_coordinates_from_ping_acks()
    {
        await using var serf = await SerfInteropAgent.StartAsync("serf1");
        await using var pool = await StartPoolAsync("praetor-a", null);
        await pool.JoinAsync([serf.GossipAddress], false, CancellationToken.None);

        // Praetor decoded serf's ack payloads and moved its own coordinate by them.
        await WaitUntilAsync(() => pool.CachedCoordinate("serf1") is not null && pool.LocalCoordinate.Vec.Any(v => v != 0), () => "praetor-a to cache serf1's coordinate");
        Assert.Equal(8, pool.CachedCoordinate("serf1")!.Vec.Length);
        Assert.Equal(0, pool.Statistics.CoordinatesRejected);
        // serf decoded ours: `serf rtt` finds both coordinates in serf's cache.
        var rtt = (0, "");
        await WaitUntilAsync(async () => (rtt = await serf.RunAsync("rtt", "praetor-a")).Item1 == 0, () => $"serf rtt praetor-a to succeed: {rtt.Item2}");
        Assert.Matches(@"^Estimated praetor-a <-> serf1 rtt: \d+\.\d{3} ms", rtt.Item2);
    }

    private static async Task RunScenarioAsync(byte[]? key)
    {
        using var temp = new TempDirectory();
        var eventLog = temp.Combine("serf-events.log");
        var handler = temp.Combine("handler.sh");
        File.WriteAllText(handler, $"#!/bin/sh\nprintf '%s %s %s\\n' \"$SERF_EVENT\" \"$SERF_USER_EVENT\" \"$(cat)\" >> '{eventLog}'\n");

        // serf runs a handler with /bin/sh -c, so the script needs no execute bit.
        await using var serf = await SerfInteropAgent.StartAsync("serf1", $"sh {handler}", key is null ? null : Convert.ToBase64String(key));
        await using var a = await StartPoolAsync("praetor-a", key);
        var b = await StartPoolAsync("praetor-b", key);
        await using var c = await StartPoolAsync("praetor-c", key);
        try
        {
            // Praetor joins serf.
            Assert.Equal(1, await a.JoinAsync([serf.GossipAddress], false, CancellationToken.None));
            await WaitForSerfAsync(serf, "praetor-a", "alive");
            await WaitForPoolAsync(a, "serf1", MemberStatus.Alive);
            var serfSeenByPool = a.Members().Single(m => m.Name == "serf1");
            Assert.Equal("serf", serfSeenByPool.Tags["role"]);

            // serf joins Praetor.
            await serf.JoinAsync(b.AdvertiseEndpoint.ToString());
            await WaitForSerfAsync(serf, "praetor-b", "alive");
            await WaitForPoolAsync(b, "serf1", MemberStatus.Alive);
            await WaitForPoolAsync(b, "praetor-a", MemberStatus.Alive);
            await c.JoinAsync([serf.GossipAddress], false, CancellationToken.None);
            await WaitForSerfAsync(serf, "praetor-c", "alive");

            // A serf event reaches the pools' Events.
            await serf.FireEventAsync("deploy", "payload-from-serf");
            var deploy = await NextUserEventAsync(a, "deploy");
            Assert.Equal("payload-from-serf", Encoding.UTF8.GetString(deploy.Payload!));
            await NextUserEventAsync(b, "deploy");

            // A Praetor event reaches serf's handler.
            a.FireUserEvent("praetor-hello", Encoding.UTF8.GetBytes("hi-from-praetor"), coalesce: false);
            await WaitUntilAsync(() => File.Exists(eventLog) && File.ReadAllText(eventLog).Contains("user praetor-hello hi-from-praetor"),
                () => $"serf's handler to log praetor-hello; log: {(File.Exists(eventLog) ? File.ReadAllText(eventLog) : "(none)")}\n{serf.Output}");

            // Until now nothing went wrong on serf's side: every packet and stream of ours decoded.
            Assert.DoesNotContain("[ERR]", serf.Output);
            // A suspicion serf refutes is timing (a probe of ours late on a loaded machine), not a wire problem.
            Assert.DoesNotContain(serf.Output.Split('\n'), l => l.Contains("[WARN]", StringComparison.Ordinal) && !l.Contains("Refuting a suspect message", StringComparison.Ordinal));

            // A pool stopped without leaving (as a killed agent) is failed at serf.
            await b.DisposeAsync();
            await WaitForSerfAsync(serf, "praetor-b", "failed");

            // A pool that leaves is left at serf.
            await c.LeaveAsync(CancellationToken.None);
            await WaitForSerfAsync(serf, "praetor-c", "left");

            // serf killed with SIGKILL is failed at the pool.
            await serf.KillAsync();
            await WaitForPoolAsync(a, "serf1", MemberStatus.Failed);
            Assert.Equal(0, a.Statistics.UdpPacketsDropped);
        }
        finally
        {
            await b.DisposeAsync();
        }
    }

    private static Task<SerfPool> StartPoolAsync(string name, byte[]? key) =>
        SerfPool.StartAsync(
            new SerfPoolConfig(name, new IPEndPoint(IPAddress.Loopback, 0))
            {
                GossipOptions = GossipOptions.Local() with { TcpTimeout = TimeSpan.FromSeconds(10) }, // 1 s timed out joins under load
                Keyring = key is null ? null : new Keyring(key),
                Tags = new Dictionary<string, string> { ["role"] = "praetor" },
            },
            TimeProvider.System,
            CancellationToken.None);

    private static async Task WaitForSerfAsync(SerfInteropAgent serf, string node, string status)
    {
        IReadOnlyDictionary<string, string> members = new Dictionary<string, string>();
        await WaitUntilAsync(async () =>
        {
            members = await serf.MembersAsync();
            return members.TryGetValue(node, out var s) && s == status;
        }, () => $"serf to list {node} {status}; it lists {string.Join(", ", members.Select(m => $"{m.Key}={m.Value}"))}\n{serf.Output}");
    }

    private static Task WaitForPoolAsync(SerfPool pool, string node, MemberStatus status) =>
        WaitUntilAsync(() => pool.Members().Any(m => m.Name == node && m.Status == status),
            () => $"{pool.NodeName} to see {node} {status.Name()}; it sees {string.Join(", ", pool.Members().Select(m => $"{m.Name}={m.Status.Name()}"))}");

    private static async Task<SerfUserEvent> NextUserEventAsync(SerfPool pool, string name)
    {
        using var cts = new CancellationTokenSource(Deadline);
        while (true)
        {
            SerfEvent e;
            try
            {
                e = await pool.Events.ReadAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"{pool.NodeName} got no user event {name} within {Deadline}");
                throw;
            }
            if (e is SerfUserEvent user && user.Name == name) return user;
        }
    }

    private static Task WaitUntilAsync(Func<bool> condition, Func<string> what) => WaitUntilAsync(() => Task.FromResult(condition()), what);

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
