using System.Net;
using System.Net.Sockets;
using Praetor.Agent.Checks;
using Praetor.Agent.Definitions;
using Praetor.State.Catalog;

namespace Praetor.Agent.Tests.Checks;

public sealed class TcpCheckRunnerTests
{
    private readonly RecordingSink _sink = new();

    [Fact]
    public async Task Open_port_is_passing()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            var address = $"127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}";
            await using var runner = Start(new CheckDefinition { Tcp = address, Interval = TimeSpan.FromSeconds(30) });

            var report = await _sink.FirstReportAsync("db");

            Assert.Equal(new CheckReport("db", HealthStatus.Passing, $"TCP connect {address}: Success"), report);
            using var accepted = await listener.AcceptTcpClientAsync().WaitAsync(TimeSpan.FromSeconds(5));
        }
        finally
        {
            listener.Stop();
        }
    }

    [Fact]
    public async Task Host_name_is_resolved()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            var address = $"localhost:{((IPEndPoint)listener.LocalEndpoint).Port}";
            await using var runner = Start(new CheckDefinition { Tcp = address, Interval = TimeSpan.FromSeconds(30) });

            var report = await _sink.FirstReportAsync("db");

            Assert.Equal(new CheckReport("db", HealthStatus.Passing, $"TCP connect {address}: Success"), report);
        }
        finally
        {
            listener.Stop();
        }
    }

    [Fact]
    public async Task Closed_port_is_critical_with_the_error()
    {
        var address = $"127.0.0.1:{HttpCheckRunnerTests.ClosedPort()}";
        await using var runner = Start(new CheckDefinition { Tcp = address, Interval = TimeSpan.FromSeconds(30) });

        var report = await _sink.FirstReportAsync("db");

        Assert.Equal(HealthStatus.Critical, report.Status);
        Assert.StartsWith($"dial tcp {address}: ", report.Output);
        Assert.Contains("refused", report.Output, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("127.0.0.1", "missing port in address")]
    [InlineData("::1:80", "too many colons in address")]
    [InlineData("127.0.0.1:http", "unknown port")]
    public async Task Malformed_address_is_critical_with_gos_reason(string address, string reason)
    {
        await using var runner = Start(new CheckDefinition { Tcp = address, Interval = TimeSpan.FromSeconds(30) });

        var report = await _sink.FirstReportAsync("db");

        Assert.Equal(new CheckReport("db", HealthStatus.Critical, $"dial tcp {address}: {reason}"), report);
    }

    private CheckRunner Start(CheckDefinition definition)
    {
        var runner = CheckRunners.Create("db", definition, _sink, TimeProvider.System);
        Assert.IsType<TcpCheckRunner>(runner);
        runner.Start();
        return runner;
    }
}
