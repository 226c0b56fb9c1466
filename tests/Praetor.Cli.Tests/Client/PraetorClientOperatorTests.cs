using System.Net;
using Praetor.Client;

namespace Praetor.Cli.Tests.Client;

/// <summary>The Raft calls of <c>client.Operator</c>: Go's paths and parameters, and the configuration decoded.</summary>
public sealed class PraetorClientOperatorTests
{
    [Fact]
    public async Task Raft_configuration_is_read_with_stale_and_decoded()
    {
        var handler = new StubHandler(HttpStatusCode.OK,
            """{"Servers":[{"ID":"5b7e","Node":"alice","Address":"10.0.0.1:8300","Leader":true,"ProtocolVersion":"3","Voter":true,"LastIndex":42}],"Index":7}""");
        using var client = new PraetorClient(new PraetorClientConfig(), handler);

        var configuration = await client.Operator.RaftGetConfigurationAsync(new QueryOptions { AllowStale = true });

        Assert.Equal("/v1/operator/raft/configuration?stale=", handler.Requests[0].RequestUri!.PathAndQuery);
        Assert.Equal(7UL, configuration.Index);
        Assert.Equal(new RaftServer { Id = "5b7e", Node = "alice", Address = "10.0.0.1:8300", Leader = true, ProtocolVersion = "3", Voter = true, LastIndex = 42 },
            Assert.Single(configuration.Servers));
    }

    [Fact]
    public async Task Remove_peer_sends_a_delete_with_the_id_or_the_address()
    {
        var handler = new StubHandler(HttpStatusCode.OK, "");
        using var client = new PraetorClient(new PraetorClientConfig(), handler);

        await client.Operator.RaftRemovePeerByIdAsync("5b7e");
        await client.Operator.RaftRemovePeerByAddressAsync("10.0.0.1:8300", new WriteOptions { Datacenter = "dc2" });

        Assert.All(handler.Requests, r => Assert.Equal(HttpMethod.Delete, r.Method));
        Assert.Equal("/v1/operator/raft/peer?id=5b7e", handler.Requests[0].RequestUri!.PathAndQuery);
        Assert.Equal("/v1/operator/raft/peer?dc=dc2&address=10.0.0.1%3A8300", handler.Requests[1].RequestUri!.PathAndQuery);
    }

    [Fact]
    public async Task A_refused_removal_is_an_api_status_exception_with_the_agents_message()
    {
        var handler = new StubHandler(HttpStatusCode.InternalServerError, "id \"x\" was not found in the Raft configuration");
        using var client = new PraetorClient(new PraetorClientConfig(), handler);

        var error = await Assert.ThrowsAsync<ApiStatusException>(() => client.Operator.RaftRemovePeerByIdAsync("x"));

        Assert.Equal("Unexpected response code: 500 (id \"x\" was not found in the Raft configuration)", error.Message);
    }
}
