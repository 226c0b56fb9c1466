using System.Buffers;
using System.Collections.Immutable;
using MessagePack;
using Praetor.Raft.Core;

namespace Praetor.Raft.Transport;

/// <summary>
/// The wire encoding of <see cref="RaftMessage"/>s: a msgpack array
/// <c>[kind, version, from, to, term, fields...]</c> (<see cref="RaftMessageKind"/>). An entry is
/// <c>[term, index, type, command]</c>; a snapshot <c>[index, term, [voters...], [non-voters...], data]</c>.
/// Decoding checks everything — kind, version, field counts and types, ids, entry types, that the
/// configuration's sets are ascending and disjoint, counts against the bytes left, no trailing
/// bytes — and reports a malformed message as a value, never an exception.
/// </summary>
public static class RaftMessageCodec
{
    /// <summary>The version every message is written with.</summary>
    public const byte Version = 1;

    /// <summary>Fields every message starts with: kind, version, from, to, term.</summary>
    private const int CommonFields = 5;

    /// <summary>Fields of an entry: term, index, type, command.</summary>
    private const int EntryFields = 4;

    /// <summary>Fields of a snapshot: index, term, voters, non-voters, data.</summary>
    private const int SnapshotFields = 5;

    /// <summary>Encodes <paramref name="message"/> (no frame).</summary>
    /// <exception cref="ArgumentException">A message type the codec does not know (a programming error).</exception>
    public static byte[] Encode(RaftMessage message)
    {
        var buffer = new ArrayBufferWriter<byte>(message is AppendEntries or InstallSnapshot ? 1024 : 64);
        Encode(buffer, message);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Encodes <paramref name="message"/> (no frame) into <paramref name="destination"/>.</summary>
    /// <exception cref="ArgumentException">A message type the codec does not know (a programming error).</exception>
    public static void Encode(IBufferWriter<byte> destination, RaftMessage message)
    {
        var writer = new MessagePackWriter(destination);
        switch (message)
        {
            case AppendEntries append:
                WriteCommon(ref writer, RaftMessageKind.AppendEntries, 4, message);
                writer.Write(append.PrevLogIndex);
                writer.Write(append.PrevLogTerm);
                writer.WriteArrayHeader(append.Entries.Count);
                foreach (var entry in append.Entries)
                {
                    writer.WriteArrayHeader(EntryFields);
                    writer.Write(entry.Term);
                    writer.Write(entry.Index);
                    writer.Write((byte)entry.Type);
                    writer.Write(entry.Command);
                }
                writer.Write(append.LeaderCommit);
                break;
            case AppendResponse response:
                WriteCommon(ref writer, RaftMessageKind.AppendResponse, 4, message);
                writer.Write(response.Index);
                writer.Write(response.Reject);
                writer.Write(response.RejectHint);
                writer.Write(response.HintTerm);
                break;
            case RequestVote vote:
                WriteCommon(ref writer, RaftMessageKind.RequestVote, 3, message);
                writer.Write(vote.LastLogIndex);
                writer.Write(vote.LastLogTerm);
                writer.Write(vote.LeadershipTransfer);
                break;
            case RequestVoteResponse voteResponse:
                WriteCommon(ref writer, RaftMessageKind.RequestVoteResponse, 1, message);
                writer.Write(voteResponse.Granted);
                break;
            case PreVote preVote:
                WriteCommon(ref writer, RaftMessageKind.PreVote, 2, message);
                writer.Write(preVote.LastLogIndex);
                writer.Write(preVote.LastLogTerm);
                break;
            case PreVoteResponse preVoteResponse:
                WriteCommon(ref writer, RaftMessageKind.PreVoteResponse, 1, message);
                writer.Write(preVoteResponse.Granted);
                break;
            case Heartbeat heartbeat:
                WriteCommon(ref writer, RaftMessageKind.Heartbeat, 2, message);
                writer.Write(heartbeat.Commit);
                writer.Write(heartbeat.Sequence);
                break;
            case HeartbeatResponse heartbeatResponse:
                WriteCommon(ref writer, RaftMessageKind.HeartbeatResponse, 1, message);
                writer.Write(heartbeatResponse.Sequence);
                break;
            case InstallSnapshot install:
                WriteCommon(ref writer, RaftMessageKind.InstallSnapshot, 1, message);
                WriteSnapshot(ref writer, install.Snapshot);
                break;
            case InstallSnapshotResponse installResponse:
                WriteCommon(ref writer, RaftMessageKind.InstallSnapshotResponse, 1, message);
                writer.Write(installResponse.Index);
                break;
            case TimeoutNow:
                WriteCommon(ref writer, RaftMessageKind.TimeoutNow, 0, message);
                break;
            default:
                throw new ArgumentException($"no encoding for Raft message {message.GetType().Name}", nameof(message));
        }
        writer.Flush();
    }

    private static void WriteCommon(ref MessagePackWriter writer, RaftMessageKind kind, int fields, RaftMessage message)
    {
        writer.WriteArrayHeader(CommonFields + fields);
        writer.Write((byte)kind);
        writer.Write(Version);
        writer.Write(message.From);
        writer.Write(message.To);
        writer.Write(message.Term);
    }

    private static void WriteSnapshot(ref MessagePackWriter writer, RaftSnapshot snapshot)
    {
        writer.WriteArrayHeader(SnapshotFields);
        writer.Write(snapshot.Metadata.Index);
        writer.Write(snapshot.Metadata.Term);
        WriteIds(ref writer, snapshot.Metadata.Configuration.Voters);
        WriteIds(ref writer, snapshot.Metadata.Configuration.NonVoters);
        writer.Write(snapshot.Data);
    }

    private static void WriteIds(ref MessagePackWriter writer, ImmutableSortedSet<ulong> ids)
    {
        writer.WriteArrayHeader(ids.Count);
        foreach (var id in ids) writer.Write(id);
    }

    /// <summary>
    /// Decodes one message written by <see cref="Encode(RaftMessage)"/>; false with the reason
    /// when <paramref name="source"/> is anything else. Never throws.
    /// </summary>
    public static bool TryDecode(ReadOnlyMemory<byte> source, out RaftMessage? message, out string problem)
    {
        message = null;
        try
        {
            var reader = new MessagePackReader(source);
            if (reader.NextMessagePackType != MessagePackType.Array) return Fail("a Raft message is a msgpack array", out problem);
            var fields = reader.ReadArrayHeader();
            if (fields < CommonFields) return Fail($"a Raft message has at least {CommonFields} fields, not {fields}", out problem);
            var kind = (RaftMessageKind)reader.ReadByte();
            var version = reader.ReadByte();
            if (version != Version) return Fail($"unsupported {kind} message version {version}", out problem);
            var from = reader.ReadUInt64();
            var to = reader.ReadUInt64();
            var term = reader.ReadUInt64();
            if (from == 0 || to == 0) return Fail($"{kind} message from server {from} to server {to}: server ids start at 1", out problem);
            int expected;
            switch (kind)
            {
                case RaftMessageKind.AppendEntries:
                    expected = 4;
                    if (fields != CommonFields + expected) break;
                    var prevIndex = reader.ReadUInt64();
                    var prevTerm = reader.ReadUInt64();
                    if (!TryReadEntries(ref reader, out var entries, out problem)) return false;
                    message = new AppendEntries(from, to, term, prevIndex, prevTerm, entries, reader.ReadUInt64());
                    break;
                case RaftMessageKind.AppendResponse:
                    expected = 4;
                    if (fields != CommonFields + expected) break;
                    message = new AppendResponse(from, to, term, reader.ReadUInt64(), reader.ReadBoolean(), reader.ReadUInt64(), reader.ReadUInt64());
                    break;
                case RaftMessageKind.RequestVote:
                    expected = 3;
                    if (fields != CommonFields + expected) break;
                    message = new RequestVote(from, to, term, reader.ReadUInt64(), reader.ReadUInt64(), reader.ReadBoolean());
                    break;
                case RaftMessageKind.RequestVoteResponse:
                    expected = 1;
                    if (fields != CommonFields + expected) break;
                    message = new RequestVoteResponse(from, to, term, reader.ReadBoolean());
                    break;
                case RaftMessageKind.PreVote:
                    expected = 2;
                    if (fields != CommonFields + expected) break;
                    message = new PreVote(from, to, term, reader.ReadUInt64(), reader.ReadUInt64());
                    break;
                case RaftMessageKind.PreVoteResponse:
                    expected = 1;
                    if (fields != CommonFields + expected) break;
                    message = new PreVoteResponse(from, to, term, reader.ReadBoolean());
                    break;
                case RaftMessageKind.Heartbeat:
                    expected = 2;
                    if (fields != CommonFields + expected) break;
                    message = new Heartbeat(from, to, term, reader.ReadUInt64(), reader.ReadUInt64());
                    break;
                case RaftMessageKind.HeartbeatResponse:
                    expected = 1;
                    if (fields != CommonFields + expected) break;
                    message = new HeartbeatResponse(from, to, term, reader.ReadUInt64());
                    break;
                case RaftMessageKind.InstallSnapshot:
                    expected = 1;
                    if (fields != CommonFields + expected) break;
                    if (!TryReadSnapshot(ref reader, out var snapshot, out problem)) return false;
                    message = new InstallSnapshot(from, to, term, snapshot);
                    break;
                case RaftMessageKind.InstallSnapshotResponse:
                    expected = 1;
                    if (fields != CommonFields + expected) break;
                    message = new InstallSnapshotResponse(from, to, term, reader.ReadUInt64());
                    break;
                case RaftMessageKind.TimeoutNow:
                    expected = 0;
                    if (fields != CommonFields + expected) break;
                    message = new TimeoutNow(from, to, term);
                    break;
                default:
                    return Fail($"unknown Raft message kind {(byte)kind}", out problem);
            }
            if (message is null) return Fail($"{kind} message has {fields} fields, not {CommonFields + expected}", out problem);
            if (!reader.End)
            {
                message = null;
                return Fail($"{kind} message has {reader.Sequence.Length - reader.Consumed} trailing bytes", out problem);
            }
            problem = "";
            return true;
        }
        // Decoding is pure: whatever malformed input makes the msgpack reader throw (its own
        // exceptions, end of data, overflow, a wrong type) means the same.
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            message = null;
            return Fail($"malformed Raft message: {ex.Message}", out problem);
        }
    }

    private static bool TryReadEntries(ref MessagePackReader reader, out LogEntry[] entries, out string problem)
    {
        entries = [];
        var count = reader.ReadArrayHeader();
        // Each entry takes at least 5 bytes (array header, term, index, type, empty command): a
        // count the bytes left cannot hold is refused before anything is allocated for it.
        if (count > Remaining(ref reader) / 5) return Fail($"{count} entries cannot fit in the {Remaining(ref reader)} bytes left", out problem);
        var read = new LogEntry[count];
        for (var i = 0; i < count; i++)
        {
            var fields = reader.ReadArrayHeader();
            if (fields != EntryFields) return Fail($"entry {i} has {fields} fields, not {EntryFields}", out problem);
            var term = reader.ReadUInt64();
            var index = reader.ReadUInt64();
            var type = (LogEntryType)reader.ReadByte();
            if (!Enum.IsDefined(type)) return Fail($"entry {index} has unknown type {(byte)type}", out problem);
            if (!TryReadBytes(ref reader, $"entry {index}'s command", out var command, out problem)) return false;
            read[i] = new LogEntry(term, index, type, command);
        }
        entries = read;
        problem = "";
        return true;
    }

    private static bool TryReadSnapshot(ref MessagePackReader reader, out RaftSnapshot snapshot, out string problem)
    {
        snapshot = null!;
        var fields = reader.ReadArrayHeader();
        if (fields != SnapshotFields) return Fail($"snapshot has {fields} fields, not {SnapshotFields}", out problem);
        var index = reader.ReadUInt64();
        var term = reader.ReadUInt64();
        if (!TryReadIds(ref reader, "voters", out var voters, out problem)) return false;
        if (!TryReadIds(ref reader, "non-voters", out var nonVoters, out problem)) return false;
        if (voters.Overlaps(nonVoters)) return Fail("snapshot configuration has a server that is both a voter and a non-voter", out problem);
        if (!TryReadBytes(ref reader, "snapshot data", out var data, out problem)) return false;
        snapshot = new RaftSnapshot(new SnapshotMetadata(index, term, new Configuration(voters, nonVoters)), data);
        return true;
    }

    private static bool TryReadIds(ref MessagePackReader reader, string what, out ImmutableSortedSet<ulong> ids, out string problem)
    {
        ids = [];
        var count = reader.ReadArrayHeader();
        if (count > Remaining(ref reader)) return Fail($"{count} {what} cannot fit in the {Remaining(ref reader)} bytes left", out problem);
        var builder = ImmutableSortedSet.CreateBuilder<ulong>();
        ulong previous = 0;
        for (var i = 0; i < count; i++)
        {
            var id = reader.ReadUInt64();
            if (id <= previous) return Fail($"snapshot configuration's {what} are not ascending server ids from 1 ({id} after {previous})", out problem);
            builder.Add(id);
            previous = id;
        }
        ids = builder.ToImmutable();
        problem = "";
        return true;
    }

    private static bool TryReadBytes(ref MessagePackReader reader, string what, out byte[] bytes, out string problem)
    {
        bytes = [];
        if (reader.NextMessagePackType != MessagePackType.Binary) return Fail($"{what} is not msgpack bin", out problem);
        bytes = reader.ReadBytes()!.Value.ToArray();
        problem = "";
        return true;
    }

    private static long Remaining(ref MessagePackReader reader) => reader.Sequence.Length - reader.Consumed;

    private static bool Fail(string reason, out string problem)
    {
        problem = reason;
        return false;
    }
}

/// <summary>The first field of an encoded <see cref="RaftMessage"/>. Part of the wire format: never renumber, only append.</summary>
public enum RaftMessageKind : byte
{
    /// <summary><see cref="Core.AppendEntries"/>.</summary>
    AppendEntries = 1,

    /// <summary><see cref="Core.AppendResponse"/>.</summary>
    AppendResponse = 2,

    /// <summary><see cref="Core.RequestVote"/>.</summary>
    RequestVote = 3,

    /// <summary><see cref="Core.RequestVoteResponse"/>.</summary>
    RequestVoteResponse = 4,

    /// <summary><see cref="Core.PreVote"/>.</summary>
    PreVote = 5,

    /// <summary><see cref="Core.PreVoteResponse"/>.</summary>
    PreVoteResponse = 6,

    /// <summary><see cref="Core.Heartbeat"/>.</summary>
    Heartbeat = 7,

    /// <summary><see cref="Core.HeartbeatResponse"/>.</summary>
    HeartbeatResponse = 8,

    /// <summary><see cref="Core.InstallSnapshot"/>.</summary>
    InstallSnapshot = 9,

    /// <summary><see cref="Core.InstallSnapshotResponse"/>.</summary>
    InstallSnapshotResponse = 10,

    /// <summary><see cref="Core.TimeoutNow"/>.</summary>
    TimeoutNow = 11,

    /// <summary>A piece of a message too large for one frame (<see cref="MessageChunks"/>), assembled by the transport before decoding.</summary>
    Chunk = 12,
}
