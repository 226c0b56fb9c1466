using Praetor.Agent.Events;
using Praetor.Gossip.Serf;
using Praetor.State.Catalog;

namespace Praetor.Agent.Tests.Events;

public sealed class EventReceiverTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("praetor-receiver-").FullName;
    private readonly EventStore _store = new();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static SerfUserEvent Consul(UserEvent userEvent, ulong lTime = 9) =>
        new(lTime, UserEventCodec.SerfName(userEvent.Name), UserEventCodec.Encode(userEvent), false);

    private static UserEvent Event(string name, string node = "", string service = "", string tag = "") =>
        new() { Id = Guid.NewGuid().ToString(), Name = name, NodeFilter = node, ServiceFilter = service, TagFilter = tag, Payload = "p"u8.ToArray() };

    private EventReceiver Receiver(EventHandlers? handlers = null) =>
        new(_store, () => "web-1", () => [new ServiceInstance { Node = "web-1", Id = "api", Service = "api", Tags = ["v1"] }], handlers);

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
    public async Task Member_events_go_to_the_handlers()
    {
        var log = Path.Combine(_dir, "members");
        await using var handlers = new EventHandlers(EventScript.Parse($"member-leave=cut -f1 >> {log}"), () => new HandlerSelf("web-1", new Dictionary<string, string>()));
        var receiver = Receiver(handlers);
        receiver.Deliver(new SerfMemberEvent(SerfEventType.MemberLeave,
            [new SerfMember("db-1", [127, 0, 0, 1], 8301, new Dictionary<string, string>(), MemberStatus.Left, default)]));
        await handlers.WhenIdleAsync().WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(["db-1"], await File.ReadAllLinesAsync(log));
    }
}
