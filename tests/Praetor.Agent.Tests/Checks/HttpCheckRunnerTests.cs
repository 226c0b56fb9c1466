using System.Net;
using System.Net.Sockets;
using Praetor.Agent.Checks;
using Praetor.Agent.Definitions;
using Praetor.State.Catalog;

namespace Praetor.Agent.Tests.Checks;

public sealed class HttpCheckRunnerTests
{
    private readonly RecordingSink _sink = new();

    [Theory]
    [InlineData(200, "OK", HealthStatus.Passing)]
    [InlineData(201, "Created", HealthStatus.Passing)]
    [InlineData(429, "Too Many Requests", HealthStatus.Warning)]
    [InlineData(503, "Service Unavailable", HealthStatus.Critical)]
    [InlineData(404, "Not Found", HealthStatus.Critical)]
    public async Task Status_code_maps_to_status_with_consuls_output(int code, string reason, string expected)
    {
        await using var server = new MinimalHttpServer(code, reason, body: "body text");
        await using var runner = Start(new CheckDefinition { Http = server.Url("/health?x=1"), Interval = TimeSpan.FromSeconds(30) });

        var report = await _sink.FirstReportAsync("api");

        Assert.Equal(new CheckReport("api", expected, $"HTTP GET {server.Url("/health?x=1")}: {code} {reason} Output: body text"), report);
        var request = Assert.Single(server.Requests);
        Assert.Equal("GET", request.Method);
        Assert.Equal("/health?x=1", request.Target);
        Assert.Equal(["Consul Health Check"], request.HeaderValues("User-Agent"));
    }

    [Fact]
    public async Task Method_headers_and_body_are_sent()
    {
        await using var server = new MinimalHttpServer();
        await using var runner = Start(new CheckDefinition
        {
            Http = server.Url("/check"),
            Method = "put",
            Header = new Dictionary<string, IReadOnlyList<string>>
            {
                ["X-Check-Token"] = ["one", "two"],
                ["Content-Type"] = ["application/json"],
                ["User-Agent"] = ["custom-agent"],
            },
            Body = """{"deep":true}""",
            Interval = TimeSpan.FromSeconds(30),
        });

        var report = await _sink.FirstReportAsync("api");

        Assert.Equal(HealthStatus.Passing, report.Status);
        Assert.StartsWith($"HTTP PUT {server.Url("/check")}: 200 OK", report.Output);
        var request = Assert.Single(server.Requests);
        Assert.Equal("PUT", request.Method);
        Assert.Equal(["one", "two"], request.HeaderValues("X-Check-Token").SelectMany(v => v.Split(',', StringSplitOptions.TrimEntries)));
        Assert.Equal(["application/json"], request.HeaderValues("Content-Type"));
        Assert.Equal(["custom-agent"], request.HeaderValues("User-Agent"));
        Assert.Equal("""{"deep":true}""", request.Body);
    }

    [Fact]
    public async Task Body_in_the_output_is_bounded_keeping_the_tail()
    {
        await using var server = new MinimalHttpServer(body: "0123456789ABCDEF");
        await using var runner = Start(new CheckDefinition { Http = server.Url(), Interval = TimeSpan.FromSeconds(30), OutputMaxSizeBytes = 10 });

        var report = await _sink.FirstReportAsync("api");

        Assert.EndsWith(": 200 OK Output: 6789ABCDEF", report.Output);
    }

    [Fact]
    public async Task Unreachable_service_is_critical_with_the_connection_error()
    {
        var url = $"http://127.0.0.1:{ClosedPort()}/health";
        await using var runner = Start(new CheckDefinition { Http = url, Interval = TimeSpan.FromSeconds(30) });

        var report = await _sink.FirstReportAsync("api");

        Assert.Equal(HealthStatus.Critical, report.Status);
        Assert.StartsWith($"Get \"{url}\": ", report.Output);
        Assert.Contains("refused", report.Output, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Service_that_never_answers_is_critical_at_the_timeout()
    {
        await using var server = new MinimalHttpServer(hang: true);
        await using var runner = Start(new CheckDefinition { Http = server.Url(), Interval = TimeSpan.FromSeconds(30), Timeout = TimeSpan.FromSeconds(1) });

        var report = await _sink.FirstReportAsync("api");

        Assert.Equal(new CheckReport("api", HealthStatus.Critical, $"Get \"{server.Url()}\": timed out (1s) awaiting response headers"), report);
    }

    [Fact]
    public async Task Url_that_is_not_http_is_critical_on_every_run()
    {
        await using var runner = Start(new CheckDefinition { Http = "ftp://example/", Interval = TimeSpan.FromSeconds(30) });

        var report = await _sink.FirstReportAsync("api");

        Assert.Equal(HealthStatus.Critical, report.Status);
        Assert.Contains("ftp://example/", report.Output);
    }

    /// <summary>A loopback port nothing listens on: bound by us, then released.</summary>
    internal static int ClosedPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private CheckRunner Start(CheckDefinition definition)
    {
        var runner = CheckRunners.Create("api", definition, _sink, TimeProvider.System);
        Assert.IsType<HttpCheckRunner>(runner);
        runner.Start();
        return runner;
    }
}
