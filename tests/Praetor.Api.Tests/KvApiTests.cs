using System.Net;
using System.Text;
using System.Text.Json;

namespace Praetor.Api.Tests;

public sealed class KvApiTests : AgentFixture
{
    [Fact]
    public async Task Put_then_get_returns_consuls_entry_shape()
    {
        Assert.Equal("true", await PutTextAsync("/v1/kv/web/config?flags=42", "hello"));

        using var response = await Http.GetAsync("/v1/kv/web/config");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType!.MediaType);
        var body = await response.Content.ReadAsStringAsync();
        var index = IndexOf(response);
        Assert.Equal(
            $"[{{\"LockIndex\":0,\"Key\":\"web/config\",\"Flags\":42,\"Value\":\"{B64("hello")}\",\"CreateIndex\":{index},\"ModifyIndex\":{index}}}]",
            body);
        Assert.Equal("true", response.Headers.GetValues("X-Consul-KnownLeader").Single());
        Assert.Equal("0", response.Headers.GetValues("X-Consul-LastContact").Single());
    }

    [Fact]
    public async Task Get_of_a_missing_key_is_404_with_an_index_of_at_least_1()
    {
        using var response = await Http.GetAsync("/v1/kv/nope");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.True(IndexOf(response) >= 1);
        Assert.Equal("", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Raw_returns_the_bytes_as_stored()
    {
        var bytes = new byte[] { 0, 1, 2, 250, 255 };
        using (var put = await Http.PutAsync("/v1/kv/bin", new ByteArrayContent(bytes)))
        {
            Assert.Equal("true", await put.Content.ReadAsStringAsync());
        }
        using var response = await Http.GetAsync("/v1/kv/bin?raw");
        Assert.Equal(bytes, await response.Content.ReadAsByteArrayAsync());
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
    }

    [Fact]
    public async Task Empty_value_is_null_in_json()
    {
        await PutTextAsync("/v1/kv/empty", "");
        var body = await Http.GetStringAsync("/v1/kv/empty");
        Assert.Contains("\"Value\":null", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Recurse_lists_the_prefix_in_key_order_and_404s_when_empty()
    {
        await PutTextAsync("/v1/kv/app/b", "2");
        await PutTextAsync("/v1/kv/app/a", "1");
        await PutTextAsync("/v1/kv/app/sub/c", "3");
        await PutTextAsync("/v1/kv/apple", "x");

        using var doc = JsonDocument.Parse(await Http.GetStringAsync("/v1/kv/app/?recurse"));
        var keys = doc.RootElement.EnumerateArray().Select(e => e.GetProperty("Key").GetString()!).ToArray();
        Assert.Equal(["app/a", "app/b", "app/sub/c"], keys);

        using var missing = await Http.GetAsync("/v1/kv/zzz/?recurse");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task Keys_with_separator_fold_subdirectories()
    {
        await PutTextAsync("/v1/kv/web/bar", "1");
        await PutTextAsync("/v1/kv/web/subdir/x", "2");
        await PutTextAsync("/v1/kv/web/subdir/y", "3");

        Assert.Equal("[\"web/bar\",\"web/subdir/\"]", await Http.GetStringAsync("/v1/kv/web/?keys&separator=/"));
        Assert.Equal("[\"web/bar\",\"web/subdir/x\",\"web/subdir/y\"]", await Http.GetStringAsync("/v1/kv/web/?keys"));
        Assert.Equal("[\"web/\"]", await Http.GetStringAsync("/v1/kv/?keys&separator=/"));
    }

    [Fact]
    public async Task Keys_of_an_empty_root_is_an_empty_array_and_of_a_missing_prefix_404()
    {
        Assert.Equal("[]", await Http.GetStringAsync("/v1/kv/?keys"));
        using var response = await Http.GetAsync("/v1/kv/none/?keys");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Cas_zero_creates_only_when_absent()
    {
        Assert.Equal("true", await PutTextAsync("/v1/kv/lock?cas=0", "a"));
        Assert.Equal("false", await PutTextAsync("/v1/kv/lock?cas=0", "b"));
        Assert.Equal("a", await Http.GetStringAsync("/v1/kv/lock?raw"));
    }

    [Fact]
    public async Task Cas_with_the_current_index_wins_and_a_stale_one_loses()
    {
        await PutTextAsync("/v1/kv/k", "v1");
        using var first = await Http.GetAsync("/v1/kv/k");
        var modifyIndex = JsonDocument.Parse(await first.Content.ReadAsStringAsync()).RootElement[0].GetProperty("ModifyIndex").GetUInt64();

        Assert.Equal("true", await PutTextAsync($"/v1/kv/k?cas={modifyIndex}", "v2"));
        Assert.Equal("false", await PutTextAsync($"/v1/kv/k?cas={modifyIndex}", "v3"));
        Assert.Equal("v2", await Http.GetStringAsync("/v1/kv/k?raw"));
    }

    [Fact]
    public async Task Concurrent_cas_writers_on_one_index_have_exactly_one_winner()
    {
        await PutTextAsync("/v1/kv/race", "start");
        for (var round = 0; round < 5; round++)
        {
            var current = JsonDocument.Parse(await Http.GetStringAsync("/v1/kv/race")).RootElement[0].GetProperty("ModifyIndex").GetUInt64();
            var writers = Enumerable.Range(0, 32).Select(i => PutTextAsync($"/v1/kv/race?cas={current}", $"w{round}-{i}")).ToArray();
            var outcomes = await Task.WhenAll(writers);
            Assert.Single(outcomes, o => o == "true");
            Assert.Equal(31, outcomes.Count(o => o == "false"));
            var winner = Array.IndexOf(outcomes, "true");
            Assert.Equal($"w{round}-{winner}", await Http.GetStringAsync("/v1/kv/race?raw"));
        }
    }

    [Fact]
    public async Task Delete_single_recursive_and_cas()
    {
        await PutTextAsync("/v1/kv/d/1", "x");
        await PutTextAsync("/v1/kv/d/2", "x");
        await PutTextAsync("/v1/kv/d/3", "x");
        await PutTextAsync("/v1/kv/e", "x");

        using (var del = await Http.DeleteAsync("/v1/kv/d/1"))
        {
            Assert.Equal("true", await del.Content.ReadAsStringAsync());
        }
        Assert.Equal(HttpStatusCode.NotFound, (await Http.GetAsync("/v1/kv/d/1")).StatusCode);

        var index = JsonDocument.Parse(await Http.GetStringAsync("/v1/kv/d/2")).RootElement[0].GetProperty("ModifyIndex").GetUInt64();
        Assert.Equal("false", await (await Http.DeleteAsync($"/v1/kv/d/2?cas={index + 100}")).Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, (await Http.GetAsync("/v1/kv/d/2")).StatusCode);
        Assert.Equal("true", await (await Http.DeleteAsync($"/v1/kv/d/2?cas={index}")).Content.ReadAsStringAsync());

        Assert.Equal("true", await (await Http.DeleteAsync("/v1/kv/d?recurse")).Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NotFound, (await Http.GetAsync("/v1/kv/d/3")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Http.GetAsync("/v1/kv/e")).StatusCode);
    }

    [Fact]
    public async Task Index_only_moves_forward_and_a_prefix_index_survives_deletes()
    {
        ulong last = 0;
        for (var i = 0; i < 10; i++)
        {
            await PutTextAsync($"/v1/kv/mono/{i}", "x");
            using var response = await Http.GetAsync("/v1/kv/mono/?recurse");
            var index = IndexOf(response);
            Assert.True(index > last, $"index {index} after {last}");
            last = index;
        }
        await Http.DeleteAsync("/v1/kv/mono/9");
        using var afterDelete = await Http.GetAsync("/v1/kv/mono/?recurse");
        Assert.True(IndexOf(afterDelete) > last, "deleting the newest key must not move the prefix index back");
    }

    [Fact]
    public async Task Method_other_than_get_put_delete_is_405_with_allow()
    {
        using var response = await Http.PostAsync("/v1/kv/x", new StringContent("v"));
        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Contains("PUT", response.Content.Headers.Allow);
    }

    [Fact]
    public async Task Keys_are_unescaped_from_the_path()
    {
        await PutTextAsync("/v1/kv/with%20space", "v");
        Assert.Equal("[\"with space\"]", await Http.GetStringAsync("/v1/kv/?keys"));
        Assert.Equal("v", Encoding.UTF8.GetString(await Http.GetByteArrayAsync("/v1/kv/with%20space?raw")));
    }

    [Fact]
    public async Task A_repeated_parameter_is_read_by_its_first_value_as_go_does()
    {
        Assert.Equal("true", await PutTextAsync("/v1/kv/rep?cas=0&cas=7", "v"));
        Assert.Equal("v", await Http.GetStringAsync("/v1/kv/rep?raw"));
    }
}
