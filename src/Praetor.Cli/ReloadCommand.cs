
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
        var command = new HttpCommand("reload", Usage);
        if (command.ParseFlags(args, context) is { } exit)
        {
            return exit;
        }

        return await command.RunAsync(context, async client =>
        {
            await HttpCommand.RequestAsync("Error reloading", () => client.Agent.ReloadAsync());
            context.Info("Configuration reload triggered");
            return 0;
        });
    }
}
