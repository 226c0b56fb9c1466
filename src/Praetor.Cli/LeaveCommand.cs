namespace Praetor.Cli;

/// <summary><c>praetor leave</c> (Consul's <c>consul leave</c>): the agent leaves the cluster gracefully and shuts down.</summary>
public static class LeaveCommand
{
    public const string Synopsis = "Gracefully leaves the Praetor cluster and shuts down";

    private const string Usage = """
        Usage: praetor leave [options]

          Causes the agent to gracefully leave the Praetor cluster and shutdown.
        """;

    public static async Task<int> RunAsync(IReadOnlyList<string> args, CliContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var command = new HttpCommand("leave", Usage);
        if (command.ParseFlags(args, context) is { } exit)
        {
            return exit;
        }

        if (command.Flags.Args.Count > 0)
        {
            context.Error($"Error found unexpected args: [{string.Join(' ', command.Flags.Args)}]");
            return 1;
        }

        return await command.RunAsync(context, async client =>
        {
            await HttpCommand.RequestAsync("Error leaving", () => client.Agent.LeaveAsync());
            context.Info("Graceful leave complete");
            return 0;
        });
    }
}
