using System.Globalization;
using System.Text;
using System.Text.Json;
using Praetor.Agent;
using Praetor.Cli.Flags;

namespace Praetor.Cli;

/// <summary>
/// <c>praetor version [-format=pretty|json]</c>. The JSON form is Consul's, with <c>Version</c> the
/// Consul version whose API Praetor speaks: Go's <c>sdk/testutil</c> runs <c>consul version -format=json</c>
/// and gates features on it.
/// </summary>
public static class VersionCommand
{
    public const string Synopsis = "Prints the Praetor version";

    private const string Usage = "Usage: praetor version [options]";

    public static int Run(IReadOnlyList<string> args, CliContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var flags = new GoFlagSet("version");
        var format = flags.String("format", "pretty", "Output format {pretty|json}");
        if (CommandHelp.ParseFlags(flags, args, context, Usage) is { } exit)
        {
            return exit;
        }

        var buildDate = BuildDate().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        switch (format.Value)
        {
            case "pretty":
                context.Info($"Praetor v{BuildInfo.PraetorVersion}");
                context.Info($"Consul-compatible API: {BuildInfo.ConsulVersion}");
                context.Info($"Revision {BuildInfo.Revision}");
                context.Info($"Build Date {buildDate}");
                context.Info(
                    $"Protocol {BuildInfo.ProtocolVersion} spoken by default, understands {BuildInfo.ProtocolVersionMin} to " +
                    $"{BuildInfo.ProtocolVersionMax} (agent will automatically use protocol >{BuildInfo.ProtocolVersion} when speaking to compatible agents)");
                return 0;
            case "json":
                context.Info(ToJson(buildDate));
                return 0;
            default:
                context.Error($"Unknown format: {format.Value}");
                return 1;
        }
    }

    // Consul writes json.MarshalIndent(info, "", "   "): three-space indent.
    private static string ToJson(string buildDate)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, IndentSize = 3, NewLine = "\n" }))
        {
            writer.WriteStartObject();
            writer.WriteString("Version", BuildInfo.ConsulVersion);
            writer.WriteString("Revision", BuildInfo.Revision);
            writer.WriteString("Prerelease", string.Empty);
            writer.WriteString("BuildDate", buildDate);
            writer.WriteStartObject("RPC");
            writer.WriteNumber("Default", BuildInfo.ProtocolVersion);
            writer.WriteNumber("Min", BuildInfo.ProtocolVersionMin);
            writer.WriteNumber("Max", BuildInfo.ProtocolVersionMax);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    // The binary's own timestamp stands for the build date (Consul stamps it at link time).
    private static DateTime BuildDate()
    {
        var assembly = Path.Combine(AppContext.BaseDirectory, "praetor.dll");
        return File.Exists(assembly) ? File.GetLastWriteTimeUtc(assembly) : DateTime.UnixEpoch;
    }
}
