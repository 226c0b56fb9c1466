using Microsoft.Extensions.Time.Testing;
using Praetor.Agent.Checks;
using Praetor.Agent.Definitions;

namespace Praetor.Agent.Tests.Checks;

public sealed class CheckRunnersTests
{
    private readonly RecordingSink _sink = new();
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void Alias_check_is_refused_with_a_clear_message()
    {
        var e = Assert.Throws<ArgumentException>(() =>
            CheckRunners.Create("alias", new CheckDefinition { AliasService = "web" }, _sink, _time));

        Assert.Contains("alias", e.Message);
    }

    [Fact]
    public void Definition_without_a_way_to_run_is_refused()
    {
        var e = Assert.Throws<ArgumentException>(() => CheckRunners.Create("nothing", new CheckDefinition(), _sink, _time));

        Assert.Contains("\"nothing\"", e.Message);
    }

    [Theory]
    [InlineData("script")]
    [InlineData("http")]
    [InlineData("tcp")]
    public void Interval_check_without_an_interval_is_refused(string kind)
    {
        var definition = kind switch
        {
            "script" => new CheckDefinition { Script = "true" },
            "http" => new CheckDefinition { Http = "http://127.0.0.1:1/" },
            _ => new CheckDefinition { Tcp = "127.0.0.1:1" },
        };

        var e = Assert.Throws<ArgumentException>(() => CheckRunners.Create("c", definition, _sink, _time));

        Assert.Contains("Interval must be > 0", e.Message);
    }

    [Fact]
    public async Task Short_interval_is_clamped_to_a_second_and_timeout_defaults_to_ten()
    {
        await using var runner = Assert.IsType<TcpCheckRunner>(CheckRunners.Create("c", new CheckDefinition
        {
            Tcp = "127.0.0.1:1",
            Interval = TimeSpan.FromMilliseconds(10),
        }, _sink, _time));

        Assert.Equal(TimeSpan.FromSeconds(1), runner.Interval);
        Assert.Equal(TimeSpan.FromSeconds(10), runner.Timeout);
    }

    [Fact]
    public void Invalid_initial_status_is_refused_for_a_ttl_check() =>
        Assert.Throws<ArgumentException>(() =>
            CheckRunners.Create("c", new CheckDefinition { Ttl = TimeSpan.FromSeconds(5), InitialStatus = "fine" }, _sink, _time));
}
