using System.Text.Json;

namespace Praetor.Agent.Config;

/// <summary>Reads <c>gossip_lan</c> or <c>gossip_wan</c> onto the settings so far, key by key.</summary>
internal static class GossipSettingsReader
{
    public static GossipSettings Apply(ConfigValueReader reader, JsonElement value, string path, GossipSettings gossip)
    {
        if (!reader.TryObject(value, path))
        {
            return gossip;
        }

        foreach (var (key, item, keyPath) in ConfigValueReader.SetMembers(value, path))
        {
            TimeSpan duration;
            int count;
            gossip = key.ToLowerInvariant() switch
            {
                "gossip_nodes" => reader.TryInt(item, keyPath, 0, int.MaxValue, "0 or more", out count) ? gossip with { GossipNodes = count } : gossip,
                "gossip_interval" => reader.TryDuration(item, keyPath, out duration) ? gossip with { GossipInterval = duration } : gossip,
                "probe_interval" => reader.TryDuration(item, keyPath, out duration) ? gossip with { ProbeInterval = duration } : gossip,
                "probe_timeout" => reader.TryDuration(item, keyPath, out duration) ? gossip with { ProbeTimeout = duration } : gossip,
                "retransmit_mult" => reader.TryInt(item, keyPath, 1, int.MaxValue, "1 or more", out count) ? gossip with { RetransmitMult = count } : gossip,
                "suspicion_mult" => reader.TryInt(item, keyPath, 1, int.MaxValue, "1 or more", out count) ? gossip with { SuspicionMult = count } : gossip,
                _ => Unknown(reader, keyPath, gossip),
            };
        }
        return gossip;
    }

    private static GossipSettings Unknown(ConfigValueReader reader, string path, GossipSettings gossip)
    {
        reader.UnknownKey(path);
        return gossip;
    }
}
