namespace Praetor.Agent.Tests;

public sealed class GoDurationTests
{
    [Theory]
    [InlineData(0L, "0s")]
    [InlineData(15_000L, "1.5ms")]
    [InlineData(1_500L, "150µs")]
    [InlineData(1L, "100ns")]
    [InlineData(1_000L, "100µs")]
    [InlineData(10_000_000L, "1s")]
    [InlineData(1_200_000_000L, "2m0s")]
    [InlineData(36_000_000_000L, "1h0m0s")]
    [InlineData(37_230_000_000L, "1h2m3s")]
    [InlineData(-15_000_000L, "-1.5s")]
    public void Format_matches_gos_Duration_String(long ticks, string expected)
    {
        Assert.Equal(expected, GoDuration.Format(TimeSpan.FromTicks(ticks)));
    }

    [Theory]
    [InlineData("1us", 10L)]
    [InlineData("1µs", 10L)]
    [InlineData("1h1m1s", 36_610_000_000L)]
    [InlineData(".5s", 5_000_000L)]
    [InlineData("1.s", 10_000_000L)]
    [InlineData("+3ms", 30_000L)]
    public void TryParse_reads_gos_syntax(string text, long ticks)
    {
        Assert.True(GoDuration.TryParse(text, out var value, out var error), error);
        Assert.Equal(TimeSpan.FromTicks(ticks), value);
    }

    [Theory]
    [InlineData("5", "time: missing unit in duration \"5\"")]
    [InlineData("5d", "time: unknown unit \"d\" in duration \"5d\"")]
    [InlineData(".s", "time: invalid duration \".s\"")]
    [InlineData("-", "time: invalid duration \"-\"")]
    [InlineData("99999999999h", "time: invalid duration \"99999999999h\"")]
    public void TryParse_reports_gos_errors(string text, string expected)
    {
        Assert.False(GoDuration.TryParse(text, out _, out var error));
        Assert.Equal(expected, error);
    }
}
