using MessagePack;

namespace Praetor.State.Sessions;

/// <summary>
/// The msgpack encoding of a <see cref="Session"/>, shared by log commands, state snapshots and the
/// agent's RPC: <c>[id, name, node, lock-delay ticks, behavior, ttl, [node checks], [service checks],
/// create-index, modify-index]</c>. A record of the wrong shape or with a bad value raises
/// <see cref="InvalidDataException"/>; the msgpack reader's own errors pass through.
/// </summary>
public static class SessionCodec
{
    private const int Fields = 10;

    public static void Write(ref MessagePackWriter writer, Session session)
    {
        writer.WriteArrayHeader(Fields);
        writer.Write(session.Id);
        writer.Write(session.Name);
        writer.Write(session.Node);
        writer.Write(session.LockDelay.Ticks);
        writer.Write(session.Behavior);
        writer.Write(session.Ttl);
        WriteList(ref writer, session.NodeChecks);
        WriteList(ref writer, session.ServiceChecks);
        writer.Write(session.CreateIndex);
        writer.Write(session.ModifyIndex);
    }

    public static Session Read(ref MessagePackReader reader)
    {
        if (reader.ReadArrayHeader() != Fields)
        {
            throw new InvalidDataException("session record is malformed");
        }
        var id = String(ref reader, "ID");
        var name = String(ref reader, "name");
        var node = String(ref reader, "node");
        var lockDelay = reader.ReadInt64();
        if (lockDelay < 0)
        {
            throw new InvalidDataException($"session {id} has a negative lock-delay");
        }
        var behavior = String(ref reader, "behavior");
        if (behavior is not (SessionBehavior.Release or SessionBehavior.Delete))
        {
            throw new InvalidDataException($"session {id} has an unknown behavior \"{behavior}\"");
        }
        return new Session
        {
            Id = id,
            Name = name,
            Node = node,
            LockDelay = TimeSpan.FromTicks(lockDelay),
            Behavior = behavior,
            Ttl = String(ref reader, "TTL"),
            NodeChecks = ReadList(ref reader),
            ServiceChecks = ReadList(ref reader),
            CreateIndex = reader.ReadUInt64(),
            ModifyIndex = reader.ReadUInt64(),
        };
    }

    private static string String(ref MessagePackReader reader, string what) =>
        reader.ReadString() ?? throw new InvalidDataException($"session {what} is nil");

    private static void WriteList(ref MessagePackWriter writer, IReadOnlyList<string> items)
    {
        writer.WriteArrayHeader(items.Count);
        foreach (var item in items)
        {
            writer.Write(item);
        }
    }

    private static string[] ReadList(ref MessagePackReader reader)
    {
        var items = new string[reader.ReadArrayHeader()];
        for (var i = 0; i < items.Length; i++)
        {
            items[i] = String(ref reader, "check ID");
        }
        return items;
    }
}
