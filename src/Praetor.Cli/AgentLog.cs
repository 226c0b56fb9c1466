using System.Globalization;

namespace Praetor.Cli;

/// <summary>The agent's log lines in Consul's layout: `2006-01-02T15:04:05.000Z [INFO]  agent: message`.</summary>
internal sealed class AgentLog(TextWriter output)
{
    public Task InfoAsync(string component, string message) => WriteAsync("[INFO] ", component, message);

    public Task ErrorAsync(string component, string message) => WriteAsync("[ERROR]", component, message);

    private Task WriteAsync(string level, string component, string message) =>
        output.WriteLineAsync($"{DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture)} {level} {component}: {message}");
}
