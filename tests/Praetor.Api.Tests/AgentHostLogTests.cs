using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Praetor.Agent;

namespace Praetor.Api.Tests;

/// <summary>
/// The HTTP host writes into the agent's log only from Warning up: not ASP.NET's line per request
/// (Consul's agent logs no request at INFO, and at the default level those lines cost most of a busy
/// server's CPU), nor the host's start and stop lines.
/// </summary>
public sealed class AgentHostLogTests : AgentFixture, IDisposable
{
    private readonly CapturingProvider _captured = new();
    private readonly ILoggerFactory _logs;

    public AgentHostLogTests()
    {
        _logs = LoggerFactory.Create(logging => logging.SetMinimumLevel(LogLevel.Trace).AddProvider(_captured));
    }

    protected override AgentStartOptions Options => new() { Logs = _logs };

    public void Dispose() => _logs.Dispose();

    [Fact]
    public async Task Neither_requests_nor_the_hosts_lifetime_are_logged_below_warning()
    {
        for (var i = 0; i < 3; i++)
        {
            using var put = await PutAsync($"/v1/kv/log-{i}", "x");
            Assert.True(put.IsSuccessStatusCode);
            using var get = await Http.GetAsync($"/v1/kv/log-{i}");
            Assert.True(get.IsSuccessStatusCode);
        }
        using var missing = await Http.GetAsync("/v1/kv/not-there");
        Assert.Equal(System.Net.HttpStatusCode.NotFound, missing.StatusCode);

        var framework = _captured.Entries.Where(e => e.Category.StartsWith("Microsoft.", StringComparison.Ordinal)).ToList();
        Assert.All(framework, e => Assert.True(e.Level >= LogLevel.Warning, $"{e.Level} {e.Category}"));
    }

    private sealed class CapturingProvider : ILoggerProvider
    {
        public ConcurrentQueue<(string Category, LogLevel Level)> Entries { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

        public void Dispose()
        {
        }

        private sealed class Logger(CapturingProvider owner, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                owner.Entries.Enqueue((category, logLevel));
        }
    }
}
