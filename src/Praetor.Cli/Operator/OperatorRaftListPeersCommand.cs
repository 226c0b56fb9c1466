using System.Globalization;
using Praetor.Cli.Catalog;
using Praetor.Client;

namespace Praetor.Cli.Operator;

/// <summary>
/// <c>praetor operator raft list-peers [-stale]</c> (Consul's <c>consul operator raft list-peers</c>):
/// the Raft configuration as Consul 1.20's table, columns <c>Node ID Address State Voter RaftProtocol
/// Commit Index Trails Leader By</c>; a follower trails the leader by the difference of their last
/// indexes ("1 commit", "N commits"), the leader shows "-".
/// </summary>
public static class OperatorRaftListPeersCommand
{
    public const string Synopsis = "Display the current Raft peer configuration";

    private static readonly string[] Header = ["Node", "ID", "Address", "State", "Voter", "RaftProtocol", "Commit Index", "Trails Leader By"];

    private const string Usage = """
        Usage: praetor operator raft list-peers [options]

          Shows the servers of the current Raft configuration.
        """;

    public static async Task<int> RunAsync(IReadOnlyList<string> args, CliContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var command = new HttpCommand("operator raft list-peers", Usage);
        if (command.ParseFlags(args, context) is { } exit)
        {
            return exit;
        }

        return await command.RunAsync(context, async client =>
        {
            var configuration = await HttpCommand.RequestAsync("Error getting peers: Failed to retrieve raft configuration",
                () => client.Operator.RaftGetConfigurationAsync(command.Http.QueryOptions));
            context.Info(Format(configuration));
            return 0;
        });
    }

    /// <summary>The table: one row per server, in the configuration's order.</summary>
    public static string Format(RaftConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var leaderIndex = configuration.Servers.FirstOrDefault(s => s.Leader)?.LastIndex ?? 0;
        var rows = new List<IReadOnlyList<string>> { Header };
        foreach (var server in configuration.Servers)
        {
            rows.Add(
            [
                server.Node,
                server.Id,
                server.Address,
                server.Leader ? "leader" : "follower",
                server.Voter ? "true" : "false",
                server.ProtocolVersion.Length > 0 ? server.ProtocolVersion : "<=1",
                server.LastIndex.ToString(CultureInfo.InvariantCulture),
                server.Leader ? "-" : Trailing(leaderIndex, server.LastIndex),
            ]);
        }
        return Columnize.Format(rows);
    }

    /// <summary>How far a follower is behind the leader's last index ("0 commits" when it is not behind).</summary>
    private static string Trailing(ulong leaderIndex, ulong lastIndex)
    {
        var behind = leaderIndex > lastIndex ? leaderIndex - lastIndex : 0;
        return behind == 1 ? "1 commit" : $"{behind.ToString(CultureInfo.InvariantCulture)} commits";
    }
}
