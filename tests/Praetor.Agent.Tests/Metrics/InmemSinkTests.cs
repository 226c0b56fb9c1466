using System.Diagnostics.Metrics;
using Microsoft.Extensions.Time.Testing;
using Praetor.Agent.Metrics;

namespace Praetor.Agent.Tests.Metrics;

public sealed class InmemSinkTests
{
    [Fact]
    public void A_gauge_that_throws_is_skipped_and_the_others_are_still_read()
    {
        using var meters = new AgentMeterFactory();
        using var sink = new InmemSink(meters, TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(1), new FakeTimeProvider());
        var meter = meters.Create(new MeterOptions("Praetor.Test"));
        meter.CreateObservableGauge("test.broken", new Func<long>(() => throw new ObjectDisposedException("pool")));
        meter.CreateObservableGauge("test.working", () => 7L);

        var summary = sink.Summary();

        Assert.Equal(7, Assert.Single(summary.Gauges, g => g.Name == "test.working").Value);
        Assert.DoesNotContain(summary.Gauges, g => g.Name == "test.broken");
    }
}
