using System.Buffers;
using MessagePack;

namespace Praetor.State.Kv;

/// <summary>
/// The msgpack encoding of a <see cref="KvEntry"/>, shared by state snapshots and the agent's
/// RPC: <c>[key, value or nil, flags, create-index, modify-index, lock-index, session or nil]</c>.
/// </summary>
public static class KvCodec
{
    private const int Fields = 7;

    public static void WriteEntry(ref MessagePackWriter writer, KvEntry entry)
    {
        writer.WriteArrayHeader(Fields);
        writer.Write(entry.Key);
        if (entry.Value is null)
        {
            writer.WriteNil();
        }
        else
        {
            writer.Write(entry.Value);
        }
        writer.Write(entry.Flags);
        writer.Write(entry.CreateIndex);
        writer.Write(entry.ModifyIndex);
        writer.Write(entry.LockIndex);
        writer.Write(entry.Session);
    }

    /// <summary>Reads one entry; a record of the wrong shape raises <see cref="InvalidDataException"/> (the msgpack reader's own errors pass through).</summary>
    public static KvEntry ReadEntry(ref MessagePackReader reader)
    {
        if (reader.ReadArrayHeader() != Fields)
        {
            throw new InvalidDataException("KV entry record is malformed");
        }
        var key = reader.ReadString() ?? throw new InvalidDataException("KV entry has no key");
        var value = reader.TryReadNil() ? null : reader.ReadBytes()?.ToArray();
        return new KvEntry(key, value, reader.ReadUInt64(), reader.ReadUInt64(), reader.ReadUInt64(), reader.ReadUInt64(), reader.ReadString());
    }
}
