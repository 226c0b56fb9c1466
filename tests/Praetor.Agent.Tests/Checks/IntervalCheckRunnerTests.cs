using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Time.Testing;
using Praetor.Agent.Checks;
using Praetor.Agent.Definitions;
using Praetor.State.Catalog;

namespace Praetor.Agent.Tests.Checks;

public sealed class IntervalCheckRunnerTests
{
    private readonly RecordingSink _sink = new();

    [Fact]
    public async Task Hanging_check_does_not_delay_another_checks_reports()
    {
        await using var hanging = CheckRunners.Create("hanging", new CheckDefinition
        {
            Script = "exec sleep 100",
            Interval = TimeSpan.FromSeconds(1),
            Timeout = TimeSpan.FromSeconds(60),
        }, _sink, TimeProvider.System);
        await using var quick = CheckRunners.Create("quick", new CheckDefinition
        {
            Args = ["/bin/true"],
            Interval = TimeSpan.FromSeconds(1),
        }, _sink, TimeProvider.System);

        hanging.Start();
        quick.Start();

        // Two runs of the quick check: its loop goes on at its interval while the other hangs.
        await _sink.WaitForAsync(reports => reports.Count(r => r.CheckId == "quick") >= 2);
        Assert.All(_sink.Reports, r => Assert.Equal(new CheckReport("quick", HealthStatus.Passing, ""), r));
    }

    [Fact]
    public async Task Every_run_is_reported_even_when_nothing_changed()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var time = new FakeTimeProvider();
        await using var runner = CheckRunners.Create("db", new CheckDefinition
        {
            Tcp = $"127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}",
            Interval = TimeSpan.FromSeconds(5),
        }, _sink, time);

        runner.Start();
        await AdvanceUntilAsync(time, TimeSpan.FromSeconds(1), () => _sink.Reports.Count >= 3);

        Assert.All(_sink.Reports, r => Assert.Equal(HealthStatus.Passing, r.Status));
        listener.Stop();
    }

    [Fact]
    public async Task Dispose_stops_reporting()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var time = new FakeTimeProvider();
        var runner = CheckRunners.Create("db", new CheckDefinition
        {
            Tcp = $"127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}",
            Interval = TimeSpan.FromSeconds(5),
        }, _sink, time);
        runner.Start();
        await AdvanceUntilAsync(time, TimeSpan.FromSeconds(1), () => _sink.Reports.Count >= 1);

        await runner.DisposeAsync();
        var reported = _sink.Reports.Count;
        for (var i = 0; i < 20; i++)
        {
            time.Advance(TimeSpan.FromSeconds(5));
            await Task.Yield();
        }

        Assert.Equal(reported, _sink.Reports.Count);
        Assert.Throws<ObjectDisposedException>(runner.Start);
        listener.Stop();
    }

    [Fact]
    public async Task First_run_comes_within_a_second_of_start()
    {
        var clock = Stopwatch.StartNew();
        await using var runner = CheckRunners.Create("slow-interval", new CheckDefinition
        {
            Args = ["/bin/true"],
            Interval = TimeSpan.FromHours(1),
        }, _sink, TimeProvider.System);

        runner.Start();
        await _sink.FirstReportAsync("slow-interval");

        Assert.InRange(clock.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(5));
    }

    /// <summary>
    /// Moves fake time on in steps until the condition holds: the runner's loop arms its next
    /// delay on its own thread after each run, so a single big step could come before the arming.
    /// </summary>
    private static async Task AdvanceUntilAsync(FakeTimeProvider time, TimeSpan step, Func<bool> condition)
    {
        var deadline = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(deadline.Elapsed < RecordingSink.DefaultDeadline, "condition not met before the deadline");
            time.Advance(step);
            await Task.Delay(10);
        }
    }
}
