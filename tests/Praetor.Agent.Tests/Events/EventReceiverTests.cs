using Microsoft.Extensions.Time.Testing;
using Praetor.Agent.Events;
using Praetor.Gossip.Serf;
using Praetor.State.Catalog;

namespace Praetor.Agent.Tests.Events;

public sealed class EventReceiverTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("praetor-receiver-").FullName;
    private readonly EventStore _store = new();
    private readonly FakeTimeProvider _time = new();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static SerfUserEvent Consul(UserEvent userEvent, ulong lTime = 9) =>
        new(lTime, UserEventCodec.SerfName(userEvent.Name), UserEventCodec.Encode(userEvent), false);

    private static UserEvent Event(string name, string node = "", string service = "", string tag = "") =>
        new() { Id = Guid.NewGuid().ToString(), Name = name, NodeFilter = node, ServiceFilter = service, TagFilter = tag, Payload = "p"u8.ToArray() };

    private EventReceiver Receiver(EventHandlers? handlers = null) =>
        new(_store, () => "web-1", () => [new ServiceInstance { Node = "web-1", Id = "api", Service = "api", Tags = ["v1"] }], handlers, time: _time);

    private static SerfMemberEvent MemberEvent(SerfEventType type, string name) =>
        new(type, [new SerfMember(name, [127, 0, 0, 1], 8301, new Dictionary<string, string>(), MemberStatus.Alive, default)]);

    private static EventHandlers LineHandlers(string spec) => new(EventScript.Parse(spec), () => new HandlerSelf("web-1", new Dictionary<string, string>()), maxConcurrent: 1);

    // The lines the handlers wrote once they are idle; none when the file was never written.
    private static async Task<string[]> LinesWhenIdleAsync(EventHandlers handlers, string path)
    {
        await handlers.WhenIdleAsync().WaitAsync(TimeSpan.FromSeconds(20));
        return File.Exists(path) ? await File.ReadAllLinesAsync(path) : [];
    }

    [Fact]
    public void Consul_user_events_that_pass_the_filters_are_stored_with_serfs_lamport_time()
    {
        var receiver = Receiver();
        var wanted = Event("deploy", node: "^web", service: "api", tag: "v1");
        receiver.Deliver(Consul(wanted, lTime: 77));
        receiver.Deliver(Consul(Event("db-only", node: "^db")));
        receiver.Deliver(Consul(Event("no-service", service: "redis")));
        receiver.Deliver(Consul(Event("no-tag", service: "api", tag: "v2")));
        var stored = Assert.Single(_store.View().Events);
        Assert.Equal(wanted.Id, stored.Id);
        Assert.Equal(77UL, stored.LTime);
        Assert.Equal("p"u8.ToArray(), stored.Payload);
    }

    [Fact]
    public void Remote_exec_other_consul_events_and_malformed_ones_are_not_stored()
    {
        var receiver = Receiver();
        receiver.Deliver(Consul(Event(UserEvent.RemoteExecName)));
        receiver.Deliver(new SerfUserEvent(1, "consul:new-leader", [1, 2], false));
        receiver.Deliver(new SerfUserEvent(2, "consul:event:bad", [0xc1], false));
        receiver.Deliver(new SerfUserEvent(3, "consul:event:none", null, false));
        Assert.Empty(_store.View().Events);
        Assert.Equal(2, receiver.Malformed);
    }

    [Fact]
    public async Task Handlers_get_consul_events_by_their_user_name_and_payload_and_plain_serf_events_as_they_are()
    {
        var log = Path.Combine(_dir, "log");
        await using var handlers = new EventHandlers(
            EventScript.Parse($"user=echo \"$SERF_USER_EVENT $SERF_USER_LTIME $(cat)\" >> {log}"),
            () => new HandlerSelf("web-1", new Dictionary<string, string>()),
            maxConcurrent: 1);
        var receiver = Receiver(handlers);
        receiver.Deliver(Consul(Event("deploy"), lTime: 5));
        await handlers.WhenIdleAsync().WaitAsync(TimeSpan.FromSeconds(20));
        receiver.Deliver(new SerfUserEvent(6, "from-serf", "raw"u8.ToArray(), false));
        await handlers.WhenIdleAsync().WaitAsync(TimeSpan.FromSeconds(20));
        receiver.Deliver(Consul(Event("filtered-out", node: "^db")));
        receiver.Deliver(new SerfUserEvent(8, "consul:new-leader", [1], false));
        await handlers.WhenIdleAsync().WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(["deploy 5 p", "from-serf 6 raw"], await File.ReadAllLinesAsync(log));
        Assert.Single(_store.View().Events);
    }

    [Fact]
    public async Task Member_events_reach_the_handlers_coalesced_as_serfs_agent_does_after_a_quiet_second()
    {
        var log = Path.Combine(_dir, "members");
        await using var handlers = LineHandlers($"member-join,member-failed,member-leave=echo $SERF_EVENT $(cut -f1 | sort) >> {log}");
        using var receiver = Receiver(handlers);
        receiver.Deliver(MemberEvent(SerfEventType.MemberJoin, "db-1"));
        _time.Advance(TimeSpan.FromMilliseconds(600));
        receiver.Deliver(MemberEvent(SerfEventType.MemberJoin, "db-2"));
        receiver.Deliver(MemberEvent(SerfEventType.MemberFailed, "db-1"));
        _time.Advance(TimeSpan.FromMilliseconds(900));
        Assert.Empty(await LinesWhenIdleAsync(handlers, log));

        // A second without another event: one run per type, each member's latest change only.
        _time.Advance(TimeSpan.FromMilliseconds(100));
        Assert.Equal(["member-join db-2", "member-failed db-1"], await LinesWhenIdleAsync(handlers, log));

        // The same change again for a member is not repeated; a new one is.
        receiver.Deliver(MemberEvent(SerfEventType.MemberFailed, "db-1"));
        receiver.Deliver(MemberEvent(SerfEventType.MemberLeave, "db-2"));
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(["member-join db-2", "member-failed db-1", "member-leave db-2"], await LinesWhenIdleAsync(handlers, log));
    }

    [Fact]
    public async Task A_steady_stream_of_member_events_is_flushed_every_three_seconds()
    {
        var log = Path.Combine(_dir, "members");
        await using var handlers = LineHandlers($"member-join=echo $(cut -f1 | sort | tr '\\n' ' ') >> {log}");
        using var receiver = Receiver(handlers);
        for (var i = 0; i < 6; i++)
        {
            receiver.Deliver(MemberEvent(SerfEventType.MemberJoin, $"n{i}"));
            _time.Advance(TimeSpan.FromMilliseconds(500));
        }
        Assert.Equal(["n0 n1 n2 n3 n4 n5"], await LinesWhenIdleAsync(handlers, log));
        receiver.Deliver(MemberEvent(SerfEventType.MemberJoin, "n6"));
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(["n0 n1 n2 n3 n4 n5", "n6"], await LinesWhenIdleAsync(handlers, log));
    }

    [Fact]
    public async Task Coalescable_serf_user_events_keep_the_latest_per_name_and_others_pass_at_once()
    {
        var log = Path.Combine(_dir, "user");
        await using var handlers = LineHandlers($"user=echo \"$SERF_USER_EVENT $SERF_USER_LTIME $(cat)\" >> {log}");
        using var receiver = Receiver(handlers);
        receiver.Deliver(new SerfUserEvent(6, "deploy", "old"u8.ToArray(), true));
        receiver.Deliver(new SerfUserEvent(7, "deploy", "new"u8.ToArray(), true));
        receiver.Deliver(new SerfUserEvent(8, "now", "x"u8.ToArray(), false));
        receiver.Deliver(Consul(Event("consul-events-never-wait"), lTime: 9));
        Assert.Equal(["now 8 x", "consul-events-never-wait 9 p"], await LinesWhenIdleAsync(handlers, log));
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(["now 8 x", "consul-events-never-wait 9 p", "deploy 7 new"], await LinesWhenIdleAsync(handlers, log));
    }

    [Fact]
    public async Task Events_held_when_the_receiver_is_disposed_are_dropped()
    {
        var log = Path.Combine(_dir, "members");
        await using var handlers = LineHandlers($"member-join=cut -f1 >> {log}");
        var receiver = Receiver(handlers);
        receiver.Deliver(MemberEvent(SerfEventType.MemberJoin, "db-1"));
        receiver.Dispose();
        _time.Advance(TimeSpan.FromSeconds(5));
        receiver.Deliver(MemberEvent(SerfEventType.MemberJoin, "db-2"));
        _time.Advance(TimeSpan.FromSeconds(5));
        Assert.Empty(await LinesWhenIdleAsync(handlers, log));
        Assert.Equal(0, handlers.Started);
    }
}
