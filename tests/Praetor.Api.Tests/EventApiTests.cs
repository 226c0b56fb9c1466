using System.Globalization;
using System.Net;
using System.Text.Json;
using Praetor.Agent.Events;
using Praetor.Gossip.Serf;

namespace Praetor.Api.Tests;

public sealed class EventApiTests : EventHostFixture
{
    private static ulong IndexOf(HttpResponseMessage response) =>
        ulong.Parse(response.Headers.GetValues("X-Consul-Index").Single(), CultureInfo.InvariantCulture);

    private async Task<(HttpStatusCode Status, string Body)> FireAsync(string pathAndQuery, byte[]? body = null)
    {
        using var content = new ByteArrayContent(body ?? []);
        using var response = await Http.PutAsync(pathAndQuery, content);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Fire_answers_consuls_json_and_sends_the_event_on_the_pool()
    {
        var (status, body) = await FireAsync("/v1/event/fire/deploy?node=web&service=api&tag=v1", "v1.2"u8.ToArray());
        Assert.Equal(HttpStatusCode.OK, status);
        using var json = JsonDocument.Parse(body);
        var root = json.RootElement;
        Assert.Equal(
            ["ID", "Name", "Payload", "NodeFilter", "ServiceFilter", "TagFilter", "Version", "LTime"],
            root.EnumerateObject().Select(p => p.Name));
        var id = root.GetProperty("ID").GetString()!;
        Assert.True(Guid.TryParse(id, out _));
        Assert.Equal("deploy", root.GetProperty("Name").GetString());
        Assert.Equal(Convert.ToBase64String("v1.2"u8.ToArray()), root.GetProperty("Payload").GetString());
        Assert.Equal("web", root.GetProperty("NodeFilter").GetString());
        Assert.Equal("api", root.GetProperty("ServiceFilter").GetString());
        Assert.Equal("v1", root.GetProperty("TagFilter").GetString());
        Assert.Equal(1, root.GetProperty("Version").GetInt32());
        Assert.Equal(0, root.GetProperty("LTime").GetInt32());

        var (name, payload) = Assert.Single(Pool.Fired);
        Assert.Equal("consul:event:deploy", name);
        Assert.True(UserEventCodec.TryDecode(payload, 0, out var sent, out _));
        Assert.Equal(id, sent!.Id);
    }

    [Fact]
    public async Task Fire_without_a_body_answers_a_null_payload_and_keeps_slashes_in_the_name()
    {
        var (status, body) = await FireAsync("/v1/event/fire/app/deploy");
        Assert.Equal(HttpStatusCode.OK, status);
        using var json = JsonDocument.Parse(body);
        Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("Payload").ValueKind);
        Assert.Equal("app/deploy", json.RootElement.GetProperty("Name").GetString());
        Assert.Equal("consul:event:app/deploy", Assert.Single(Pool.Fired).Name);
    }

    [Theory]
    [InlineData("/v1/event/fire/", HttpStatusCode.BadRequest, "Missing name")]
    [InlineData("/v1/event/fire/e?tag=v1", HttpStatusCode.BadRequest, "Cannot provide tag filter without service filter")]
    [InlineData("/v1/event/fire/e?node=(", HttpStatusCode.BadRequest, "Invalid node filter: ")]
    [InlineData("/v1/event/fire/e?service=[", HttpStatusCode.BadRequest, "Invalid service filter: ")]
    public async Task Fire_refuses_bad_input_with_consuls_text(string path, HttpStatusCode expected, string text)
    {
        var (status, body) = await FireAsync(path);
        Assert.Equal(expected, status);
        Assert.StartsWith(text, body, StringComparison.Ordinal);
        Assert.Empty(Pool.Fired);
    }

    [Fact]
    public async Task Fire_refuses_a_payload_over_the_limit_with_413_and_serfs_message()
    {
        var (status, body) = await FireAsync("/v1/event/fire/e", new byte[500]);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        Assert.StartsWith("user event exceeds configured limit of 512 bytes before encoding", body, StringComparison.Ordinal);
        var (hugeStatus, hugeBody) = await FireAsync("/v1/event/fire/e", new byte[200_000]);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, hugeStatus);
        Assert.StartsWith("user event exceeds configured limit of 512 bytes", hugeBody, StringComparison.Ordinal);
        Assert.Empty(Pool.Fired);
    }

    [Fact]
    public async Task Wrong_methods_get_405()
    {
        using var fire = await Http.GetAsync("/v1/event/fire/e");
        Assert.Equal(HttpStatusCode.MethodNotAllowed, fire.StatusCode);
        using var list = await Http.PutAsync("/v1/event/list", new ByteArrayContent([]));
        Assert.Equal(HttpStatusCode.MethodNotAllowed, list.StatusCode);
    }

    [Fact]
    public async Task List_starts_empty_with_index_1()
    {
        using var response = await Http.GetAsync("/v1/event/list");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("[]", await response.Content.ReadAsStringAsync());
        Assert.Equal(1UL, IndexOf(response));
        Assert.False(response.Headers.Contains("X-Consul-KnownLeader"));
    }

    [Fact]
    public async Task List_answers_received_events_oldest_first_filtered_by_name_with_consuls_index()
    {
        await FireAsync("/v1/event/fire/a", "1"u8.ToArray());
        await FireAsync("/v1/event/fire/b");
        await FireAsync("/v1/event/fire/a?node=^db"); // not for this node: fired, not stored
        await FireAsync("/v1/event/fire/a?service=api&tag=v1", "3"u8.ToArray());
        await WaitForStoredAsync(3);
        await Task.Delay(50);

        using var all = await Http.GetAsync("/v1/event/list");
        using var allJson = JsonDocument.Parse(await all.Content.ReadAsStringAsync());
        var events = allJson.RootElement.EnumerateArray().ToList();
        Assert.Equal(["a", "b", "a"], events.Select(e => e.GetProperty("Name").GetString()));
        Assert.Equal([1, 2, 4], events.Select(e => e.GetProperty("LTime").GetInt32()));
        Assert.Equal(UserEvent.IdToIndex(events[^1].GetProperty("ID").GetString()!), IndexOf(all));

        using var named = await Http.GetAsync("/v1/event/list?name=b");
        using var namedJson = JsonDocument.Parse(await named.Content.ReadAsStringAsync());
        var b = Assert.Single(namedJson.RootElement.EnumerateArray().ToList());
        Assert.Equal(JsonValueKind.Null, b.GetProperty("Payload").ValueKind);
        Assert.Equal(UserEvent.IdToIndex(b.GetProperty("ID").GetString()!), IndexOf(named));
    }

    [Fact]
    public async Task A_blocking_list_returns_when_a_matching_event_arrives()
    {
        await FireAsync("/v1/event/fire/deploy");
        await WaitForStoredAsync(1);
        using var first = await Http.GetAsync("/v1/event/list?name=deploy");
        var index = IndexOf(first);

        var blocked = Http.GetAsync($"/v1/event/list?name=deploy&index={index}&wait=30s");
        await Task.Delay(100);
        await FireAsync("/v1/event/fire/other");
        await Task.Delay(100);
        Assert.False(blocked.IsCompleted);
        Pool.Deliver(new SerfUserEvent(99, "consul:event:deploy", UserEventCodec.Encode(new UserEvent { Id = Guid.NewGuid().ToString(), Name = "deploy" }), false));
        using var answered = await blocked.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.NotEqual(index, IndexOf(answered));
        using var json = JsonDocument.Parse(await answered.Content.ReadAsStringAsync());
        Assert.Equal(2, json.RootElement.GetArrayLength());
        Assert.Equal(99, json.RootElement[1].GetProperty("LTime").GetInt32());
    }

    [Fact]
    public async Task A_blocking_list_ends_after_its_wait()
    {
        var started = DateTime.UtcNow;
        using var response = await Http.GetAsync("/v1/event/list?index=1&wait=200ms");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1UL, IndexOf(response));
        Assert.True(DateTime.UtcNow - started >= TimeSpan.FromMilliseconds(190));
    }

    [Theory]
    [InlineData("/v1/event/list?index=x", "Invalid index")]
    [InlineData("/v1/event/list?index=1&wait=soon", "Invalid wait time")]
    public async Task List_refuses_bad_blocking_parameters(string path, string text)
    {
        using var response = await Http.GetAsync(path);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(text, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Pretty_lists_are_indented_as_consuls()
    {
        await FireAsync("/v1/event/fire/e");
        await WaitForStoredAsync(1);
        using var response = await Http.GetAsync("/v1/event/list?pretty");
        var text = await response.Content.ReadAsStringAsync();
        Assert.StartsWith("[\n    {\n        \"ID\": ", text, StringComparison.Ordinal);
        Assert.EndsWith("]\n", text, StringComparison.Ordinal);
    }
}
