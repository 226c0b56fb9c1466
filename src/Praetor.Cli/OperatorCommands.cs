using Praetor.Cli.Operator;

namespace Praetor.Cli;

/// <summary>
/// <c>praetor operator</c> and <c>praetor operator raft</c> (Consul's <c>consul operator</c>):
/// families that dispatch to <c>raft list-peers</c> and <c>raft remove-peer</c>, printing their
/// help when no subcommand is named.
/// </summary>
public static class OperatorCommands
{
    public const string Synopsis = "Provides cluster-level tools for Praetor operators";

    private const string Usage = """
        Usage: praetor operator <subcommand> [options]

          Cluster-level tools for operators, such as inspecting and changing the Raft
          configuration of the servers. Use them with care: a wrong change can cost the
          cluster its quorum and its data.

          Requests go to the leader when they need to, so these commands work against
          any agent of the cluster.

          Run praetor operator <subcommand> with no arguments for help on that
          subcommand.

        Subcommands:
            raft    Provides cluster-level tools for Praetor operators
        """;

    private const string RaftUsage = """
        Usage: praetor operator raft <subcommand> [options]

          Works with the servers' Raft subsystem: lists the peers of the Raft
          configuration, and in rare cases removes a peer that is gone for good so that
          the remaining servers regain their quorum.

        Subcommands:
            list-peers     Display the current Raft peer configuration
            remove-peer    Remove a Praetor server from the Raft configuration
        """;

    private static readonly CommandFamily Raft = new("operator raft", RaftUsage, new Dictionary<string, CommandRun>(StringComparer.Ordinal)
        {
            ["list-peers"] = OperatorRaftListPeersCommand.RunAsync,
            ["remove-peer"] = OperatorRaftRemovePeerCommand.RunAsync,
        });

    private static readonly CommandFamily Family = new("operator", Usage, new Dictionary<string, CommandRun>(StringComparer.Ordinal)
        {
            ["raft"] = Raft.RunAsync,
        });

    public static Task<int> RunAsync(IReadOnlyList<string> args, CliContext context) => Family.RunAsync(args, context);
}
