using Microsoft.Extensions.Time.Testing;
using Praetor.Agent.Checks;
using Praetor.Agent.Definitions;
using Praetor.State.Catalog;

namespace Praetor.Agent.Tests.Checks;

public sealed class TtlCheckRunnerTests
{
    private static readonly TimeSpan Ttl = TimeSpan.FromSeconds(30);
    private readonly RecordingSink _sink = new();
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public async Task Starts_critical_then_pass_holds_until_the_ttl_runs_out()
    {
        await using var runner = Create(new CheckDefinition { Ttl = Ttl });

        runner.Start();
        Assert.Equal([new CheckReport("ttl", HealthStatus.Critical, "")], _sink.Reports);

        runner.SetStatus(HealthStatus.Passing, "all good");
        _time.Advance(Ttl - TimeSpan.FromMilliseconds(1));
        Assert.Equal(new CheckReport("ttl", HealthStatus.Passing, "all good"), Assert.Single(_sink.Reports.Skip(1)));

        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(
            new CheckReport("ttl", HealthStatus.Critical, "TTL expired (last output before timeout follows): all good"),
            _sink.Reports[^1]);
        Assert.Equal(3, _sink.Reports.Count);
    }

    [Fact]
    public async Task Every_update_rearms_the_ttl()
    {
        await using var runner = Create(new CheckDefinition { Ttl = Ttl });
        runner.Start();

        for (var i = 0; i < 5; i++)
        {
            _time.Advance(Ttl * 0.9);
            runner.SetStatus(HealthStatus.Warning, $"update {i}");
        }
        Assert.DoesNotContain(_sink.Reports, r => r.Output.StartsWith("TTL expired", StringComparison.Ordinal));

        _time.Advance(Ttl);
        Assert.Equal(new CheckReport("ttl", HealthStatus.Critical, "TTL expired (last output before timeout follows): update 4"), _sink.Reports[^1]);
    }

    [Fact]
    public async Task Ttl_without_any_update_expires_from_the_initial_status()
    {
        await using var runner = Create(new CheckDefinition { Ttl = Ttl, InitialStatus = HealthStatus.Passing });

        runner.Start();
        _time.Advance(Ttl);

        Assert.Equal(
            [new CheckReport("ttl", HealthStatus.Passing, ""), new CheckReport("ttl", HealthStatus.Critical, "TTL expired")],
            _sink.Reports);
    }

    [Fact]
    public async Task Expiry_is_reported_once()
    {
        await using var runner = Create(new CheckDefinition { Ttl = Ttl });
        runner.Start();

        _time.Advance(Ttl * 10);

        Assert.Equal(2, _sink.Reports.Count);
    }

    [Fact]
    public async Task Long_output_is_cut_as_consul_does()
    {
        await using var runner = Create(new CheckDefinition { Ttl = Ttl, OutputMaxSizeBytes = 5 });
        runner.Start();

        var stored = runner.SetStatus(HealthStatus.Passing, "abcdefgh");

        Assert.Equal("abcde ... (captured 5 of 8 bytes)", stored);
        Assert.Equal(new CheckReport("ttl", HealthStatus.Passing, stored), _sink.Reports[^1]);
    }

    [Fact]
    public async Task Unknown_status_is_refused()
    {
        await using var runner = Create(new CheckDefinition { Ttl = Ttl });
        runner.Start();

        Assert.Throws<ArgumentException>(() => runner.SetStatus("fine", "x"));
        Assert.Single(_sink.Reports);
    }

    [Fact]
    public async Task Dispose_stops_the_ttl()
    {
        var runner = Create(new CheckDefinition { Ttl = Ttl });
        runner.Start();

        await runner.DisposeAsync();
        _time.Advance(Ttl * 2);

        Assert.Single(_sink.Reports);
        Assert.Throws<ObjectDisposedException>(() => runner.SetStatus(HealthStatus.Passing, ""));
    }

    private TtlCheckRunner Create(CheckDefinition definition) =>
        Assert.IsType<TtlCheckRunner>(CheckRunners.Create("ttl", definition, _sink, _time));
}
