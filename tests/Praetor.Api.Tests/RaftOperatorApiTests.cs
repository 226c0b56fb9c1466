using System.Net;

namespace Praetor.Api.Tests;

/// <summary>`/v1/operator/raft/configuration` and `/v1/operator/raft/peer` on a dev agent: Consul's shapes, refusals and methods.</summary>
public sealed class RaftOperatorApiTests : AgentFixture
{
    [Fact]
    public async Task Configuration_lists_this_server_as_the_leading_voter_in_consuls_fields()
    {
        var text = await Http.GetStringAsync("/v1/operator/raft/configuration");

        // The indexes are the log's (the leader's no-op and the agent's own registrations at least).
        var match = System.Text.RegularExpressions.Regex.Match(text,
            $"^{{\"Servers\":\\[{{\"ID\":\"{Host.Agent.NodeId}\",\"Node\":\"test-node\",\"Address\":\"127\\.0\\.0\\.1:8300\",\"Leader\":true," +
            "\"ProtocolVersion\":\"3\",\"Voter\":true,\"LastIndex\":(?<last>[0-9]+)}\\],\"Index\":(?<index>[0-9]+)}$");
        Assert.True(match.Success, text);
        Assert.True(ulong.Parse(match.Groups["last"].Value) >= 1 && ulong.Parse(match.Groups["index"].Value) >= 1, text);
    }

    [Fact]
    public async Task Configuration_takes_stale_and_refuses_stale_with_consistent()
    {
        using var stale = await Http.GetAsync("/v1/operator/raft/configuration?stale");
        using var both = await Http.GetAsync("/v1/operator/raft/configuration?stale&consistent");

        Assert.Equal(HttpStatusCode.OK, stale.StatusCode);
        Assert.Contains("\"Leader\":true", await stale.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, both.StatusCode);
        Assert.Equal("Cannot specify ?stale with ?consistent, conflicting semantics.", await both.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("", HttpStatusCode.BadRequest, "Must specify either ?id with the server's ID or ?address with IP:port of peer to remove")]
    [InlineData("?id=a&address=127.0.0.1:8300", HttpStatusCode.BadRequest, "Must specify only one of ?id or ?address")]
    [InlineData("?id=&address=", HttpStatusCode.BadRequest, "Must specify only one of ?id or ?address")]
    public async Task Remove_peer_needs_exactly_one_of_id_and_address(string query, HttpStatusCode status, string message)
    {
        using var response = await Http.DeleteAsync("/v1/operator/raft/peer" + query);

        Assert.Equal(status, response.StatusCode);
        Assert.Equal(message, await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("?id=no-such-id", "id \"no-such-id\" was not found in the Raft configuration")]
    [InlineData("?address=10.9.9.9:8300", "address \"10.9.9.9:8300\" was not found in the Raft configuration")]
    public async Task Remove_peer_names_an_id_or_address_that_is_not_in_the_configuration(string query, string message)
    {
        using var response = await Http.DeleteAsync("/v1/operator/raft/peer" + query);

        Assert.False(response.IsSuccessStatusCode);
        Assert.Equal(message, await response.Content.ReadAsStringAsync());
        Assert.Single((await Http.GetStringAsync("/v1/status/peers")).Split(','));
    }

    [Theory]
    [InlineData("PUT", "/v1/operator/raft/configuration", "GET")]
    [InlineData("DELETE", "/v1/operator/raft/configuration", "GET")]
    [InlineData("GET", "/v1/operator/raft/peer", "DELETE")]
    [InlineData("POST", "/v1/operator/raft/peer?id=x", "DELETE")]
    public async Task Other_methods_are_405_with_the_allowed_one(string method, string path, string allowed)
    {
        using var response = await Http.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal(allowed, string.Join(", ", response.Content.Headers.Allow));
    }
}
