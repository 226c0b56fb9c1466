using System.Globalization;
using Microsoft.Extensions.Logging;

namespace Praetor.Cli;

/// <summary>
/// The agent's components (the LAN pool, the leader's reconciliation, retry join) logging to the
/// console in Consul's layout, as <see cref="AgentLog"/> does: <c>timestamp [LEVEL] category: message</c>.
/// </summary>
internal sealed class AgentLogProvider(TextWriter output, LogLevel minimum) : ILoggerProvider, ILoggerFactory
{
    private readonly Lock _write = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }

    /// <summary>Consul's log level names mapped to .NET's.</summary>
    public static LogLevel Level(string level) => level switch
    {
        "trace" => LogLevel.Trace,
        "debug" => LogLevel.Debug,
        "warn" => LogLevel.Warning,
        "error" => LogLevel.Error,
        _ => LogLevel.Information,
    };

    private void Write(LogLevel level, string category, string message)
    {
        var tag = level switch
        {
            LogLevel.Trace => "[TRACE]",
            LogLevel.Debug => "[DEBUG]",
            LogLevel.Information => "[INFO] ",
            LogLevel.Warning => "[WARN] ",
            _ => "[ERROR]",
        };
        var line = $"{DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture)} {tag} {category}: {message}";
        lock (_write)
        {
            output.WriteLine(line);
            output.Flush();
        }
    }

    private sealed class Logger(AgentLogProvider provider, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= provider._minimum && logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                provider.Write(logLevel, category, formatter(state, exception));
            }
        }
    }

    private readonly LogLevel _minimum = minimum;
}
