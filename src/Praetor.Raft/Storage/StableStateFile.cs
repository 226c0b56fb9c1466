using System.Buffers.Binary;
using Praetor.Raft.Core;

namespace Praetor.Raft.Storage;

/// <summary>
/// The hard state (term, vote, commit) in a file of its own, replaced atomically: written to a
/// temporary file, fsynced, renamed over the old one, and the directory fsynced. Layout: the
/// magic "PRHS", format version 1, term, vote, commit (little-endian u64s), then the CRC-32C of
/// everything before it.
/// </summary>
internal static class StableStateFile
{
    private const int Size = 4 + 1 + 24 + 4;
    private const byte Version = 1;
    private static ReadOnlySpan<byte> Magic => "PRHS"u8;

    /// <summary>The hard state in <paramref name="path"/>, zero when there is no file yet; a <see cref="RaftStorageException"/> when it is damaged.</summary>
    public static HardState Read(string path)
    {
        if (!File.Exists(path)) return default;
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length != Size) throw new RaftStorageException(path, $"the stable state is {bytes.Length} bytes, expected {Size}");
        if (!bytes.AsSpan(0, 4).SequenceEqual(Magic)) throw new RaftStorageException(path, "not a stable-state file (bad magic at offset 0)");
        if (bytes[4] != Version) throw new RaftStorageException(path, $"unknown stable-state version {bytes[4]} at offset 4");
        var stored = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(Size - 4));
        if (Crc32C.Compute(bytes.AsSpan(0, Size - 4)) != stored) throw new RaftStorageException(path, $"bad checksum at offset {Size - 4}");
        return new HardState(
            BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(5)),
            BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(13)),
            BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(21)));
    }

    /// <summary>Replaces <paramref name="path"/> with <paramref name="state"/>, durably unless <paramref name="fsync"/> is false.</summary>
    public static void Write(string path, HardState state, bool fsync)
    {
        var bytes = new byte[Size];
        Magic.CopyTo(bytes);
        bytes[4] = Version;
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(5), state.Term);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(13), state.Vote);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(21), state.Commit);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(Size - 4), Crc32C.Compute(bytes.AsSpan(0, Size - 4)));
        DurableFile.WriteAtomically(path, bytes, fsync);
    }
}
