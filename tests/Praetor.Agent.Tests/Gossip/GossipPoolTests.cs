using Praetor.Agent.Gossip;
using Praetor.Gossip.Serf;

namespace Praetor.Agent.Tests.Gossip;

/// <summary>How the agent sets up its LAN and WAN pools: the settings of each, and in-process agents on the real pools (loopback, free ports).</summary>
public sealed class GossipPoolTests
{
    private const string Key = "pUqJrVyVRj5jsiYEkM/tFQYfWyJIv4s3XkvDwy7Cu5s=";

    private static readonly AgentConfig Server = new()
    {
        Server = true, NodeName = "s1", Datacenter = "east", BindAddr = "10.0.0.5", AdvertiseAddr = "192.0.2.5",
        SerfLanPort = 7301, SerfWanPort = 7302, Encrypt = Key,
    };

    [Fact]
    public void The_wan_pool_of_a_server_binds_serf_wan_advertises_advertise_addr_wan_and_gossips_with_consuls_gossip_wan()
    {
        var config = Server with { SerfWanBindAddr = "10.0.0.6", AdvertiseAddrWan = "203.0.113.5" };
        var settings = GossipPool.Settings(GossipArea.Wan, config, ConsulMemberTags.ForWan(config, "id"), null);

        Assert.Equal(GossipArea.Wan, settings.Area);
        Assert.Equal("s1.east", settings.NodeName);
        Assert.Equal("10.0.0.6:7302", settings.Bind.ToString());
        Assert.Equal("203.0.113.5:7302", settings.Advertise!.ToString());
        // Consul's gossip_wan: {gossip_nodes 4, gossip_interval 500ms, probe_interval 5s, probe_timeout 3s, retransmit_mult 4, suspicion_mult 6}.
        Assert.Equal(4, settings.Gossip.GossipNodes);
        Assert.Equal(TimeSpan.FromMilliseconds(500), settings.Gossip.GossipInterval);
        Assert.Equal(TimeSpan.FromSeconds(5), settings.Gossip.ProbeInterval);
        Assert.Equal(TimeSpan.FromSeconds(3), settings.Gossip.ProbeTimeout);
        Assert.Equal(4, settings.Gossip.RetransmitMult);
        Assert.Equal(6, settings.Gossip.SuspicionMult);
        Assert.NotNull(settings.Keyring);
        Assert.Equal(Convert.FromBase64String(Key), settings.Keyring!.PrimaryKey.ToArray());
        Assert.False(settings.Tags.ContainsKey("wan_join_port"));
        Assert.Equal("consul", settings.Tags["role"]);
    }

    [Fact]
    public void Without_wan_addresses_the_wan_pool_uses_bind_addr_and_the_advertise_address_and_the_lan_keeps_its_own()
    {
        var wan = GossipPool.Settings(GossipArea.Wan, Server, ConsulMemberTags.ForWan(Server, "id"), null);
        Assert.Equal("10.0.0.5:7302", wan.Bind.ToString());
        Assert.Equal("192.0.2.5:7302", wan.Advertise!.ToString());

        var lan = GossipPool.Settings(GossipArea.Lan, Server with { AdvertiseAddrWan = "203.0.113.5", SerfWanBindAddr = "10.0.0.6" }, ConsulMemberTags.For(Server, "id"), null);
        Assert.Equal(GossipArea.Lan, lan.Area);
        Assert.Equal("s1", lan.NodeName);
        Assert.Equal("10.0.0.5:7301", lan.Bind.ToString());
        Assert.Equal("192.0.2.5:7301", lan.Advertise!.ToString());
        Assert.Equal(TimeSpan.FromSeconds(1), lan.Gossip.ProbeInterval);
        Assert.Equal("7302", lan.Tags["wan_join_port"]);
    }

    [Fact]
    public void Dev_mode_speeds_up_the_wan_pool_as_the_lan_one()
    {
        var dev = Server with { DevMode = true };
        var wan = GossipPool.Settings(GossipArea.Wan, dev, ConsulMemberTags.ForWan(dev, "id"), null);
        var lan = GossipPool.Settings(GossipArea.Lan, dev, ConsulMemberTags.For(dev, "id"), null);
        Assert.Equal(lan.Gossip.ProbeInterval, wan.Gossip.ProbeInterval);
        Assert.Equal(lan.Gossip.ProbeTimeout, wan.Gossip.ProbeTimeout);
        Assert.Equal(lan.Gossip.GossipInterval, wan.Gossip.GossipInterval);
        Assert.Equal(lan.Gossip.SuspicionMult, wan.Gossip.SuspicionMult);
        Assert.Equal(TimeSpan.FromMilliseconds(200), wan.Gossip.ProbeInterval);
    }

    [Fact]
    public async Task A_dev_agent_runs_both_pools_on_free_ports_and_tells_the_lan_its_wan_port()
    {
        await using var agent = Agent.Start(new AgentConfig
        {
            DevMode = true, Server = true, NodeName = "both", BindAddr = "127.0.0.1", HttpPort = -1, DnsPort = -1, SerfLanPort = 0, SerfWanPort = 0,
        });
        await agent.Ready.WaitAsync(TimeSpan.FromSeconds(30));

        var lan = agent.Lan!;
        var wan = agent.Wan!;
        Assert.Equal(GossipArea.Lan, lan.Area);
        Assert.Equal(GossipArea.Wan, wan.Area);
        Assert.NotEqual(0, wan.Pool.AdvertiseEndpoint.Port);
        Assert.NotEqual(lan.Pool.AdvertiseEndpoint.Port, wan.Pool.AdvertiseEndpoint.Port);
        Assert.Equal(wan.Pool.AdvertiseEndpoint.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), lan.LocalMember()!.Tags["wan_join_port"]);
        var self = Assert.Single(agent.Members(wan: true));
        Assert.Equal("both.dc1", self.Name);
        Assert.Equal(wan.Pool.AdvertiseEndpoint.Port, self.Port);
        Assert.Equal((int)MemberStatus.Alive, self.Status);
        Assert.Equal("both", Assert.Single(agent.Members()).Name);
        Assert.Equal(["dc1"], agent.Catalog.Datacenters());
    }

    [Fact]
    public async Task Two_dev_agents_join_over_the_wan_and_a_graceful_leave_leaves_the_wan_too()
    {
        await using var east = Agent.Start(DevWan("e1", "east"));
        await using var west = Agent.Start(DevWan("w1", "west"));
        await Task.WhenAll(east.Ready, west.Ready).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(1, await west.JoinWanAsync([$"127.0.0.1:{east.Wan!.Pool.AdvertiseEndpoint.Port}"]));
        await WaitUntilAsync(() => Status(east, "w1.west") == MemberStatus.Alive && Status(west, "e1.east") == MemberStatus.Alive);
        Assert.Equal(["east", "west"], east.Catalog.Datacenters());
        Assert.Equal(["west", "east"], west.Catalog.Datacenters());

        await west.LeaveAsync();
        await WaitUntilAsync(() => Status(east, "w1.west") == MemberStatus.Left);
        Assert.Equal(["east"], east.Catalog.Datacenters());
        Assert.True(west.ShutdownRequested.IsCompletedSuccessfully);
    }

    private static AgentConfig DevWan(string node, string datacenter) => new()
    {
        DevMode = true, Server = true, NodeName = node, Datacenter = datacenter, BindAddr = "127.0.0.1",
        HttpPort = -1, DnsPort = -1, SerfLanPort = AgentConfig.PortDisabled, SerfWanPort = 0,
    };

    private static MemberStatus? Status(Agent agent, string name) =>
        agent.Members(wan: true).FirstOrDefault(m => m.Name == name) is { } member ? (MemberStatus)member.Status : null;

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the condition did not come true in time");
            await Task.Delay(20);
        }
    }
}
