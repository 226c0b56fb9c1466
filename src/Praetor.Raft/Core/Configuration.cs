using System.Buffers.Binary;
using System.Collections.Immutable;

namespace Praetor.Raft.Core;

/// <summary>
/// The cluster's membership: the voters, whose majority is the quorum, and the non-voters
/// (learners), which receive the log to catch up but neither vote nor count toward commit.
/// A server is in at most one of the two sets.
/// </summary>
public sealed record Configuration(ImmutableSortedSet<ulong> Voters, ImmutableSortedSet<ulong> NonVoters)
{
    /// <summary>A configuration of voters only.</summary>
    public static Configuration Of(params ulong[] voters) => new([.. voters], []);

    /// <summary>Votes needed for a majority of the voters.</summary>
    public int Quorum => (Voters.Count / 2) + 1;

    /// <summary>Whether <paramref name="id"/> is a voter or a non-voter.</summary>
    public bool Contains(ulong id) => Voters.Contains(id) || NonVoters.Contains(id);

    /// <summary>
    /// This configuration with <paramref name="change"/> applied. Adding a voter that is a
    /// non-voter promotes it; adding a non-voter that is a voter is refused (demotion is a
    /// removal and an addition); removing an absent server is refused.
    /// </summary>
    public bool TryApply(ConfigChange change, out Configuration result, out string problem)
    {
        result = this;
        problem = "";
        switch (change.Type)
        {
            case ConfigChangeType.AddVoter:
                if (Voters.Contains(change.NodeId)) { problem = $"server {change.NodeId} is already a voter"; return false; }
                result = new Configuration(Voters.Add(change.NodeId), NonVoters.Remove(change.NodeId));
                return true;
            case ConfigChangeType.AddNonVoter:
                if (Contains(change.NodeId)) { problem = $"server {change.NodeId} is already a member"; return false; }
                result = this with { NonVoters = NonVoters.Add(change.NodeId) };
                return true;
            case ConfigChangeType.RemoveServer:
                if (!Contains(change.NodeId)) { problem = $"server {change.NodeId} is not a member"; return false; }
                if (Voters.Count == 1 && Voters.Contains(change.NodeId)) { problem = "cannot remove the last voter"; return false; }
                result = new Configuration(Voters.Remove(change.NodeId), NonVoters.Remove(change.NodeId));
                return true;
            default:
                problem = $"unknown config change type {(byte)change.Type}";
                return false;
        }
    }

    /// <inheritdoc/>
    public override string ToString() => $"voters [{string.Join(",", Voters)}] non-voters [{string.Join(",", NonVoters)}]";
}

/// <summary>What a single-server membership change does. Part of the log format: never renumber, only append.</summary>
public enum ConfigChangeType : byte
{
    /// <summary>Add a voter, or promote a non-voter to voter.</summary>
    AddVoter = 1,

    /// <summary>Add a non-voter (it catches up on the log before a promotion).</summary>
    AddNonVoter = 2,

    /// <summary>Remove a voter or non-voter.</summary>
    RemoveServer = 3,
}

/// <summary>
/// One single-server membership change (Raft thesis §4.1), the command of a
/// <see cref="LogEntryType.ConfigChange"/> entry. <see cref="Context"/> is opaque to the core
/// (the host puts the server's address there).
/// </summary>
public sealed record ConfigChange(ConfigChangeType Type, ulong NodeId, byte[] Context)
{
    /// <summary>Encoded size before the context: type (1 byte), node id (8), context length (4).</summary>
    private const int HeaderBytes = 13;

    /// <summary>1 KiB: the most context bytes a change carries (an address fits many times over).</summary>
    public const int ContextBytesMax = 1024;

    /// <summary>The entry command: type, node id (big-endian), context length (big-endian), context.</summary>
    public byte[] Encode()
    {
        var buffer = new byte[HeaderBytes + Context.Length];
        buffer[0] = (byte)Type;
        BinaryPrimitives.WriteUInt64BigEndian(buffer.AsSpan(1), NodeId);
        BinaryPrimitives.WriteInt32BigEndian(buffer.AsSpan(9), Context.Length);
        Context.CopyTo(buffer.AsSpan(HeaderBytes));
        return buffer;
    }

    /// <summary>Decodes a command written by <see cref="Encode"/>; false with a reason when it is malformed.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> source, out ConfigChange change, out string problem)
    {
        change = new ConfigChange(ConfigChangeType.AddVoter, 0, []);
        if (source.Length < HeaderBytes) { problem = $"config change of {source.Length} bytes is shorter than its {HeaderBytes}-byte header"; return false; }
        var type = (ConfigChangeType)source[0];
        if (type is not (ConfigChangeType.AddVoter or ConfigChangeType.AddNonVoter or ConfigChangeType.RemoveServer)) { problem = $"unknown config change type {source[0]}"; return false; }
        var id = BinaryPrimitives.ReadUInt64BigEndian(source[1..]);
        if (id == 0) { problem = "config change names server 0"; return false; }
        var length = BinaryPrimitives.ReadInt32BigEndian(source[9..]);
        if (length < 0 || length > ContextBytesMax || length != source.Length - HeaderBytes) { problem = $"config change context length {length} does not match its {source.Length - HeaderBytes} bytes (max {ContextBytesMax})"; return false; }
        change = new ConfigChange(type, id, source[HeaderBytes..].ToArray());
        problem = "";
        return true;
    }
}
