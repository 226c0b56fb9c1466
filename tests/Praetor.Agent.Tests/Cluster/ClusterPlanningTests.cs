using Praetor.Agent.Cluster;
using Praetor.Gossip.Memberlist;
using Praetor.Gossip.Serf;
using Praetor.Raft;

namespace Praetor.Agent.Tests.Cluster;

public sealed class ClusterPlanningTests
{
    private static readonly ProtocolVersions Vsn = new(1, 5, 2, 2, 5, 4);

    private static SerfMember Member(string name, string id, string ip, MemberStatus status = MemberStatus.Alive, string role = "consul", string dc = "dc1", string? expect = "3", bool bootstrap = false)
    {
        var tags = new Dictionary<string, string> { ["role"] = role, ["dc"] = dc, ["id"] = id, ["port"] = "8300" };
        if (expect is not null) tags["expect"] = expect;
        if (bootstrap) tags["bootstrap"] = "1";
        return new SerfMember(name, System.Net.IPAddress.Parse(ip).GetAddressBytes(), 8301, tags, status, Vsn);
    }

    private const string IdA = "11111111-1111-1111-1111-000000000001";
    private const string IdB = "22222222-2222-2222-2222-000000000002";
    private const string IdC = "33333333-3333-3333-3333-000000000003";

    [Fact]
    public void Raft_ids_come_from_the_node_uuid_and_are_stable()
    {
        Assert.True(RaftServerId.TryFrom(IdA, out var a));
        Assert.Equal(a, RaftServerId.From(IdA.ToUpperInvariant()));
        Assert.NotEqual(a, RaftServerId.From(IdB));
        Assert.NotEqual(0UL, RaftServerId.From("00000000-0000-0000-0000-000000000000"));
        Assert.False(RaftServerId.TryFrom("not-a-uuid", out _));
        Assert.Throws<ArgumentException>(() => RaftServerId.From("x"));
    }

    [Fact]
    public void Server_members_are_the_consul_servers_of_the_datacenter()
    {
        var servers = ServerMember.InDatacenter(
        [
            Member("a", IdA, "10.0.0.1"),
            Member("client", IdB, "10.0.0.2", role: "node"),
            Member("other-dc", IdC, "10.0.0.3", dc: "dc2"),
            Member("bad-id", "nope", "10.0.0.4"),
        ], "dc1");
        var server = Assert.Single(servers);
        Assert.Equal(("a", IdA, "10.0.0.1:8300", 3, false), (server.Name, server.NodeId, server.Address, server.Expect, server.Bootstrap));
        Assert.Equal(RaftServerId.From(IdA), server.RaftId);
    }

    [Fact]
    public void Bootstrap_expect_waits_for_enough_alive_servers_then_names_them_all()
    {
        var two = ServerMember.InDatacenter([Member("a", IdA, "10.0.0.1"), Member("b", IdB, "10.0.0.2"), Member("c", IdC, "10.0.0.3", MemberStatus.Failed)], "dc1");
        Assert.Equal(new BootstrapExpect.Wait(2), BootstrapExpect.Decide(3, two));
        var three = ServerMember.InDatacenter([Member("a", IdA, "10.0.0.1"), Member("b", IdB, "10.0.0.2"), Member("c", IdC, "10.0.0.3")], "dc1");
        var ready = Assert.IsType<BootstrapExpect.Bootstrap>(BootstrapExpect.Decide(3, three));
        Assert.Equal(3, ready.Servers.Count);
        Assert.Equal(ready.Servers.Select(s => s.RaftId).Order(), ready.Servers.Select(s => s.RaftId));
    }

    [Fact]
    public void Bootstrap_expect_refuses_conflicting_settings()
    {
        var conflicting = ServerMember.InDatacenter([Member("a", IdA, "10.0.0.1"), Member("b", IdB, "10.0.0.2", expect: "5")], "dc1");
        Assert.Equal(new BootstrapExpect.Refuse("Member b has a conflicting expect value. All nodes should expect the same number."), BootstrapExpect.Decide(3, conflicting));
        var bootstrapMode = ServerMember.InDatacenter([Member("a", IdA, "10.0.0.1"), Member("b", IdB, "10.0.0.2", expect: null, bootstrap: true)], "dc1");
        Assert.Equal(new BootstrapExpect.Refuse("Member b has bootstrap mode. Expect disabled."), BootstrapExpect.Decide(3, bootstrapMode));
    }

    private static readonly IReadOnlySet<ulong> NoneStable = new HashSet<ulong>();

    private static List<RaftServer> Configuration(params (string NodeId, string Address, bool Voter)[] servers) =>
        [.. servers.Select(s => new RaftServer(RaftServerId.From(s.NodeId), s.Address, s.Voter, Leader: false))];

    [Fact]
    public void The_leader_adds_joined_servers_as_non_voters_and_removes_those_that_left()
    {
        var a = RaftServerId.From(IdA);
        var b = RaftServerId.From(IdB);
        var c = RaftServerId.From(IdC);
        var configuration = Configuration((IdA, "10.0.0.1:8300", true), (IdB, "10.0.0.2:8300", true));
        var joined = ServerMember.InDatacenter([Member("a", IdA, "10.0.0.1"), Member("b", IdB, "10.0.0.2"), Member("c", IdC, "10.0.0.3")], "dc1");
        Assert.Equal(new RaftMembershipPlan.AddNonVoter(c, "10.0.0.3:8300", "server c joined"), RaftMembershipPlan.Next(a, configuration, joined, cleanupDeadServers: true, NoneStable));

        var left = ServerMember.InDatacenter([Member("a", IdA, "10.0.0.1"), Member("b", IdB, "10.0.0.2", MemberStatus.Left)], "dc1");
        Assert.Equal(new RaftMembershipPlan.Remove(b, "server b left"), RaftMembershipPlan.Next(a, configuration, left, cleanupDeadServers: false, NoneStable));

        var same = ServerMember.InDatacenter([Member("a", IdA, "10.0.0.1"), Member("b", IdB, "10.0.0.2")], "dc1");
        Assert.Null(RaftMembershipPlan.Next(a, configuration, same, cleanupDeadServers: true, NoneStable));
    }

    [Fact]
    public void A_non_voter_is_promoted_only_once_stable_and_alive()
    {
        var a = RaftServerId.From(IdA);
        var c = RaftServerId.From(IdC);
        var configuration = Configuration((IdA, "10.0.0.1:8300", true), (IdB, "10.0.0.2:8300", true), (IdC, "10.0.0.3:8300", false));
        var all = ServerMember.InDatacenter([Member("a", IdA, "10.0.0.1"), Member("b", IdB, "10.0.0.2"), Member("c", IdC, "10.0.0.3")], "dc1");
        Assert.Null(RaftMembershipPlan.Next(a, configuration, all, cleanupDeadServers: true, NoneStable));
        Assert.Equal(new RaftMembershipPlan.Promote(c, "10.0.0.3:8300", "server c is caught up and stable"), RaftMembershipPlan.Next(a, configuration, all, cleanupDeadServers: true, new HashSet<ulong> { c }));

        // A failed non-voter is not promoted; cleanup removes it (it does not count toward the quorum).
        var failed = ServerMember.InDatacenter([Member("a", IdA, "10.0.0.1"), Member("b", IdB, "10.0.0.2"), Member("c", IdC, "10.0.0.3", MemberStatus.Failed)], "dc1");
        Assert.Null(RaftMembershipPlan.Next(a, configuration, failed, cleanupDeadServers: false, new HashSet<ulong> { c }));
        Assert.Equal(new RaftMembershipPlan.Remove(c, "server c failed"), RaftMembershipPlan.Next(a, configuration, failed, cleanupDeadServers: true, new HashSet<ulong> { c }));
    }

    [Fact]
    public void A_dead_non_voter_is_removed_even_when_half_the_voters_are_dead()
    {
        var a = RaftServerId.From(IdA);
        var c = RaftServerId.From(IdC);
        var configuration = Configuration((IdA, "10.0.0.1:8300", true), (IdB, "10.0.0.2:8300", true), (IdC, "10.0.0.3:8300", false));
        var bAndCFailed = ServerMember.InDatacenter([Member("a", IdA, "10.0.0.1"), Member("b", IdB, "10.0.0.2", MemberStatus.Failed), Member("c", IdC, "10.0.0.3", MemberStatus.Failed)], "dc1");
        Assert.Equal(new RaftMembershipPlan.Remove(c, "server c failed"), RaftMembershipPlan.Next(a, configuration, bAndCFailed, cleanupDeadServers: true, NoneStable));
        var voters = Configuration((IdA, "10.0.0.1:8300", true), (IdB, "10.0.0.2:8300", true));
        Assert.Null(RaftMembershipPlan.Next(a, voters, bAndCFailed, cleanupDeadServers: true, NoneStable));
    }

    [Fact]
    public void A_non_voter_is_stable_after_staying_caught_up_and_alive_for_the_stabilization_time()
    {
        var c = RaftServerId.From(IdC);
        var configuration = Configuration((IdA, "10.0.0.1:8300", true), (IdC, "10.0.0.3:8300", false));
        var alive = ServerMember.InDatacenter([Member("a", IdA, "10.0.0.1"), Member("c", IdC, "10.0.0.3")], "dc1");
        var failed = ServerMember.InDatacenter([Member("a", IdA, "10.0.0.1"), Member("c", IdC, "10.0.0.3", MemberStatus.Failed)], "dc1");
        var stabilization = TimeSpan.FromSeconds(10);
        var health = new NonVoterHealth();
        ulong match = 0;
        IReadOnlySet<ulong> At(double seconds, ulong commit, IReadOnlyList<ServerMember> servers) =>
            health.Observe(TimeSpan.FromSeconds(seconds), configuration, id => id == c ? match : commit, commit, servers, stabilization);

        Assert.Empty(At(0, 1_000, alive)); // nothing replicated yet
        match = 1_000 - NonVoterHealth.CaughtUpLagMax - 1;
        Assert.Empty(At(1, 1_000, alive)); // too far behind
        match = 1_000 - NonVoterHealth.CaughtUpLagMax;
        Assert.Empty(At(2, 1_000, alive)); // caught up from t=2
        Assert.Empty(At(11.9, 1_000, alive));
        Assert.Equal([c], At(12, 1_000, alive));

        Assert.Empty(At(13, 2_000, alive)); // fell behind: the clock restarts
        match = 2_000;
        Assert.Empty(At(14, 2_000, alive));
        Assert.Empty(At(20, 2_000, failed)); // failed in gossip: restarts again
        Assert.Empty(At(21, 2_000, alive));
        Assert.Equal([c], At(31, 2_000, alive));

        var voterNow = Configuration((IdA, "10.0.0.1:8300", true), (IdC, "10.0.0.3:8300", true));
        Assert.Empty(health.Observe(TimeSpan.FromSeconds(32), voterNow, _ => 2_000, 2_000, alive, stabilization));
        Assert.Equal([c], health.Observe(TimeSpan.FromSeconds(33), configuration, _ => 2_000, 2_000, alive, TimeSpan.Zero));
    }

    [Fact]
    public void A_new_id_at_a_configured_address_replaces_the_old_server()
    {
        var a = RaftServerId.From(IdA);
        var b = RaftServerId.From(IdB);
        var configuration = Configuration((IdA, "10.0.0.1:8300", true), (IdB, "10.0.0.2:8300", true));
        var rebuilt = ServerMember.InDatacenter([Member("a", IdA, "10.0.0.1"), Member("b2", IdC, "10.0.0.2")], "dc1");
        Assert.Equal(new RaftMembershipPlan.Remove(b, "server b2 took its address 10.0.0.2:8300 with another ID"), RaftMembershipPlan.Next(a, configuration, rebuilt, cleanupDeadServers: false, NoneStable));
    }

    [Fact]
    public void Dead_servers_are_cleaned_up_only_while_a_quorum_stays_and_never_the_leader()
    {
        var a = RaftServerId.From(IdA);
        var c = RaftServerId.From(IdC);
        var three = Configuration((IdA, "10.0.0.1:8300", true), (IdB, "10.0.0.2:8300", true), (IdC, "10.0.0.3:8300", true));
        var oneFailed = ServerMember.InDatacenter([Member("a", IdA, "10.0.0.1"), Member("b", IdB, "10.0.0.2"), Member("c", IdC, "10.0.0.3", MemberStatus.Failed)], "dc1");
        Assert.Equal(new RaftMembershipPlan.Remove(c, "server c failed"), RaftMembershipPlan.Next(a, three, oneFailed, cleanupDeadServers: true, NoneStable));
        Assert.Null(RaftMembershipPlan.Next(a, three, oneFailed, cleanupDeadServers: false, NoneStable));

        var twoFailed = ServerMember.InDatacenter([Member("a", IdA, "10.0.0.1"), Member("b", IdB, "10.0.0.2", MemberStatus.Failed), Member("c", IdC, "10.0.0.3", MemberStatus.Failed)], "dc1");
        Assert.Null(RaftMembershipPlan.Next(a, three, twoFailed, cleanupDeadServers: true, NoneStable));

        var unknown = ServerMember.InDatacenter([Member("a", IdA, "10.0.0.1"), Member("b", IdB, "10.0.0.2")], "dc1");
        Assert.Equal(new RaftMembershipPlan.Remove(c, "gossip knows no such server"), RaftMembershipPlan.Next(a, three, unknown, cleanupDeadServers: true, NoneStable));
    }

    [Fact]
    public void The_node_id_is_kept_in_the_data_dir()
    {
        var dir = Directory.CreateTempSubdirectory("praetor-nodeid-").FullName;
        try
        {
            var first = NodeIdFile.Resolve("", dir);
            Assert.True(Guid.TryParse(first, out _));
            Assert.Equal(first, NodeIdFile.Resolve("", dir));
            Assert.Equal(IdA, NodeIdFile.Resolve(IdA, dir));
            File.WriteAllText(Path.Combine(dir, NodeIdFile.FileName), "garbage");
            var error = Assert.Throws<InvalidDataException>(() => NodeIdFile.Resolve("", dir));
            Assert.Contains(Path.Combine(dir, NodeIdFile.FileName), error.Message);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
