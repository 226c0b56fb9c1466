using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Praetor.Cli.Tests.Commands;

/// <summary><c>praetor event</c> against a stub agent answering <c>/v1/agent/self</c> and <c>/v1/event/fire</c> as Consul does.</summary>
public sealed class EventCommandTests : IAsyncLifetime
{
    private const string EventId = "b54fe110-7af5-cafc-d1fb-afc8ba432b1c";

    private WebApplication? _app;
    private readonly Dictionary<string, string> _environment = new(StringComparer.Ordinal);
    private readonly List<(string Path, string Query, byte[] Body)> _fired = [];
    private int _fireStatus = StatusCodes.Status200OK;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        _app = builder.Build();
        _app.MapGet("/v1/agent/self", () => Results.Text("""{"Config":{"NodeName":"web-1"}}""", "application/json"));
        _app.MapPut("/v1/event/fire/{**name}", async context =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            lock (_fired)
            {
                _fired.Add((context.Request.Path.Value!, context.Request.QueryString.Value ?? "", body.ToArray()));
            }
            context.Response.StatusCode = _fireStatus;
            await context.Response.WriteAsync(_fireStatus == StatusCodes.Status200OK
                ? $$"""{"ID":"{{EventId}}","Name":"{{context.Request.RouteValues["name"]}}","Payload":null,"NodeFilter":"","ServiceFilter":"","TagFilter":"","Version":1,"LTime":0}"""
                : "user event exceeds configured limit of 512 bytes before encoding");
        });
        await _app.StartAsync();
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        _environment["CONSUL_HTTP_ADDR"] = new Uri(address).Authority;
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }

    private Task<CliRun> RunAsync(params string[] args) => CliRun.RunAsync(_environment, string.Empty, args);

    [Fact]
    public async Task Event_fires_with_filters_and_payload_and_prints_the_id()
    {
        var run = await RunAsync("event", "-name=deploy", "-node=^web", "-service=api", "-tag=v1", "v1.2");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal($"Event ID: {EventId}\n", run.Stdout);
        var (path, query, body) = Assert.Single(_fired);
        Assert.Equal("/v1/event/fire/deploy", path);
        Assert.Equal("?node=%5Eweb&service=api&tag=v1", query);
        Assert.Equal("v1.2"u8.ToArray(), body);
    }

    [Fact]
    public async Task Event_without_a_payload_sends_an_empty_body()
    {
        var run = await RunAsync("event", "-name=restart");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Empty(Assert.Single(_fired).Body);
    }

    [Fact]
    public async Task Event_needs_a_name()
    {
        var run = await RunAsync("event", "payload");
        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith("Event name must be specified\n\nUsage: praetor event [options] [payload]", run.Stderr, StringComparison.Ordinal);
        Assert.Empty(_fired);
    }

    [Theory]
    [InlineData("-tag=v1", "Cannot provide tag filter without service filter.\n")]
    [InlineData("-node=(", "Failed to compile node filter regexp: ")]
    [InlineData("-service=[", "Failed to compile service filter regexp: ")]
    public async Task Event_checks_the_filters_first(string flag, string error)
    {
        var run = await RunAsync("event", "-name=e", flag);
        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith(error, run.Stderr, StringComparison.Ordinal);
        Assert.Empty(_fired);
    }

    [Fact]
    public async Task Event_takes_at_most_one_payload()
    {
        var run = await RunAsync("event", "-name=e", "a", "b");
        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith("Too many command line arguments.\n", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Event_reports_the_agents_refusal()
    {
        _fireStatus = StatusCodes.Status413PayloadTooLarge;
        var run = await RunAsync("event", "-name=e", new string('x', 600));
        Assert.Equal(1, run.ExitCode);
        Assert.Equal("Error firing event: Unexpected response code: 413 (user event exceeds configured limit of 512 bytes before encoding)\n", run.Stderr);
    }

    [Fact]
    public async Task Event_reports_an_unreachable_agent()
    {
        _environment["CONSUL_HTTP_ADDR"] = "127.0.0.1:1";
        var run = await RunAsync("event", "-name=e");
        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith("Error querying Consul agent: ", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Event_is_listed_in_the_help()
    {
        var run = await RunAsync();
        Assert.Contains("    event ", run.Stdout + run.Stderr, StringComparison.Ordinal);
    }
}
