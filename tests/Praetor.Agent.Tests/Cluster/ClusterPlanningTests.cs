using Praetor.Agent.Cluster;
using Praetor.Gossip.Memberlist;
using Praetor.Gossip.Serf;

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

    [Fact]
    public void The_leader_adds_joined_servers_and_removes_those_that_left()
    {
        var a = RaftServerId.From(IdA);
        var b = RaftServerId.From(IdB);
        var c = RaftServerId.From(IdC);
        var configuration = new Dictionary<ulong, string> { [a] = "10.0.0.1:8300", [b] = "10.0.0.2:8300" };
        var joined = ServerMember.InDatacenter([Member("a", IdA, "10.0.0.1"), Member("b", IdB, "10.0.0.2"), Member("c", IdC, "10.0.0.3")], "dc1");
        Assert.Equal(new RaftMembershipPlan.AddVoter(c, "10.0.0.3:8300", "server c joined"), RaftMembershipPlan.Next(a, configuration, joined, cleanupDeadServers: true));

        var left = ServerMember.InDatacenter([Member("a", IdA, "10.0.0.1"), Member("b", IdB, "10.0.0.2", MemberStatus.Left)], "dc1");
        Assert.Equal(new RaftMembershipPlan.Remove(b, "server b left"), RaftMembershipPlan.Next(a, configuration, left, cleanupDeadServers: false));

        var same = ServerMember.InDatacenter([Member("a", IdA, "10.0.0.1"), Member("b", IdB, "10.0.0.2")], "dc1");
        Assert.Null(RaftMembershipPlan.Next(a, configuration, same, cleanupDeadServers: true));
    }

    [Fact]
    public void A_new_id_at_a_configured_address_replaces_the_old_server()
    {
        var a = RaftServerId.From(IdA);
        var b = RaftServerId.From(IdB);
        var configuration = new Dictionary<ulong, string> { [a] = "10.0.0.1:8300", [b] = "10.0.0.2:8300" };
        var rebuilt = ServerMember.InDatacenter([Member("a", IdA, "10.0.0.1"), Member("b2", IdC, "10.0.0.2")], "dc1");
        Assert.Equal(new RaftMembershipPlan.Remove(b, "server b2 took its address 10.0.0.2:8300 with another ID"), RaftMembershipPlan.Next(a, configuration, rebuilt, cleanupDeadServers: false));
    }

    [Fact]
    public void Dead_servers_are_cleaned_up_only_while_a_quorum_stays_and_never_the_leader()
    {
        var a = RaftServerId.From(IdA);
        var b = RaftServerId.From(IdB);
        var c = RaftServerId.From(IdC);
        var three = new Dictionary<ulong, string> { [a] = "10.0.0.1:8300", [b] = "10.0.0.2:8300", [c] = "10.0.0.3:8300" };
        var oneFailed = ServerMember.InDatacenter([Member("a", IdA, "10.0.0.1"), Member("b", IdB, "10.0.0.2"), Member("c", IdC, "10.0.0.3", MemberStatus.Failed)], "dc1");
        Assert.Equal(new RaftMembershipPlan.Remove(c, "server c failed"), RaftMembershipPlan.Next(a, three, oneFailed, cleanupDeadServers: true));
        Assert.Null(RaftMembershipPlan.Next(a, three, oneFailed, cleanupDeadServers: false));

        var twoFailed = ServerMember.InDatacenter([Member("a", IdA, "10.0.0.1"), Member("b", IdB, "10.0.0.2", MemberStatus.Failed), Member("c", IdC, "10.0.0.3", MemberStatus.Failed)], "dc1");
        Assert.Null(RaftMembershipPlan.Next(a, three, twoFailed, cleanupDeadServers: true));

        var unknown = ServerMember.InDatacenter([Member("a", IdA, "10.0.0.1"), Member("b", IdB, "10.0.0.2")], "dc1");
        Assert.Equal(new RaftMembershipPlan.Remove(c, "gossip knows no such server"), RaftMembershipPlan.Next(a, three, unknown, cleanupDeadServers: true));
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
