using Praetor.Agent;
using Praetor.Client;

namespace Praetor.Cli.Operator;

/// <summary>
/// <c>praetor operator raft remove-peer -id=ID | -address=IP:port</c> (Consul's
/// <c>consul operator raft remove-peer</c>): removes one server from the Raft configuration and
/// says <c>Removed peer with id "..."</c> (Go-quoted) or <c>... with address "..."</c>; exactly one of the two
/// flags, as Consul requires.
/// </summary>
public static class OperatorRaftRemovePeerCommand
{
    public const string Synopsis = "Remove a Praetor server from the Raft configuration";

    private const string Usage = """
        Usage: praetor operator raft remove-peer [options]

          Removes the server with the given -id or -address from the Raft
          configuration.

          Rarely, a server that has left the cluster for good stays in the Raft
          configuration, where it still counts towards the quorum. This command takes it
          out. While the server still shows in "praetor members", prefer
          "praetor force-leave", which cleans up through gossip.
        """;

    public static async Task<int> RunAsync(IReadOnlyList<string> args, CliContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var command = new HttpCommand("operator raft remove-peer", Usage);
        var address = command.Flags.String("address", "", "The address to remove from the Raft configuration.");
        var id = command.Flags.String("id", "", "The ID to remove from the Raft configuration.");
        if (command.ParseFlags(args, context) is { } exit)
        {
            return exit;
        }

        return await command.RunAsync(context, async client =>
        {
            if (address.Value.Length == 0 && id.Value.Length == 0)
            {
                context.Error("Error removing peer: an address or id is required for the peer to remove");
                return 1;
            }
            if (address.Value.Length > 0 && id.Value.Length > 0)
            {
                context.Error("Error removing peer: cannot give both an address and id");
                return 1;
            }

            if (address.Value.Length > 0)
            {
                await HttpCommand.RequestAsync("Error removing peer", () => client.Operator.RaftRemovePeerByAddressAsync(address.Value));
                context.Info($"Removed peer with address {GoStrconv.Quote(address.Value)}");
            }
            else
            {
                await HttpCommand.RequestAsync("Error removing peer", () => client.Operator.RaftRemovePeerByIdAsync(id.Value));
                context.Info($"Removed peer with id {GoStrconv.Quote(id.Value)}");
            }
            return 0;
        });
    }
}
