namespace Praetor.Gossip.Memberlist.Wire;

/// <summary>The codec's size limits, each with its unit and reason.</summary>
public static class WireLimits
{
    /// <summary>A TCP stream message (push/pull state, user message) at most 20 MiB — memberlist's maxPushStateBytes.</summary>
    public const int StreamBytesMax = 20 * 1024 * 1024;

    /// <summary>
    /// A decompressed UDP payload at most 1 MiB: a packet is at most 64 KiB, and nothing
    /// memberlist sends expands to more, so anything larger is a decompression bomb.
    /// </summary>
    public const int PacketDecompressedBytesMax = 1024 * 1024;

    /// <summary>
    /// Compound and compress wrappers nest at most 4 deep in a packet. memberlist sends at most
    /// compress(compound(messages)); Go recurses without a bound, we stop hostile nesting.
    /// </summary>
    public const int PacketNestingDepthMax = 4;

    /// <summary>A compound message holds at most 255 parts (its count is one byte).</summary>
    public const int CompoundPartsMax = 255;

    /// <summary>A compound part is at most 65535 bytes (its length is a uint16).</summary>
    public const int CompoundPartBytesMax = ushort.MaxValue;
}
