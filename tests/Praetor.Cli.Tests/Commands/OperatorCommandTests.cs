using Praetor.Cli.Operator;
using Praetor.Client;

namespace Praetor.Cli.Tests.Commands;

/// <summary><c>praetor operator raft list-peers | remove-peer</c> against a dev agent (one server), and the families' help.</summary>
public sealed class OperatorCommandTests : CliAgentFixture
{
    [Fact]
    public async Task List_peers_prints_consuls_table_with_this_server_as_leader()
    {
        var run = await RunAsync("operator", "raft", "list-peers");

        Assert.True(run.ExitCode == 0, run.ToString());
        var id = Host.Agent.NodeId;
        var header = "Node      ID" + new string(' ', id.Length) + "Address         State   Voter  RaftProtocol  Commit Index  Trails Leader By";
        // The commit index is the log's last index: at least the leader's no-op; the column is as wide as its header.
        var row = System.Text.RegularExpressions.Regex.Match(run.Stdout, $"^{header}\n" + $"cli-test  {id}  127\\.0\\.0\\.1:8300  leader  true   3             (?<index>[0-9]+) +-\n$");
        Assert.True(row.Success, run.Stdout);
        Assert.True(ulong.Parse(row.Groups["index"].Value) >= 1, run.Stdout);
    }

    [Fact]
    public async Task List_peers_stale_asks_for_a_stale_read_and_prints_the_same_table()
    {
        var fresh = await RunAsync("operator", "raft", "list-peers");
        var stale = await RunAsync("operator", "raft", "list-peers", "-stale");

        Assert.True(stale.ExitCode == 0, stale.ToString());
        Assert.Equal(fresh.Stdout, stale.Stdout);
    }

    [Fact]
    public void Followers_trail_the_leader_by_the_difference_of_last_indexes()
    {
        var table = OperatorRaftListPeersCommand.Format(new RaftConfiguration
        {
            Servers =
            [
                new RaftServer { Node = "alice", Id = "a", Address = "10.0.0.1:8300", Leader = false, Voter = true, ProtocolVersion = "3", LastIndex = 1167 },
                new RaftServer { Node = "bob", Id = "b", Address = "10.0.0.2:8300", Leader = true, Voter = true, ProtocolVersion = "3", LastIndex = 1168 },
                new RaftServer { Node = "carol", Id = "c", Address = "10.0.0.3:8300", Leader = false, Voter = false, ProtocolVersion = "", LastIndex = 1159 },
                new RaftServer { Node = "dave", Id = "d", Address = "10.0.0.4:8300", Leader = false, Voter = true, ProtocolVersion = "3", LastIndex = 1168 },
            ],
        });

        Assert.Equal(
            "Node   ID  Address        State     Voter  RaftProtocol  Commit Index  Trails Leader By\n" +
            "alice  a   10.0.0.1:8300  follower  true   3             1167          1 commit\n" +
            "bob    b   10.0.0.2:8300  leader    true   3             1168          -\n" +
            "carol  c   10.0.0.3:8300  follower  false  <=1           1159          9 commits\n" +
            "dave   d   10.0.0.4:8300  follower  true   3             1168          0 commits",
            table);
    }

    [Fact]
    public async Task List_peers_against_no_agent_is_consuls_error()
    {
        Environment["CONSUL_HTTP_ADDR"] = $"127.0.0.1:{ClosedPort()}";

        var run = await RunAsync("operator", "raft", "list-peers");

        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith("Error getting peers: Failed to retrieve raft configuration: ", run.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new string[0], "Error removing peer: an address or id is required for the peer to remove\n")]
    [InlineData(new[] { "-id=a", "-address=127.0.0.1:8300" }, "Error removing peer: cannot give both an address and id\n")]
    public async Task Remove_peer_needs_exactly_one_of_id_and_address(string[] args, string error)
    {
        var run = await RunAsync(["operator", "raft", "remove-peer", .. args]);

        Assert.Equal(1, run.ExitCode);
        Assert.Equal(error, run.Stderr);
        Assert.Equal("", run.Stdout);
    }

    [Theory]
    [InlineData("-id=no-such-id", "id \"no-such-id\" was not found in the Raft configuration")]
    [InlineData("-address=10.9.9.9:8300", "address \"10.9.9.9:8300\" was not found in the Raft configuration")]
    public async Task Remove_peer_of_an_unknown_server_prints_the_agents_error(string flag, string message)
    {
        var run = await RunAsync("operator", "raft", "remove-peer", flag);

        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith("Error removing peer: Unexpected response code: ", run.Stderr, StringComparison.Ordinal);
        Assert.Contains(message, run.Stderr, StringComparison.Ordinal);
        Assert.Equal("", run.Stdout);
    }

    [Fact]
    public async Task Remove_peer_help_lists_its_flags_and_the_http_ones()
    {
        var run = await RunAsync("operator", "raft", "remove-peer", "-h");

        Assert.Equal(0, run.ExitCode);
        Assert.StartsWith("Usage: praetor operator raft remove-peer [options]", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("HTTP API Options", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("-address=<string>", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("-id=<string>", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Operator_and_operator_raft_alone_print_their_subcommands_and_fail()
    {
        var operatorRun = await RunAsync("operator");
        var raftRun = await RunAsync("operator", "raft");
        var unknown = await RunAsync("operator", "raft", "transfer-leader");

        Assert.Equal(1, operatorRun.ExitCode);
        Assert.StartsWith("Usage: praetor operator <subcommand>", operatorRun.Stderr, StringComparison.Ordinal);
        Assert.Contains("    raft    ", operatorRun.Stderr, StringComparison.Ordinal);
        Assert.Equal(1, raftRun.ExitCode);
        Assert.StartsWith("Usage: praetor operator raft <subcommand>", raftRun.Stderr, StringComparison.Ordinal);
        Assert.Contains("    list-peers     Display the current Raft peer configuration\n", raftRun.Stderr, StringComparison.Ordinal);
        Assert.Equal(1, unknown.ExitCode);
        Assert.StartsWith("Unknown subcommand: operator raft transfer-leader\n", unknown.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Operator_is_in_the_command_list()
    {
        var run = await RunAsync("-h");

        Assert.Contains("    operator    ", run.Stdout, StringComparison.Ordinal);
    }
}
