using Praetor.Gossip;

namespace Praetor.Agent.Gossip;

/// <summary>The pool an agent starts when its options name none.</summary>
public static class GossipPoolDefaults
{
    /// <summary>The real Serf pool over UDP and TCP (<see cref="SerfPool"/>).</summary>
    public static SerfPoolFactory Factory { get; } = async (settings, time, cancellationToken) =>
        await SerfPool.StartAsync(
            new SerfPoolConfig(settings.NodeName, settings.Bind)
            {
                Advertise = settings.Advertise,
                Tags = settings.Tags,
                GossipOptions = settings.Gossip,
                SerfOptions = settings.Serf,
                Keyring = settings.Keyring,
                KeyringFile = settings.KeyringFile,
                Logger = settings.Log,
                SnapshotPath = settings.SnapshotPath,
                RejoinAfterLeave = settings.RejoinAfterLeave,
                MeterFactory = settings.MeterFactory,
                // memberlist's default (EnableCompression), which Consul's and Serf's agents keep.
                Compress = true,
            },
            time,
            cancellationToken).ConfigureAwait(false);
}
