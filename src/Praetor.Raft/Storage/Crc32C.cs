using System.Buffers.Binary;
using System.Numerics;

namespace Praetor.Raft.Storage;

/// <summary>CRC-32C (Castagnoli), the checksum of every record and file of <see cref="FileRaftStorage"/>; <see cref="BitOperations.Crc32C(uint, ulong)"/> uses the CPU's instruction where there is one.</summary>
internal static class Crc32C
{
    /// <summary>The checksum of <paramref name="data"/> (initial value and final XOR all ones, as iSCSI and ext4 use it).</summary>
    public static uint Compute(ReadOnlySpan<byte> data) => ~Append(uint.MaxValue, data);

    /// <summary>The checksum of <paramref name="first"/> followed by <paramref name="second"/>.</summary>
    public static uint Compute(ReadOnlySpan<byte> first, ReadOnlySpan<byte> second) => ~Append(Append(uint.MaxValue, first), second);

    private static uint Append(uint crc, ReadOnlySpan<byte> data)
    {
        while (data.Length >= 8)
        {
            crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(data));
            data = data[8..];
        }
        foreach (var b in data) crc = BitOperations.Crc32C(crc, b);
        return crc;
    }
}
