using System.Buffers.Binary;
using System.Collections.Immutable;
using System.Globalization;
using Praetor.Raft.Core;

namespace Praetor.Raft.Storage;

/// <summary>
/// Snapshots on disk: one directory <c>&lt;term&gt;-&lt;index&gt;</c> per snapshot holding
/// <c>data</c> (the state machine's bytes) and <c>meta</c>: the magic "PRSN", version 1, index,
/// term, the voters and non-voters (a u32 count, then u64 ids each), the data's length and
/// CRC-32C, then the CRC-32C of the meta before it (little-endian throughout). A snapshot is
/// written into <c>&lt;name&gt;.tmp</c>, fsynced, and renamed into place, so a directory without
/// the suffix is complete; a left-over <c>.tmp</c> is an interrupted write and is removed.
/// </summary>
internal static class SnapshotFiles
{
    private const byte Version = 1;
    private const string TemporarySuffix = ".tmp";
    private static ReadOnlySpan<byte> Magic => "PRSN"u8;

    /// <summary>The directory name of the snapshot at <paramref name="index"/> of <paramref name="term"/>.</summary>
    public static string Name(ulong term, ulong index) => string.Create(CultureInfo.InvariantCulture, $"{term}-{index}");

    /// <summary>The complete snapshots in <paramref name="directory"/>, oldest first, after removing interrupted writes (each reported to <paramref name="warn"/>).</summary>
    public static List<(ulong Index, string Path)> List(string directory, Action<string> warn)
    {
        var result = new List<(ulong Index, string Path)>();
        foreach (var path in Directory.GetDirectories(directory))
        {
            var name = System.IO.Path.GetFileName(path);
            if (name.EndsWith(TemporarySuffix, StringComparison.Ordinal))
            {
                Directory.Delete(path, recursive: true);
                warn($"{path}: removed an interrupted snapshot write");
                continue;
            }
            var dash = name.IndexOf('-', StringComparison.Ordinal);
            if (dash < 0
                || !ulong.TryParse(name.AsSpan(0, dash), NumberStyles.None, CultureInfo.InvariantCulture, out _)
                || !ulong.TryParse(name.AsSpan(dash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var index))
            {
                throw new RaftStorageException(path, "not a snapshot directory (expected <term>-<index>)");
            }
            result.Add((index, path));
        }
        result.Sort((a, b) => a.Index.CompareTo(b.Index));
        return result;
    }

    /// <summary>Writes <paramref name="snapshot"/> into <paramref name="directory"/> atomically; returns its path.</summary>
    public static string Write(string directory, RaftSnapshot snapshot, bool fsync)
    {
        var metadata = snapshot.Metadata;
        var final = System.IO.Path.Combine(directory, Name(metadata.Term, metadata.Index));
        // The same index and term is the same committed state: the complete copy on disk stands.
        if (Directory.Exists(final)) return final;
        var temporary = final + TemporarySuffix;
        if (Directory.Exists(temporary)) Directory.Delete(temporary, recursive: true);
        Directory.CreateDirectory(temporary);
        DurableFile.Write(System.IO.Path.Combine(temporary, "data"), snapshot.Data, fsync);
        DurableFile.Write(System.IO.Path.Combine(temporary, "meta"), EncodeMeta(snapshot), fsync);
        if (fsync) DirectorySync.Flush(temporary);
        Directory.Move(temporary, final);
        if (fsync) DirectorySync.Flush(directory);
        return final;
    }

    /// <summary>Reads and checks the snapshot in <paramref name="path"/>; a <see cref="RaftStorageException"/> names the damaged file and offset.</summary>
    public static RaftSnapshot Read(string path)
    {
        var metaPath = System.IO.Path.Combine(path, "meta");
        var dataPath = System.IO.Path.Combine(path, "data");
        if (!File.Exists(metaPath)) throw new RaftStorageException(metaPath, "the snapshot has no meta file");
        if (!File.Exists(dataPath)) throw new RaftStorageException(dataPath, "the snapshot has no data file");
        var meta = File.ReadAllBytes(metaPath);
        var reader = new MetaReader(metaPath, meta);
        if (meta.Length < 9 || !meta.AsSpan(0, 4).SequenceEqual(Magic)) throw new RaftStorageException(metaPath, "not a snapshot meta file (bad magic at offset 0)");
        var stored = BinaryPrimitives.ReadUInt32LittleEndian(meta.AsSpan(meta.Length - 4));
        if (Crc32C.Compute(meta.AsSpan(0, meta.Length - 4)) != stored) throw new RaftStorageException(metaPath, $"bad checksum at offset {meta.Length - 4}");
        if (meta[4] != Version) throw new RaftStorageException(metaPath, $"unknown snapshot version {meta[4]} at offset 4");
        reader.Offset = 5;
        var index = reader.U64();
        var term = reader.U64();
        var voters = reader.Ids();
        var nonVoters = reader.Ids();
        var dataLength = reader.U64();
        var dataCrc = reader.U32();
        var data = File.ReadAllBytes(dataPath);
        if ((ulong)data.Length != dataLength) throw new RaftStorageException(dataPath, $"the data is {data.Length} bytes, the meta says {dataLength} (truncated at offset {data.Length})");
        if (Crc32C.Compute(data) != dataCrc) throw new RaftStorageException(dataPath, $"bad checksum of the {data.Length} bytes from offset 0");
        return new RaftSnapshot(new SnapshotMetadata(index, term, new Configuration(voters, nonVoters)), data);
    }

    private static byte[] EncodeMeta(RaftSnapshot snapshot)
    {
        var configuration = snapshot.Metadata.Configuration;
        var buffer = new byte[5 + 16 + 8 + (8 * (configuration.Voters.Count + configuration.NonVoters.Count)) + 12 + 4];
        Magic.CopyTo(buffer);
        buffer[4] = Version;
        var offset = 5;
        void U64(ulong value) { BinaryPrimitives.WriteUInt64LittleEndian(buffer.AsSpan(offset), value); offset += 8; }
        void U32(uint value) { BinaryPrimitives.WriteUInt32LittleEndian(buffer.AsSpan(offset), value); offset += 4; }
        U64(snapshot.Metadata.Index);
        U64(snapshot.Metadata.Term);
        U32((uint)configuration.Voters.Count);
        foreach (var id in configuration.Voters) U64(id);
        U32((uint)configuration.NonVoters.Count);
        foreach (var id in configuration.NonVoters) U64(id);
        U64((ulong)snapshot.Data.Length);
        U32(Crc32C.Compute(snapshot.Data));
        U32(Crc32C.Compute(buffer.AsSpan(0, offset)));
        return buffer;
    }

    /// <summary>Reads the fields of a meta file whose checksum matched, still checking every length against the bytes there are.</summary>
    private sealed class MetaReader(string path, byte[] bytes)
    {
        public int Offset { get; set; }

        public ulong U64() => BinaryPrimitives.ReadUInt64LittleEndian(Take(8));

        public uint U32() => BinaryPrimitives.ReadUInt32LittleEndian(Take(4));

        public ImmutableSortedSet<ulong> Ids()
        {
            var count = U32();
            if (count > (uint)(bytes.Length - Offset) / 8) throw new RaftStorageException(path, $"a server count of {count} at offset {Offset - 4} runs past the end");
            var ids = ImmutableSortedSet.CreateBuilder<ulong>();
            for (var i = 0; i < count; i++) ids.Add(U64());
            return ids.ToImmutable();
        }

        private ReadOnlySpan<byte> Take(int count)
        {
            if (Offset + count > bytes.Length - 4) throw new RaftStorageException(path, $"truncated at offset {Offset}");
            var span = bytes.AsSpan(Offset, count);
            Offset += count;
            return span;
        }
    }
}
