using System.Buffers;
using MessagePack;
using Praetor.State.Kv;

namespace Praetor.State;

/// <summary>
/// Writes and reads the whole state store as one msgpack document:
/// <c>["praetor-state", version, index, kv-index, [entries], [tombstones]]</c>.
/// Raft snapshots and `praetor snapshot save` use it. The document is built in memory, which
/// bounds the store by memory anyway (the store itself is in memory).
/// </summary>
public static class SnapshotCodec
{
    private const string Magic = "praetor-state";
    private const int Version = 1;

    public static void Write(StateSnapshot snapshot, Stream destination)
    {
        var buffer = new ArrayBufferWriter<byte>(64 * 1024);
        var writer = new MessagePackWriter(buffer);
        writer.WriteArrayHeader(6);
        writer.Write(Magic);
        writer.Write(Version);
        writer.Write(snapshot.Index);
        writer.Write(snapshot.Kv.Index);
        writer.WriteArrayHeader(snapshot.Kv.Count);
        foreach (var e in snapshot.Kv.Entries)
        {
            writer.WriteArrayHeader(7);
            writer.Write(e.Key);
            if (e.Value is null)
            {
                writer.WriteNil();
            }
            else
            {
                writer.Write(e.Value);
            }
            writer.Write(e.Flags);
            writer.Write(e.CreateIndex);
            writer.Write(e.ModifyIndex);
            writer.Write(e.LockIndex);
            writer.Write(e.Session);
        }
        writer.WriteArrayHeader(snapshot.Kv.Tombstones.Count);
        foreach (var t in snapshot.Kv.Tombstones)
        {
            writer.WriteArrayHeader(2);
            writer.Write(t.Key);
            writer.Write(t.Index);
        }
        writer.Flush();
        destination.Write(buffer.WrittenSpan);
    }

    /// <summary>Reads a snapshot; anything malformed raises <see cref="InvalidDataException"/> and nothing is applied.</summary>
    public static StateSnapshot Read(Stream source)
    {
        using var copy = new MemoryStream();
        source.CopyTo(copy);
        try
        {
            var reader = new MessagePackReader(copy.GetBuffer().AsMemory(0, (int)copy.Length));
            if (reader.ReadArrayHeader() != 6 || reader.ReadString() != Magic)
            {
                throw new InvalidDataException("not a Praetor state snapshot");
            }
            var version = reader.ReadInt32();
            if (version != Version)
            {
                throw new InvalidDataException($"unsupported snapshot version {version}");
            }
            var index = reader.ReadUInt64();
            var kvIndex = reader.ReadUInt64();
            var entries = new KvEntry[reader.ReadArrayHeader()];
            // A key twice would break the table's sorted, unique-key invariant.
            var keys = new HashSet<string>(StringComparer.Ordinal);
            for (var i = 0; i < entries.Length; i++)
            {
                if (reader.ReadArrayHeader() != 7)
                {
                    throw new InvalidDataException($"snapshot KV entry {i} is malformed");
                }
                var key = reader.ReadString() ?? throw new InvalidDataException($"snapshot KV entry {i} has no key");
                if (!keys.Add(key))
                {
                    throw new InvalidDataException($"snapshot KV key \"{key}\" appears twice");
                }
                var value = reader.TryReadNil() ? null : reader.ReadBytes()?.ToArray();
                entries[i] = new KvEntry(key, value, reader.ReadUInt64(), reader.ReadUInt64(), reader.ReadUInt64(), reader.ReadUInt64(), reader.ReadString());
            }
            var tombstones = new KvTombstone[reader.ReadArrayHeader()];
            keys.Clear();
            for (var i = 0; i < tombstones.Length; i++)
            {
                if (reader.ReadArrayHeader() != 2)
                {
                    throw new InvalidDataException($"snapshot tombstone {i} is malformed");
                }
                var key = reader.ReadString() ?? throw new InvalidDataException($"snapshot tombstone {i} has no key");
                if (!keys.Add(key))
                {
                    throw new InvalidDataException($"snapshot tombstone \"{key}\" appears twice");
                }
                tombstones[i] = new KvTombstone(key, reader.ReadUInt64());
            }
            if (!reader.End)
            {
                throw new InvalidDataException("snapshot has trailing bytes");
            }
            return new StateSnapshot(index, KvTable.Restore(entries, tombstones, kvIndex));
        }
        // MessagePack reports a str/bin length above int.MaxValue as ArgumentOutOfRangeException.
        catch (Exception ex) when (ex is MessagePackSerializationException or EndOfStreamException or OverflowException or ArgumentOutOfRangeException)
        {
            throw new InvalidDataException($"malformed snapshot: {ex.Message}", ex);
        }
    }
}
