using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.Logging;
using Praetor.Gossip.Memberlist;
using Praetor.Gossip.Memberlist.Wire;
using Praetor.Gossip.Serf;

namespace Praetor.Gossip.Tests.Runtime;

/// <summary>Starting pools on loopback with memberlist's local timings, and waiting on conditions with deadlines.</summary>
internal static class PoolTestKit
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    /// <summary>memberlist's local profile with a 10 s TCP timeout: its 1 s made joins time out on a loaded machine.</summary>
    public static GossipOptions Options { get; } = GossipOptions.Local() with { TcpTimeout = TimeSpan.FromSeconds(10) };

    /// <summary>
    /// A pool on 127.0.0.1 with <see cref="Options"/>. <paramref name="queryTimeoutMult"/> stretches
    /// the default query deadline (16 gives 1.6 s for three nodes) for tests that wait on every answer.
    /// </summary>
    public static Task<SerfPool> StartAsync(string name, Keyring? keyring = null, int queryTimeoutMult = 16, ILogger? logger = null) =>
        SerfPool.StartAsync(
            new SerfPoolConfig(name, new IPEndPoint(IPAddress.Loopback, 0))
            {
                GossipOptions = Options,
                SerfOptions = new SerfOptions { ProtocolVersion = SerfOptions.ProtocolVersionMax, QueryTimeoutMult = queryTimeoutMult },
                Keyring = keyring,
                Tags = new Dictionary<string, string> { ["role"] = "test" },
                Logger = logger,
            },
            TimeProvider.System,
            CancellationToken.None);

    public static string Address(SerfPool pool) => pool.AdvertiseEndpoint.ToString();

    public static MemberStatus? StatusOf(SerfPool pool, string node)
    {
        foreach (var member in pool.Members())
        {
            if (member.Name == node) return member.Status;
        }
        return null;
    }

    public static async Task WaitUntilAsync(Func<bool> condition, string what, TimeSpan? deadline = null)
    {
        var clock = Stopwatch.StartNew();
        var limit = deadline ?? Deadline;
        while (!condition())
        {
            if (clock.Elapsed > limit) Assert.Fail($"timed out after {limit.TotalSeconds} s waiting for {what}");
            await Task.Delay(50);
        }
    }

    public static async Task WaitForStatusAsync(SerfPool pool, string node, MemberStatus status) =>
        await WaitUntilAsync(() => StatusOf(pool, node) == status, $"{pool.NodeName} to see {node} {status} (sees {Describe(pool)})");

    public static string Describe(SerfPool pool)
    {
        var parts = new List<string>();
        foreach (var m in pool.Members()) parts.Add($"{m.Name}={m.Status.Name()}");
        return string.Join(", ", parts);
    }

    /// <summary>Reads events until one matches, failing at the deadline.</summary>
    public static async Task<T> NextEventAsync<T>(SerfPool pool, Func<T, bool> match, TimeSpan? deadline = null) where T : SerfEvent
    {
        using var cts = new CancellationTokenSource(deadline ?? Deadline);
        try
        {
            while (true)
            {
                var e = await pool.Events.ReadAsync(cts.Token);
                if (e is T typed && match(typed)) return typed;
            }
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"{pool.NodeName}: no matching {typeof(T).Name} before the deadline");
            throw;
        }
    }
}
