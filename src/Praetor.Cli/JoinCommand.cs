namespace Praetor.Cli;

/// <summary><c>praetor join &lt;address&gt;...</c> (Consul's <c>consul join</c>): makes the agent join a cluster through one or more members.</summary>
public static class JoinCommand
{
    public const string Synopsis = "Tell Praetor agent to join cluster";

    private const string Usage = """
        Usage: praetor join [options] address ...

          Tells a running Praetor agent (with "praetor agent") to join the cluster
          by specifying at least one existing member.
        """;

    public static async Task<int> RunAsync(IReadOnlyList<string> args, CliContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var command = new HttpCommand("join", Usage);
        var wan = command.Flags.Bool("wan", false, "Joins a server to another server in the WAN pool.");
        if (command.ParseFlags(args, context) is { } exit)
        {
            return exit;
        }

        var addresses = command.Flags.Args;
        if (addresses.Count == 0)
        {
            context.Error("At least one address to join must be specified.");
            context.Error("For more information, refer to the 'praetor join -h' command.");
            return 1;
        }

        return await command.RunAsync(context, async client =>
        {
            var joins = 0;
            foreach (var address in addresses)
            {
                try
                {
                    await client.Agent.JoinAsync(address, wan.Value);
                    joins++;
                }
                catch (Exception ex) when (ex is Praetor.Client.ApiStatusException or Praetor.Client.AgentConnectionException or HttpRequestException)
                {
                    context.Error($"Error joining address '{address}': {ex.Message}");
                }
            }

            if (joins == 0)
            {
                context.Error("Failed to join any nodes.");
                return 1;
            }

            context.Info($"Successfully joined cluster by contacting {joins} nodes.");
            return 0;
        });
    }
}
