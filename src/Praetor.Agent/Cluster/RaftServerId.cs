using System.Buffers.Binary;

namespace Praetor.Agent.Cluster;

/// <summary>
/// A server's id in the Raft core (a non-zero 64-bit number) derived from its node ID (a UUID,
/// which Consul uses as the Raft server ID): the XOR of the UUID's two halves. Every server
/// computes the same id for a node from the <c>id</c> tag it gossips, so no id is ever handed out.
/// </summary>
public static class RaftServerId
{
    /// <summary>The Raft id of the node <paramref name="nodeId"/>; false when it is not a UUID.</summary>
    public static bool TryFrom(string nodeId, out ulong id)
    {
        id = 0;
        if (!Guid.TryParseExact(nodeId, "D", out var guid))
        {
            return false;
        }
        Span<byte> bytes = stackalloc byte[16];
        guid.TryWriteBytes(bytes, bigEndian: true, out _);
        id = BinaryPrimitives.ReadUInt64BigEndian(bytes) ^ BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]);
        if (id == 0)
        {
            // 0 means "nobody" to the core; a UUID whose halves are equal maps to 1.
            id = 1;
        }
        return true;
    }

    /// <summary>The Raft id of the node <paramref name="nodeId"/>; <see cref="ArgumentException"/> when it is not a UUID.</summary>
    public static ulong From(string nodeId) =>
        TryFrom(nodeId, out var id) ? id : throw new ArgumentException($"node ID '{nodeId}' is not a UUID", nameof(nodeId));
}
