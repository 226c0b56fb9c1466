namespace Praetor.Gossip.Memberlist.Wire;

/// <summary>
/// CRC-32 with the IEEE polynomial (Go's <c>crc32.ChecksumIEEE</c>), for memberlist's hasCrc
/// wrapper. Hand-written (a table and a loop) because System.IO.Hashing is not among the pinned
/// packages; <c>System.IO.Hashing.Crc32.HashToUInt32</c> computes the same value and can replace it.
/// </summary>
internal static class Crc32Ieee
{
    private static readonly uint[] Table = BuildTable();

    public static uint Compute(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data) crc = Table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        return ~crc;
    }

    private static uint[] BuildTable()
    {
        var table = new uint[256];
        for (uint i = 0; i < 256; i++)
        {
            var c = i;
            for (var k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            table[i] = c;
        }
        return table;
    }
}
