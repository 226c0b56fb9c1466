using System.Text;
using Microsoft.Extensions.Time.Testing;
using Praetor.Agent.Endpoints;
using Praetor.Agent.Events;
using Praetor.Gossip;
using Praetor.State.Catalog;

namespace Praetor.Agent.Tests.Events;

[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "The fake pool holds nothing to dispose.")]
public sealed class EventEndpointTests
{
    private readonly FakeSerfPool _pool = new();
    private readonly EventStore _store = new();

    private EventEndpoint Endpoint(TimeProvider? time = null) => new(() => _pool, _store, time: time);

    private EventReceiver Receiver(string node = "web-1", params ServiceInstance[] services) => new(_store, () => node, () => services);

    [Fact]
    public void Fire_sends_consuls_serf_event_and_answers_the_event()
    {
        var fired = Endpoint().Fire("deploy", "v1"u8.ToArray(), "web", "api", "v2");

        Assert.True(Guid.TryParseExact(fired.Id, "D", out _));
        Assert.Equal(36, fired.Id.Length);
        Assert.Equal(fired.Id.ToLowerInvariant(), fired.Id);
        Assert.Equal(1, fired.Version);
        Assert.Equal(0UL, fired.LTime);
        var (name, payload, coalesce) = Assert.Single(_pool.Fired);
        Assert.Equal("consul:event:deploy", name);
        Assert.False(coalesce);
        Assert.True(UserEventCodec.TryDecode(payload, 0, out var sent, out _));
        Assert.Equal(fired with { LTime = 0 }, sent! with { Payload = fired.Payload });
        Assert.Equal("v1"u8.ToArray(), sent.Payload);
    }

    [Fact]
    public void Fire_with_an_empty_payload_sends_none()
    {
        var fired = Endpoint().Fire("deploy", []);
        Assert.Null(fired.Payload);
    }

    [Theory]
    [InlineData("", "", "", "", "User event missing name")]
    [InlineData("e", "", "", "v1", "Cannot provide tag filter without service filter")]
    [InlineData("e", "[", "", "", "Invalid node filter: ")]
    public void Fire_refuses_bad_input_as_a_bad_request(string name, string node, string service, string tag, string message)
    {
        var e = Assert.Throws<EndpointException>(() => Endpoint().Fire(name, null, node, service, tag));
        Assert.Equal(EndpointErrorKind.BadRequest, e.Kind);
        Assert.StartsWith(message, e.Message, StringComparison.Ordinal);
        Assert.Empty(_pool.Fired);
    }

    [Fact]
    public void Fire_refuses_an_event_over_serfs_limit_counting_the_prefix_and_encoding()
    {
        var endpoint = Endpoint();
        // 512 bytes in all: "consul:event:e" (14) + the encoded event (ID, name, version: 52 bytes + payload header).
        var overhead = Encoding.UTF8.GetByteCount("consul:event:e") + UserEventCodec.Encode(new UserEvent { Id = Guid.Empty.ToString(), Name = "e", Payload = new byte[400] }).Length - 400;
        endpoint.Fire("e", new byte[512 - overhead]);
        var e = Assert.Throws<UserEventTooLargeException>(() => endpoint.Fire("e", new byte[512 - overhead + 1]));
        Assert.StartsWith("user event exceeds configured limit of 512 bytes before encoding", e.Message, StringComparison.Ordinal);
        Assert.Single(_pool.Fired);
    }

    [Fact]
    public void Fire_turns_the_pools_size_refusal_into_too_large_and_other_failures_into_500()
    {
        var endpoint = Endpoint();
        _pool.FireError = new GossipException("encoded user event exceeds configured limit of 512 bytes after encoding");
        Assert.Throws<UserEventTooLargeException>(() => endpoint.Fire("e", null));
        _pool.FireError = new GossipException("pool is shut down");
        Assert.Equal(EndpointErrorKind.Failed, Assert.Throws<EndpointException>(() => endpoint.Fire("e", null)).Kind);
    }

    [Fact]
    public void Without_a_pool_the_event_is_delivered_locally_or_refused()
    {
        var local = new EventEndpoint(() => null, _store, Receiver());
        var fired = local.Fire("deploy", null);
        var stored = Assert.Single(_store.View().Events);
        Assert.Equal(fired.Id, stored.Id);
        Assert.Equal(1UL, stored.LTime);

        var nowhere = new EventEndpoint(() => null, new EventStore());
        Assert.Equal(EndpointErrorKind.Failed, Assert.Throws<EndpointException>(() => nowhere.Fire("deploy", null)).Kind);
    }

    [Fact]
    public async Task List_answers_oldest_first_with_consuls_index_and_filters_by_name()
    {
        var receiver = Receiver();
        var endpoint = Endpoint();
        var empty = await endpoint.ListAsync(null, 0, TimeSpan.Zero, default);
        Assert.Empty(empty.Events);
        Assert.Equal(1UL, empty.Index);

        var a = new UserEvent { Id = Guid.NewGuid().ToString(), Name = "a" };
        var b = new UserEvent { Id = Guid.NewGuid().ToString(), Name = "b" };
        receiver.Receive(a);
        receiver.Receive(b);
        var all = await endpoint.ListAsync(null, 0, TimeSpan.Zero, default);
        Assert.Equal(["a", "b"], all.Events.Select(e => e.Name));
        Assert.Equal(UserEvent.IdToIndex(b.Id), all.Index);
        var onlyA = await endpoint.ListAsync("a", 0, TimeSpan.Zero, default);
        Assert.Equal(a, Assert.Single(onlyA.Events));
        Assert.Equal(UserEvent.IdToIndex(a.Id), onlyA.Index);
        Assert.Empty((await endpoint.ListAsync("c", 0, TimeSpan.Zero, default)).Events);
    }

    [Fact]
    public async Task A_blocking_list_returns_at_once_when_the_index_differs()
    {
        var result = await Endpoint().ListAsync(null, 12345, TimeSpan.FromMinutes(5), default);
        Assert.Equal(1UL, result.Index);
    }

    [Fact]
    public async Task A_blocking_list_waits_for_a_matching_event_and_ignores_others()
    {
        var receiver = Receiver();
        var endpoint = Endpoint();
        var first = new UserEvent { Id = Guid.NewGuid().ToString(), Name = "deploy" };
        receiver.Receive(first);
        var index = (await endpoint.ListAsync("deploy", 0, TimeSpan.Zero, default)).Index;

        var waiting = endpoint.ListAsync("deploy", index, TimeSpan.FromMinutes(1), default);
        receiver.Receive(new UserEvent { Id = Guid.NewGuid().ToString(), Name = "other" });
        await Task.Delay(50);
        Assert.False(waiting.IsCompleted);
        var second = new UserEvent { Id = Guid.NewGuid().ToString(), Name = "deploy" };
        receiver.Receive(second);
        var result = await waiting.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(UserEvent.IdToIndex(second.Id), result.Index);
        Assert.Equal(2, result.Events.Count);
    }

    [Fact]
    public async Task A_blocking_list_ends_after_the_wait_with_the_same_answer()
    {
        var time = new FakeTimeProvider();
        var endpoint = Endpoint(time);
        var waiting = endpoint.ListAsync(null, 1, TimeSpan.FromSeconds(30), default);
        await Task.Delay(20);
        Assert.False(waiting.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(31));
        var result = await waiting.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(1UL, result.Index);
        Assert.Empty(result.Events);
    }

    [Fact]
    public async Task A_blocking_list_without_a_wait_waits_the_maximum()
    {
        var time = new FakeTimeProvider();
        var endpoint = new EventEndpoint(() => _pool, _store, time: time, maxQueryTime: TimeSpan.FromMinutes(10));
        var waiting = endpoint.ListAsync(null, 1, TimeSpan.Zero, default);
        time.Advance(TimeSpan.FromMinutes(9));
        await Task.Delay(20);
        Assert.False(waiting.IsCompleted);
        time.Advance(TimeSpan.FromMinutes(1.1));
        await waiting.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_blocking_list_is_cancelled_with_its_request()
    {
        using var cancel = new CancellationTokenSource();
        var waiting = Endpoint().ListAsync(null, 1, TimeSpan.FromMinutes(1), cancel.Token);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(TimeSpan.FromSeconds(10)));
    }
}
