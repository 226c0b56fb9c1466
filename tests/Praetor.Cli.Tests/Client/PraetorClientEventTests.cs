using System.Net;
using Praetor.Client;

namespace Praetor.Cli.Tests.Client;

public sealed class PraetorClientEventTests
{
    private const string Answer =
        """{"ID":"b54fe110-7af5-cafc-d1fb-afc8ba432b1c","Name":"deploy","Payload":"djEuMg==","NodeFilter":"web","ServiceFilter":"api","TagFilter":"v1","Version":1,"LTime":0}""";

    [Fact]
    public async Task Fire_puts_the_payload_with_the_filters_and_reads_the_event()
    {
        using var handler = new StubHandler(HttpStatusCode.OK, Answer);
        using var client = new PraetorClient(new PraetorClientConfig(), handler);
        var fired = await client.Event.FireAsync(new UserEvent
        {
            Name = "deploy", Payload = "v1.2"u8.ToArray(), NodeFilter = "web", ServiceFilter = "api", TagFilter = "v1",
        });

        var request = Assert.Single(handler.Requests);
        Assert.Equal(HttpMethod.Put, request.Method);
        Assert.Equal("/v1/event/fire/deploy", request.RequestUri!.AbsolutePath);
        Assert.Equal("?node=web&service=api&tag=v1", request.RequestUri.Query);
        Assert.Equal("application/octet-stream", request.Content!.Headers.ContentType!.MediaType);
        Assert.Equal("v1.2"u8.ToArray(), Assert.Single(handler.Bodies));
        Assert.Equal("b54fe110-7af5-cafc-d1fb-afc8ba432b1c", fired.Id);
        Assert.Equal("v1.2"u8.ToArray(), fired.Payload);
        Assert.Equal(1, fired.Version);
    }

    [Fact]
    public async Task Fire_keeps_slashes_in_the_name_and_escapes_the_rest()
    {
        using var handler = new StubHandler(HttpStatusCode.OK, Answer);
        using var client = new PraetorClient(new PraetorClientConfig(), handler);
        await client.Event.FireAsync(new UserEvent { Name = "app/de ploy" });
        Assert.Equal("/v1/event/fire/app/de%20ploy", handler.Requests[0].RequestUri!.AbsolutePath);
        Assert.Empty(handler.Bodies[0]);
    }

    [Fact]
    public async Task Fire_reports_the_agents_refusal_in_gos_words()
    {
        using var handler = new StubHandler(HttpStatusCode.RequestEntityTooLarge, "user event exceeds configured limit of 512 bytes before encoding");
        using var client = new PraetorClient(new PraetorClientConfig(), handler);
        var e = await Assert.ThrowsAsync<ApiStatusException>(() => client.Event.FireAsync(new UserEvent { Name = "e" }));
        Assert.Equal("Unexpected response code: 413 (user event exceeds configured limit of 512 bytes before encoding)", e.Message);
    }

    [Fact]
    public async Task List_sends_the_name_and_blocking_options_and_reads_the_index()
    {
        using var handler = new StubHandler(HttpStatusCode.OK, "[" + Answer + "]", new() { ["X-Consul-Index"] = "12345" });
        using var client = new PraetorClient(new PraetorClientConfig(), handler);
        var result = await client.Event.ListAsync("deploy", new QueryOptions { WaitIndex = 7, WaitTime = TimeSpan.FromSeconds(5) });
        var request = Assert.Single(handler.Requests);
        Assert.Equal("/v1/event/list", request.RequestUri!.AbsolutePath);
        Assert.Equal("?index=7&wait=5000ms&name=deploy", request.RequestUri.Query);
        Assert.Equal(12345UL, result.Meta.LastIndex);
        Assert.Equal("deploy", Assert.Single(result.Response).Name);
    }

    [Fact]
    public void Id_to_index_is_gos()
    {
        Assert.Equal(3UL, UserEvent.IdToIndex("00000000-0000-0001-0000-000000000002"));
        Assert.Equal(0UL, UserEvent.IdToIndex("short"));
    }
}
