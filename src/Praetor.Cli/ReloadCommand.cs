using Praetor.Cli.Flags;

namespace Praetor.Cli;

/// <summary><c>praetor reload</c>: makes the agent reload its configuration files, as SIGHUP does (Consul's <c>consul reload</c>).</summary>
public static class ReloadCommand
{
    public const string Synopsis = "Triggers the agent to reload configuration files";

    private const string Usage = """
        Usage: praetor reload

          Causes the agent to reload configurations. This can be used instead
          of sending the SIGHUP signal to the agent.
        """;

    public static async Task<int> RunAsync(IReadOnlyList<string> args, CliContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var flags = new GoFlagSet("reload");
        var http = new HttpFlags(flags);
        var help = CommandHelp.Format(Usage, flags);
        if (CommandHelp.ParseFlags(flags, args, context, help) is { } exit)
        {
            return exit;
        }

        if (!http.TryCreateClient(context, out var client, out var error))
        {
            context.Error($"Error connecting to Consul agent: {error}");
            return 1;
        }

        using (client)
        {
            try
            {
                await client.Agent.ReloadAsync();
            }
            catch (Exception e)
            {
                context.Error($"Error reloading: {e.Message}");
                return 1;
            }

            context.Info("Configuration reload triggered");
            return 0;
        }
    }
}
