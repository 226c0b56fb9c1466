namespace Praetor.Cli;

/// <summary>
/// <c>praetor force-leave [-prune] &lt;node&gt;</c> (Consul's <c>consul force-leave</c>): marks a
/// failed member as left, so it is deregistered from the catalog; <c>-prune</c> also forgets it at once;
/// <c>-wan</c> acts on a server's WAN pool (nodes named <c>node.dc</c>).
/// </summary>
public static class ForceLeaveCommand
{
    public const string Synopsis = "Forces a member of the cluster to enter the \"left\" state";

    private const string Usage = """
        Usage: praetor force-leave [options] name

          Forces a member of a Praetor cluster to enter the "left" state. Note
          that if the member is still actually alive, it will eventually rejoin
          the cluster. The "-prune" flag also removes the member from the list
          of members at once, rather than after the reap interval.
        """;

    public static async Task<int> RunAsync(IReadOnlyList<string> args, CliContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var command = new HttpCommand("force-leave", Usage);
        var prune = command.Flags.Bool("prune", false, "Remove agent forcibly from list of members");
        var wan = command.Flags.Bool("wan", false, "Exclusively leave the agent from the WAN serf pool.");
        if (command.ParseFlags(args, context) is { } exit)
        {
            return exit;
        }

        if (command.Flags.Args.Count != 1)
        {
            context.Error("A single node name must be specified to force leave.");
            context.Error("For more information, refer to the 'praetor force-leave -h' command.");
            return 1;
        }

        var node = command.Flags.Args[0];
        return await command.RunAsync(context, async client =>
        {
            await HttpCommand.RequestAsync("Error force leaving", () => client.Agent.ForceLeaveAsync(node, prune.Value, wan.Value));
            return 0;
        });
    }
}
