using Microsoft.Extensions.Time.Testing;
using Praetor.State.Catalog;
using Praetor.State.Commands;
using Praetor.State.Kv;
using Praetor.State.Sessions;
using static Praetor.State.Commands.KvVerb;

namespace Praetor.State.Tests;

/// <summary>Sessions through the state machine: create against the catalog, locks, invalidation, lock-delay, renewals, snapshots.</summary>
public class SessionTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly StateMachine _fsm;
    private ulong _index = 10;

    public SessionTests()
    {
        _fsm = new StateMachine(new StateStore(_time));
        Register("node1", Check("serfHealth", HealthStatus.Passing), Check("web-alive", HealthStatus.Passing));
    }

    private StateStore Store => _fsm.Store;

    private static HealthCheck Check(string id, string status) => new() { Node = "node1", CheckId = id, Name = id, Status = status };

    private object? Apply(Command command) => _fsm.Apply(++_index, CommandCodec.Encode(command));

    private void Register(string node, params HealthCheck[] checks) =>
        Assert.Null(Apply(new RegisterCommand(new CatalogRegistration(new CatalogNode { Node = node, Address = "10.0.0.1" }, null, checks))));

    private static Session New(string id, string behavior = SessionBehavior.Release, params string[] checks) => new()
    {
        Id = id,
        Node = "node1",
        Behavior = behavior,
        LockDelay = TimeSpan.FromSeconds(15),
        NodeChecks = checks.Length == 0 ? ["serfHealth"] : checks,
    };

    private void Create(Session session) => Assert.Null(Apply(new SessionCreateCommand(session)));

    private TxnResult Kv(KvVerb verb, string key, string? session, string value = "v") =>
        Assert.IsType<TxnResult>(Apply(new TxnCommand([new KvOperation(verb, key, System.Text.Encoding.UTF8.GetBytes(value), 0, 0, session)])));

    [Fact]
    public void Create_stamps_the_session_and_the_table_index_and_wakes_list_and_node_watches()
    {
        using var list = new Watch.WatchSet();
        Store.SessionWatches.WatchPrefix(list, "");
        using var node = new Watch.WatchSet();
        Store.SessionWatches.WatchKey(node, SessionWatchKeys.Node("NODE1"));

        Create(New("s1"));

        var session = Store.Current.Sessions.Get("s1")!;
        Assert.Equal((_index, _index, _index), (session.CreateIndex, session.ModifyIndex, Store.Current.Sessions.Index));
        Assert.True(list.Fired.IsCompleted);
        Assert.True(node.Fired.IsCompleted);
    }

    [Theory]
    [InlineData("nowhere", new string[0], "Missing node registration")]
    [InlineData("node1", new[] { "missing" }, "Missing check 'missing' registration")]
    [InlineData("node1", new[] { "serfHealth", "down" }, "Check 'down' is in critical state")]
    public void Create_is_refused_with_consuls_error_and_changes_nothing(string node, string[] checks, string error)
    {
        Register("node1", Check("serfHealth", HealthStatus.Passing), Check("down", HealthStatus.Critical));
        var before = Store.Current.Sessions;

        Assert.Equal(error, Apply(new SessionCreateCommand(New("s1", checks: checks) with { Node = node, NodeChecks = checks })));

        Assert.Same(before, Store.Current.Sessions);
    }

    [Fact]
    public void Create_of_a_session_bound_to_a_service_check_checks_it_too()
    {
        Assert.Equal("Missing check 'svc' registration",
            Apply(new SessionCreateCommand(New("s1") with { ServiceChecks = ["svc"] })));
    }

    [Fact]
    public void Two_contenders_get_one_holder_at_a_time_and_LockIndex_counts_acquisitions()
    {
        Create(New("s1"));
        Create(New("s2"));

        var first = Kv(KvVerb.Lock, "leader", "s1");
        var lost = Kv(KvVerb.Lock, "leader", "s2");
        var again = Kv(KvVerb.Lock, "leader", "s1", "v2");

        Assert.True(first.Committed);
        Assert.Equal(new TxnError(0, "failed to lock key \"leader\", lock is already held"), Assert.Single(lost.Errors));
        Assert.True(again.Committed);
        var held = Store.Current.Kv.Get("leader")!;
        Assert.Equal(("s1", 1UL, "v2"), (held.Session, held.LockIndex, System.Text.Encoding.UTF8.GetString(held.Value!)));

        Assert.True(Kv(Unlock, "leader", "s1").Committed);
        Assert.True(Kv(KvVerb.Lock, "leader", "s2").Committed);

        // LockIndex is a fencing token: the second holder's is higher than every earlier one's.
        Assert.Equal(("s2", 2UL), (Store.Current.Kv.Get("leader")!.Session, Store.Current.Kv.Get("leader")!.LockIndex));
    }

    [Fact]
    public void Lock_with_an_unknown_session_is_refused_with_invalid_session_and_changes_nothing()
    {
        var before = Store.Current.Kv;

        var result = Kv(KvVerb.Lock, "k", "no-such");

        Assert.Equal("invalid session \"no-such\"", Assert.Single(result.Errors).What);
        Assert.Same(before, Store.Current.Kv);
    }

    [Fact]
    public void A_bound_check_going_critical_invalidates_the_session_and_releases_its_locks_with_a_lock_delay()
    {
        Create(New("s1", checks: ["serfHealth", "web-alive"]));
        Create(New("other"));
        Kv(KvVerb.Lock, "leader", "s1");
        using var watch = new Watch.WatchSet();
        Store.KvWatches.WatchKey(watch, "leader");

        Register("node1", Check("web-alive", HealthStatus.Critical));

        Assert.Null(Store.Current.Sessions.Get("s1"));
        Assert.NotNull(Store.Current.Sessions.Get("other"));
        var released = Store.Current.Kv.Get("leader")!;
        Assert.Equal((null, 1UL, _index), (released.Session, released.LockIndex, released.ModifyIndex));
        Assert.True(watch.Fired.IsCompleted);
        Assert.True(Store.LockDelays.IsDelayed("leader"));
        _time.Advance(TimeSpan.FromSeconds(15));
        Assert.False(Store.LockDelays.IsDelayed("leader"));
    }

    [Fact]
    public void A_warning_check_keeps_the_session()
    {
        Create(New("s1", checks: ["serfHealth", "web-alive"]));

        Register("node1", Check("web-alive", HealthStatus.Warning));

        Assert.NotNull(Store.Current.Sessions.Get("s1"));
    }

    [Fact]
    public void Deregistering_a_bound_check_invalidates_the_session()
    {
        Create(New("s1", checks: ["serfHealth", "web-alive"]));

        Apply(new DeregisterCommand("node1", CheckId: "web-alive"));

        Assert.Null(Store.Current.Sessions.Get("s1"));
    }

    [Fact]
    public void Deregistering_the_node_invalidates_its_sessions_and_a_delete_session_deletes_its_keys()
    {
        Create(New("s1", SessionBehavior.Delete));
        Kv(KvVerb.Lock, "job/lock", "s1");
        Kv(Set, "job/other", null);

        Apply(new DeregisterCommand("node1"));

        Assert.Equal(0, Store.Current.Sessions.Count);
        Assert.Null(Store.Current.Kv.Get("job/lock"));
        Assert.NotNull(Store.Current.Kv.Get("job/other"));
    }

    [Fact]
    public void Destroy_releases_locks_and_an_unknown_id_changes_nothing()
    {
        Create(New("s1"));
        Kv(KvVerb.Lock, "k", "s1");

        Apply(new SessionDestroyCommand("s1"));
        var after = Store.Current;
        Apply(new SessionDestroyCommand("s1"));

        Assert.Null(after.Sessions.Get("s1"));
        Assert.Null(after.Kv.Get("k")!.Session);
        Assert.Same(after.Sessions, Store.Current.Sessions);
        Assert.Same(after.Kv, Store.Current.Kv);
    }

    [Fact]
    public void Renew_raises_SessionRenewed_and_an_unknown_id_answers_not_found()
    {
        Create(New("s1"));
        var renewed = new List<string>();
        Store.SessionRenewed += renewed.Add;
        var sessions = Store.Current.Sessions;

        Assert.Null(Apply(new SessionRenewCommand("s1")));
        Assert.Equal("Session id 'gone' not found", Apply(new SessionRenewCommand("gone")));

        Assert.Equal(["s1"], renewed);
        Assert.Same(sessions, Store.Current.Sessions);
    }

    [Fact]
    public void A_snapshot_round_trips_sessions_and_locks()
    {
        Create(New("s1", SessionBehavior.Delete) with { Name = "web lock", Ttl = "15.000000s", LockDelay = TimeSpan.FromMilliseconds(1) });
        Kv(KvVerb.Lock, "k", "s1");
        using var stream = new MemoryStream();
        SnapshotCodec.Write(Store.Current, stream);

        var restored = SnapshotCodec.Read(stream.ToArray().AsMemory());

        var saved = Store.Current.Sessions.Get("s1")!;
        var read = restored.Sessions.Get("s1")!;
        Assert.Equal(saved with { NodeChecks = [], ServiceChecks = [] }, read with { NodeChecks = [], ServiceChecks = [] });
        Assert.Equal(["serfHealth"], read.NodeChecks);
        Assert.Equal(Store.Current.Sessions.Index, restored.Sessions.Index);
        Assert.Equal("s1", restored.Kv.Get("k")!.Session);
        Assert.Equal(1, SnapshotCodec.Statistics(restored).Single(s => s.Name == "Session").Count);
    }

    [Fact]
    public void A_version_2_document_reads_as_no_sessions_and_a_session_without_its_node_is_refused()
    {
        using var stream = new MemoryStream();
        SnapshotCodec.Write(Store.Current, stream);
        var v3 = stream.ToArray();
        // Version 2 is version 3 without its last two fields, [sessions-index 0, []] and
        // [coordinates-index 0, []] (three bytes each).
        byte[] v2 = [0x98, .. v3[1..^6]];
        v2[Array.IndexOf(v2, (byte)0x03, 15)] = 0x02;

        Assert.Equal(0, SnapshotCodec.Read(v2.AsMemory()).Sessions.Count);

        Create(New("s1"));
        var orphan = Store.Current with { Catalog = CatalogTable.Empty };
        using var orphaned = new MemoryStream();
        SnapshotCodec.Write(orphan, orphaned);
        var refused = Assert.Throws<InvalidDataException>(() => SnapshotCodec.Read(orphaned.ToArray().AsMemory()));
        Assert.Contains("snapshot session \"s1\"", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Session_commands_round_trip_through_the_codec()
    {
        var session = New("s1") with { Ttl = "10s", ServiceChecks = ["svc"] };

        var create = Assert.IsType<SessionCreateCommand>(CommandCodec.Decode(CommandCodec.Encode(new SessionCreateCommand(session))));

        Assert.Equal(session.Id, create.Session.Id);
        Assert.Equal(["svc"], create.Session.ServiceChecks);
        Assert.Equal("10s", create.Session.Ttl);
        Assert.Equal("s1", Assert.IsType<SessionDestroyCommand>(CommandCodec.Decode(CommandCodec.Encode(new SessionDestroyCommand("s1")))).Id);
        Assert.Equal("s1", Assert.IsType<SessionRenewCommand>(CommandCodec.Decode(CommandCodec.Encode(new SessionRenewCommand("s1")))).Id);
    }
}
