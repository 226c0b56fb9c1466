using System.Diagnostics;
using System.Net;

namespace Praetor.Api.Tests;

public sealed class BlockingQueryTests : AgentFixture
{
    [Fact]
    public async Task Blocking_get_returns_when_the_key_is_written()
    {
        await PutTextAsync("/v1/kv/watched", "v1");
        using var first = await Http.GetAsync("/v1/kv/watched");
        var index = IndexOf(first);

        var blocked = Http.GetAsync($"/v1/kv/watched?index={index}&wait=30s");
        await Task.Delay(50); // give the query a chance to park; correctness does not depend on it
        Assert.False(blocked.IsCompleted, "a blocking query must wait while nothing changes");
        await PutTextAsync("/v1/kv/watched", "v2");

        using var woken = await blocked.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(IndexOf(woken) > index);
        Assert.Contains(B64("v2"), await woken.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Blocking_get_times_out_with_the_same_index()
    {
        await PutTextAsync("/v1/kv/quiet", "v");
        using var first = await Http.GetAsync("/v1/kv/quiet");
        var index = IndexOf(first);

        var clock = Stopwatch.StartNew();
        using var response = await Http.GetAsync($"/v1/kv/quiet?index={index}&wait=300ms");
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(290), $"returned after {clock.Elapsed}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(index, IndexOf(response));
    }

    [Fact]
    public async Task A_write_under_another_prefix_does_not_wake_a_prefix_query()
    {
        await PutTextAsync("/v1/kv/svc-a/x", "1");
        await PutTextAsync("/v1/kv/svc-b/x", "1");
        using var first = await Http.GetAsync("/v1/kv/svc-a/?recurse");
        var index = IndexOf(first);

        var clock = Stopwatch.StartNew();
        var parked = Host.Agent.Store.KvWatches.Count;
        var blocked = Http.GetAsync($"/v1/kv/svc-a/?recurse&index={index}&wait=1s");
        await WaitUntilParkedAsync(parked);
        for (var i = 0; i < 5; i++)
        {
            await PutTextAsync($"/v1/kv/svc-b/{i}", "noise");
        }
        using var response = await blocked.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(990), $"woken early after {clock.Elapsed}");
        Assert.Equal(index, IndexOf(response));
    }

    [Fact]
    public async Task A_write_to_another_key_does_not_wake_a_single_key_query()
    {
        await PutTextAsync("/v1/kv/one", "1");
        using var first = await Http.GetAsync("/v1/kv/one");
        var index = IndexOf(first);

        var clock = Stopwatch.StartNew();
        var parked = Host.Agent.Store.KvWatches.Count;
        var blocked = Http.GetAsync($"/v1/kv/one?index={index}&wait=1s");
        await WaitUntilParkedAsync(parked);
        await PutTextAsync("/v1/kv/other", "noise");
        await PutTextAsync("/v1/kv/one-more", "noise");
        using var response = await blocked.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(990), $"woken early after {clock.Elapsed}");
        Assert.Contains(B64("1"), await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_recursive_query_is_woken_by_a_delete_under_its_prefix()
    {
        await PutTextAsync("/v1/kv/tree/a", "1");
        await PutTextAsync("/v1/kv/tree/b", "1");
        using var first = await Http.GetAsync("/v1/kv/tree/?recurse");
        var index = IndexOf(first);

        var blocked = Http.GetAsync($"/v1/kv/tree/?recurse&index={index}&wait=30s");
        await Http.DeleteAsync("/v1/kv/tree/b");
        using var response = await blocked.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(IndexOf(response) > index);
        Assert.DoesNotContain("tree/b", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_key_query_wakes_when_the_key_is_created()
    {
        using var first = await Http.GetAsync("/v1/kv/later");
        Assert.Equal(HttpStatusCode.NotFound, first.StatusCode);
        var blocked = Http.GetAsync($"/v1/kv/later?index={IndexOf(first)}&wait=30s");
        await PutTextAsync("/v1/kv/later", "now");
        using var response = await blocked.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task A_keys_query_wakes_on_a_new_key_under_the_prefix()
    {
        await PutTextAsync("/v1/kv/dir/a", "1");
        using var first = await Http.GetAsync("/v1/kv/dir/?keys");
        var blocked = Http.GetAsync($"/v1/kv/dir/?keys&index={IndexOf(first)}&wait=30s");
        await PutTextAsync("/v1/kv/dir/b", "2");
        using var response = await blocked.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("[\"dir/a\",\"dir/b\"]", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Stale_and_consistent_reads_report_their_consistency()
    {
        await PutTextAsync("/v1/kv/c", "1");
        using var stale = await Http.GetAsync("/v1/kv/c?stale");
        Assert.Equal("stale", stale.Headers.GetValues("X-Consul-Effective-Consistency").Single());
        using var consistent = await Http.GetAsync("/v1/kv/c?consistent");
        Assert.Equal("consistent", consistent.Headers.GetValues("X-Consul-Effective-Consistency").Single());
        using var plain = await Http.GetAsync("/v1/kv/c");
        Assert.Equal("leader", plain.Headers.GetValues("X-Consul-Effective-Consistency").Single());
    }

    /// <summary>
    /// Waits (up to 10 s) until a query has parked on its watches: the noise written after it must
    /// find it waiting, as a query that reads after the noise answers at once (the table's index moved).
    /// </summary>
    private async Task WaitUntilParkedAsync(int watchesBefore)
    {
        var deadline = Stopwatch.StartNew();
        while (Host.Agent.Store.KvWatches.Count <= watchesBefore)
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(10), "the blocking query never parked");
            await Task.Delay(1);
        }
    }
}
