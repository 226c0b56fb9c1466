using System.Diagnostics;
using System.Net;
using System.Text;

namespace Praetor.Api.Tests;

public sealed class SnapshotApiTests : AgentFixture
{
    private async Task<(byte[] Archive, ulong Index)> SaveAsync()
    {
        using var response = await Http.GetAsync("/v1/snapshot");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadAsByteArrayAsync(), IndexOf(response));
    }

    private async Task<HttpResponseMessage> RestoreAsync(byte[] archive)
    {
        using var content = new ByteArrayContent(archive);
        return await Http.PutAsync("/v1/snapshot", content);
    }

    private async Task<string?> ValueAsync(string key)
    {
        using var response = await Http.GetAsync($"/v1/kv/{key}?raw");
        return response.StatusCode == HttpStatusCode.NotFound ? null : await response.Content.ReadAsStringAsync();
    }

    [Fact]
    public async Task Get_answers_an_archive_of_the_state_with_consuls_headers()
    {
        await PutTextAsync("/v1/kv/a", "1");

        using var response = await Http.GetAsync("/v1/snapshot");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/x-gzip", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal(Host.Agent.Store.Current.Index, IndexOf(response));
        Assert.Equal("true", response.Headers.GetValues("X-Consul-KnownLeader").Single());
        Assert.Equal("0", response.Headers.GetValues("X-Consul-LastContact").Single());
        var (meta, state) = State.SnapshotArchive.Read(await response.Content.ReadAsByteArrayAsync());
        Assert.Equal(IndexOf(response), meta.Index);
        Assert.NotNull(state.Kv.Get("a"));
        using var stale = await Http.GetAsync("/v1/snapshot?stale");
        Assert.Equal("stale", stale.Headers.GetValues("X-Consul-Effective-Consistency").Single());
    }

    [Fact]
    public async Task Put_restores_keys_deleted_and_removes_keys_written_since_the_save()
    {
        await PutTextAsync("/v1/kv/keep", "k");
        await PutTextAsync("/v1/kv/dropped", "d");
        using (var before = await Http.GetAsync("/v1/kv/dropped"))
        {
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        }
        var (archive, savedIndex) = await SaveAsync();
        using (await Http.DeleteAsync("/v1/kv/dropped")) { }
        await PutTextAsync("/v1/kv/keep", "changed");
        await PutTextAsync("/v1/kv/later", "l");
        var indexBefore = Host.Agent.Store.Current.Index;

        using var restored = await RestoreAsync(archive);

        Assert.Equal(HttpStatusCode.OK, restored.StatusCode);
        Assert.Empty(await restored.Content.ReadAsByteArrayAsync());
        Assert.Equal("k", await ValueAsync("keep"));
        Assert.Equal("d", await ValueAsync("dropped"));
        Assert.Null(await ValueAsync("later"));
        Assert.True(Host.Agent.Store.Current.Index > indexBefore, "the state's index moves on");
        Assert.True(savedIndex < indexBefore);
    }

    [Fact]
    public async Task A_restore_wakes_a_blocking_query_even_at_a_lower_index()
    {
        var (archive, _) = await SaveAsync();
        await PutTextAsync("/v1/kv/watched", "v");
        using var first = await Http.GetAsync("/v1/kv/watched");
        var index = IndexOf(first);
        var clock = Stopwatch.StartNew();
        var blocked = Http.GetAsync($"/v1/kv/watched?index={index}&wait=60s");
        await Task.Delay(50); // give the query a chance to park; correctness does not depend on it
        Assert.False(blocked.IsCompleted);

        using (var restored = await RestoreAsync(archive))
        {
            Assert.Equal(HttpStatusCode.OK, restored.StatusCode);
        }

        using var woken = await blocked.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"answered after {clock.Elapsed}");
        Assert.Equal(HttpStatusCode.NotFound, woken.StatusCode);
        Assert.True(IndexOf(woken) < index, "the restored table's index is the saved one");
    }

    [Fact]
    public async Task Bad_archives_are_refused_with_400_and_change_nothing()
    {
        await PutTextAsync("/v1/kv/stays", "s");
        var (archive, _) = await SaveAsync();
        var state = Host.Agent.Store.Current;
        var flipped = (byte[])archive.Clone();
        flipped[archive.Length / 2] ^= 0x55;

        foreach (var (body, message) in new (byte[], string)[]
        {
            ("not an archive"u8.ToArray(), "not a snapshot archive: not gzip-compressed"),
            ([], "not a snapshot archive: not gzip-compressed"),
            (archive[..(archive.Length / 2)], "not a snapshot archive: "),
            (flipped, ""),
        })
        {
            using var response = await RestoreAsync(body);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.StartsWith(message, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        Assert.Same(state, Host.Agent.Store.Current);
    }

    [Fact]
    public async Task Other_methods_are_not_allowed()
    {
        using var response = await Http.PostAsync("/v1/snapshot", new ByteArrayContent(Encoding.UTF8.GetBytes("x")));

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal(["GET", "PUT"], response.Content.Headers.Allow);
    }
}
