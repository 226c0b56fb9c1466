using Microsoft.Extensions.Logging;

namespace Praetor.Gossip.Tests.Runtime;

/// <summary>Keeps every log line with its level (thread-safe), for tests that read what was logged.</summary>
internal sealed class ListLogger : ILogger
{
    private readonly List<(LogLevel Level, string Text)> _lines = [];

    public IReadOnlyList<string> Warnings => Lines(LogLevel.Warning);

    public IReadOnlyList<string> Lines(LogLevel level)
    {
        lock (_lines) return [.. _lines.Where(l => l.Level == level).Select(l => l.Text)];
    }

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (_lines) _lines.Add((logLevel, formatter(state, exception)));
    }
}
