using Praetor.Agent.Gossip;

namespace Praetor.Agent.Tests.Gossip;

/// <summary>The pools' snapshot settings: Consul's paths under data_dir, none in -dev, and rejoin_after_leave.</summary>
public sealed class GossipPoolSnapshotSettingsTests
{
    private static readonly Dictionary<string, string> NoTags = [];

    [Fact]
    public void An_agent_with_a_data_dir_keeps_the_snapshots_at_serf_local_and_remote_snapshot()
    {
        var config = new AgentConfig { DataDir = "/var/lib/praetor", NodeName = "n1", RejoinAfterLeave = true };

        var settings = GossipPool.Settings(GossipArea.Lan, config, NoTags, logs: null);

        Assert.Equal(Path.Combine("/var/lib/praetor", "serf", "local.snapshot"), settings.SnapshotPath);
        Assert.True(settings.RejoinAfterLeave);
        Assert.Equal(Path.Combine("/var/lib/praetor", "serf", "remote.snapshot"), GossipPool.Settings(GossipArea.Wan, config, NoTags, logs: null).SnapshotPath);
    }

    [Fact]
    public void A_dev_agent_keeps_no_snapshot_even_with_a_data_dir()
    {
        var config = new AgentConfig { DevMode = true, DataDir = "/tmp/dev", NodeName = "n1", BindAddr = "127.0.0.1" };

        var settings = GossipPool.Settings(GossipArea.Lan, config, NoTags, logs: null);

        Assert.Null(settings.SnapshotPath);
        Assert.False(settings.RejoinAfterLeave);
    }
}
