using System.Net;
using Praetor.Gossip.Memberlist;
using Praetor.Gossip.Serf;
using static Praetor.Gossip.Tests.Runtime.PoolTestKit;

namespace Praetor.Gossip.Tests.Runtime;

/// <summary>Real pools on 127.0.0.1 restarted from their snapshot: they rejoin by themselves and keep their clocks.</summary>
public sealed class SerfPoolSnapshotTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("praetor-pool-snapshot-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>A pool with memberlist's local timings but a 10 s TCP timeout: a loaded test machine must not fail a join.</summary>
    private static Task<SerfPool> StartPoolAsync(string name, int port = 0, string? snapshot = null, bool rejoinAfterLeave = false) =>
        SerfPool.StartAsync(
            new SerfPoolConfig(name, new IPEndPoint(IPAddress.Loopback, port))
            {
                GossipOptions = PoolTestKit.Options,
                SnapshotPath = snapshot,
                RejoinAfterLeave = rejoinAfterLeave,
            },
            TimeProvider.System,
            CancellationToken.None);

    private Task<SerfPool> StartWithSnapshotAsync(string name, int port, bool rejoinAfterLeave = false) =>
        StartPoolAsync(name, port, Path.Combine(_dir, name, "serf", "local.snapshot"), rejoinAfterLeave);

    /// <summary>a and b joined, c joined through a with a snapshot, and an event "before" every one of them delivered.</summary>
    private async Task<(SerfPool A, SerfPool B, SerfPool C)> ClusterWithEventAsync()
    {
        var a = await StartPoolAsync("a");
        var b = await StartPoolAsync("b");
        var c = await StartWithSnapshotAsync("c", 0);
        await b.JoinAsync([Address(a)], false, CancellationToken.None);
        await c.JoinAsync([Address(a)], false, CancellationToken.None);
        foreach (var pool in new[] { a, b, c })
        {
            await WaitUntilAsync(() => pool.Members().Count(m => m.Status == MemberStatus.Alive) == 3, $"{pool.NodeName} to see 3 alive (sees {Describe(pool)})");
        }
        a.FireUserEvent("before", [1], coalesce: false);
        await NextEventAsync<SerfUserEvent>(c, e => e.Name == "before");
        return (a, b, c);
    }

    /// <summary>Fires "after" at <paramref name="from"/> and returns the user events <paramref name="to"/> delivers up to and with it.</summary>
    private static async Task<List<string>> UserEventsUntilAfterAsync(SerfPool from, SerfPool to)
    {
        from.FireUserEvent("after", [2], coalesce: false);
        var names = new List<string>();
        await NextEventAsync<SerfUserEvent>(to, e =>
        {
            names.Add(e.Name);
            return e.Name == "after";
        });
        return names;
    }

    [Fact]
    public async Task A_restarted_pool_rejoins_by_itself_and_does_not_deliver_old_events_again()
    {
        var (a, b, c) = await ClusterWithEventAsync();
        await using var _a = a;
        await using var _b = b;
        var port = c.AdvertiseEndpoint.Port;
        await c.DisposeAsync();

        await using var restarted = await StartWithSnapshotAsync("c", port);

        // Ourselves included, as Serf records every join; the rejoin skips us.
        Assert.Equal(["a", "b", "c"], restarted.PreviousNodes.Select(p => p.Name).Order());
        await WaitUntilAsync(() => restarted.Members().Count(m => m.Status == MemberStatus.Alive) == 3, $"the restarted c to see 3 alive (sees {Describe(restarted)})");
        await WaitForStatusAsync(a, "c", MemberStatus.Alive);
        Assert.Equal(["after"], await UserEventsUntilAfterAsync(a, restarted));
    }

    [Fact]
    public async Task After_a_graceful_leave_a_restart_does_not_rejoin_but_keeps_its_clocks()
    {
        var (a, b, c) = await ClusterWithEventAsync();
        await using var _a = a;
        await using var _b = b;
        var port = c.AdvertiseEndpoint.Port;
        await c.LeaveAsync(CancellationToken.None);
        await WaitForStatusAsync(a, "c", MemberStatus.Left);

        await using var restarted = await StartWithSnapshotAsync("c", port);

        Assert.Empty(restarted.PreviousNodes);
        Assert.Equal(["c"], restarted.Members().Select(m => m.Name));
        // Joined by hand, it still does not deliver the event from before its leave.
        await restarted.JoinAsync([Address(a)], false, CancellationToken.None);
        await WaitForStatusAsync(a, "c", MemberStatus.Alive);
        Assert.Equal(["after"], await UserEventsUntilAfterAsync(a, restarted));
    }

    [Fact]
    public async Task With_rejoin_after_leave_a_restart_after_a_graceful_leave_rejoins()
    {
        var (a, b, c) = await ClusterWithEventAsync();
        await using var _a = a;
        await using var _b = b;
        var port = c.AdvertiseEndpoint.Port;
        await c.LeaveAsync(CancellationToken.None);
        await WaitForStatusAsync(a, "c", MemberStatus.Left);

        await using var restarted = await StartWithSnapshotAsync("c", port, rejoinAfterLeave: true);

        // Ourselves included, as Serf records every join; the rejoin skips us.
        Assert.Equal(["a", "b", "c"], restarted.PreviousNodes.Select(p => p.Name).Order());
        await WaitForStatusAsync(a, "c", MemberStatus.Alive);
        await WaitForStatusAsync(b, "c", MemberStatus.Alive);
        Assert.Equal(["after"], await UserEventsUntilAfterAsync(a, restarted));
    }
}
