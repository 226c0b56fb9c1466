using System.Net;

namespace Praetor.Api.Tests;

public sealed class BadInputTests : AgentFixture
{
    [Theory]
    [InlineData("/v1/kv/k?index=abc", "Invalid index")]
    [InlineData("/v1/kv/k?index=-1", "Invalid index")]
    [InlineData("/v1/kv/k?index=1&wait=soon", "Invalid wait time")]
    [InlineData("/v1/kv/k?index=1&wait=10", "Invalid wait time")]
    [InlineData("/v1/kv/k?stale&consistent", "Cannot specify ?stale with ?consistent, conflicting semantics.")]
    [InlineData("/v1/kv/", "Missing key name")]
    public async Task Bad_read_parameters_are_400_with_a_reason(string path, string reason)
    {
        using var response = await Http.GetAsync(path);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal(reason, await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("/v1/kv/k?flags=abc", "Invalid flags")]
    [InlineData("/v1/kv/k?flags=-3", "Invalid flags")]
    [InlineData("/v1/kv/k?cas=x1", "Invalid cas index")]
    [InlineData("/v1/kv/k?cas=18446744073709551616", "Invalid cas index")]
    [InlineData("/v1/kv/", "Missing key name")]
    [InlineData("/v1/kv/k?cas=1&acquire=abc", "Conflicting flags")]
    public async Task Bad_put_parameters_are_400_and_change_nothing(string path, string reason)
    {
        using var response = await PutAsync(path, "value");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.StartsWith(reason, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await AssertStoreEmptyAsync();
    }

    [Fact]
    public async Task Delete_without_a_key_or_with_recurse_and_cas_is_400()
    {
        using var noKey = await Http.DeleteAsync("/v1/kv/");
        Assert.Equal(HttpStatusCode.BadRequest, noKey.StatusCode);
        using var conflict = await Http.DeleteAsync("/v1/kv/a?recurse&cas=3");
        Assert.Equal(HttpStatusCode.BadRequest, conflict.StatusCode);
        using var badCas = await Http.DeleteAsync("/v1/kv/a?cas=zz");
        Assert.Equal(HttpStatusCode.BadRequest, badCas.StatusCode);
    }

    [Fact]
    public async Task A_value_over_512_KiB_is_413_and_not_stored()
    {
        using var response = await Http.PutAsync("/v1/kv/big", new ByteArrayContent(new byte[(512 * 1024) + 1]));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.StartsWith("Request body(524289 bytes) too large, max size: 524288 bytes.", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await AssertStoreEmptyAsync();
    }

    [Fact]
    public async Task A_value_of_exactly_512_KiB_is_stored()
    {
        using var response = await Http.PutAsync("/v1/kv/big", new ByteArrayContent(new byte[512 * 1024]));
        Assert.Equal("true", await response.Content.ReadAsStringAsync());
        Assert.Equal(512 * 1024, (await Http.GetByteArrayAsync("/v1/kv/big?raw")).Length);
    }

    [Fact]
    public async Task A_chunked_body_over_the_limit_is_413()
    {
        var content = new StreamContent(new MemoryStream(new byte[600 * 1024]));
        var request = new HttpRequestMessage(HttpMethod.Put, "/v1/kv/chunked") { Content = content };
        request.Headers.TransferEncodingChunked = true;
        using var response = await Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        await AssertStoreEmptyAsync();
    }

    [Fact]
    public async Task Acquire_with_an_unknown_session_is_a_500_naming_it()
    {
        using var response = await PutAsync("/v1/kv/locked?acquire=0b1a7c1e-0000-0000-0000-000000000000", "v");
        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("invalid session \"0b1a7c1e-0000-0000-0000-000000000000\"", await response.Content.ReadAsStringAsync());
        await AssertStoreEmptyAsync();
    }

    [Fact]
    public async Task Release_by_a_session_that_holds_nothing_is_false()
    {
        await PutTextAsync("/v1/kv/free", "v");
        Assert.Equal("false", await PutTextAsync("/v1/kv/free?release=0b1a7c1e-0000-0000-0000-000000000000", "v"));
    }

    private async Task AssertStoreEmptyAsync() => Assert.Equal("[]", await Http.GetStringAsync("/v1/kv/?keys"));
}
