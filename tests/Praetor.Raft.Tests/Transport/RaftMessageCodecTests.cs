using System.Buffers;
using MessagePack;
using Praetor.Raft.Core;
using Praetor.Raft.Transport;

namespace Praetor.Raft.Tests.Transport;

public sealed class RaftMessageCodecTests
{
    private static readonly LogEntry[] SomeEntries =
    [
        new(3, 10, LogEntryType.Command, [1, 2, 3]),
        new(3, 11, LogEntryType.Noop, []),
        new(4, 12, LogEntryType.ConfigChange, new ConfigChange(ConfigChangeType.AddNonVoter, 7, "10.0.0.7:8300"u8.ToArray()).Encode()),
    ];

    private static readonly RaftSnapshot SomeSnapshot =
        new(new SnapshotMetadata(500, 9, new Configuration([1, 2, 3], [5, 8])), [.. Enumerable.Range(0, 3000).Select(i => (byte)i)]);

    /// <summary>One message of every kind (two of some), with fields chosen so that no two share a value by accident.</summary>
    private static readonly RaftMessage[] Samples =
    [
        new AppendEntries(1, 2, 7, 9, 3, SomeEntries, 11),
        new AppendEntries(1, 2, 7, 9, 3, [], 0),
        new AppendResponse(2, 1, 7, 12, false, 0, 0),
        new AppendResponse(2, 1, 7, 9, true, 5, 2),
        new RequestVote(3, 1, 8, 40, 6, false),
        new RequestVote(3, 1, 8, 40, 6, true),
        new RequestVoteResponse(1, 3, 8, true),
        new PreVote(3, 2, 9, ulong.MaxValue, ulong.MaxValue - 1),
        new PreVoteResponse(2, 3, 9, false),
        new Heartbeat(1, 3, 7, 30, 12345),
        new HeartbeatResponse(3, 1, 7, 12345),
        new InstallSnapshot(1, 2, 10, SomeSnapshot),
        new InstallSnapshot(1, 2, 10, new RaftSnapshot(new SnapshotMetadata(0, 0, new Configuration([], [])), [])),
        new InstallSnapshotResponse(2, 1, 10, 500),
        new TimeoutNow(1, 2, 11),
    ];

    public static TheoryData<RaftMessage> EveryKind() => [.. Samples];

    [Theory]
    [MemberData(nameof(EveryKind))]
    public void Every_message_kind_round_trips(RaftMessage message)
    {
        var encoded = RaftMessageCodec.Encode(message);

        Assert.True(RaftMessageCodec.TryDecode(encoded, out var decoded, out var problem), problem);
        AssertSame(message, decoded!);
    }

    [Fact]
    public void Every_message_type_of_the_core_has_a_kind()
    {
        var types = typeof(RaftMessage).Assembly.GetTypes().Where(t => t.IsSubclassOf(typeof(RaftMessage)) && !t.IsAbstract).ToHashSet();
        var covered = Samples.Select(m => m.GetType()).ToHashSet();

        Assert.Equal(types.OrderBy(t => t.Name), covered.OrderBy(t => t.Name));
        // Every kind but Chunk, the transport's piece of a message too large for a frame.
        Assert.Equal(types.Count, Enum.GetValues<RaftMessageKind>().Length - 1);
    }

    [Fact]
    public void The_encoding_is_an_array_of_kind_version_from_to_term_then_the_fields()
    {
        var encoded = RaftMessageCodec.Encode(new Heartbeat(1, 3, 7, 30, 12345));

        var reader = new MessagePackReader(encoded);
        Assert.Equal(7, reader.ReadArrayHeader());
        Assert.Equal((byte)RaftMessageKind.Heartbeat, reader.ReadByte());
        Assert.Equal(RaftMessageCodec.Version, reader.ReadByte());
        ulong[] fields = [reader.ReadUInt64(), reader.ReadUInt64(), reader.ReadUInt64(), reader.ReadUInt64(), reader.ReadUInt64()];
        Assert.Equal([1UL, 3, 7, 30, 12345], fields);
        Assert.True(reader.End);
    }

    public static TheoryData<string, byte[]> Malformed() => new()
    {
        { "msgpack array", Pack(w => w.Write(5)) },
        { "at least 5 fields", Pack(w => { w.WriteArrayHeader(2); w.Write(1); w.Write(1); }) },
        { "unknown Raft message kind 99", Message(99, 1, 0) },
        { "unknown Raft message kind 0", Message(0, 1, 0) },
        { "version 2", Message((byte)RaftMessageKind.TimeoutNow, 2, 0) },
        { "has 6 fields, not 5", Message((byte)RaftMessageKind.TimeoutNow, 1, 1, w => w.Write(1)) },
        { "has 5 fields, not 7", Message((byte)RaftMessageKind.Heartbeat, 1, 0) },
        { "server ids start at 1", Pack(w => { w.WriteArrayHeader(5); w.Write((byte)RaftMessageKind.TimeoutNow); w.Write(1); w.Write(0); w.Write(2); w.Write(1); }) },
        { "trailing bytes", [.. RaftMessageCodec.Encode(new TimeoutNow(1, 2, 3)), 0xc0] },
        { "malformed", Message((byte)RaftMessageKind.RequestVoteResponse, 1, 1, w => w.Write("yes")) },
        { "malformed", Message((byte)RaftMessageKind.HeartbeatResponse, 1, 1, w => w.Write(-1)) },
        { "malformed", Message((byte)RaftMessageKind.AppendEntries, 1, 4, w => { w.Write(1); w.Write(1); w.WriteArrayHeader(1_000_000); w.Write(1); }) },
        { "10 entries cannot fit in the 11 bytes left", Message((byte)RaftMessageKind.AppendEntries, 1, 4, w => { w.Write(1); w.Write(1); w.WriteArrayHeader(10); for (var i = 0; i < 11; i++) w.Write(1); }) },
        { "entry 0 has 3 fields", Message((byte)RaftMessageKind.AppendEntries, 1, 4, w => { w.Write(1); w.Write(1); w.WriteArrayHeader(1); w.WriteArrayHeader(3); w.Write(1); w.Write(2); w.Write(1); w.Write(0); }) },
        { "unknown type 9", Message((byte)RaftMessageKind.AppendEntries, 1, 4, w => { w.Write(1); w.Write(1); w.WriteArrayHeader(1); WriteEntry(w, 9, [1]); w.Write(0); }) },
        { "command is not msgpack bin", Message((byte)RaftMessageKind.AppendEntries, 1, 4, w => { w.Write(1); w.Write(1); w.WriteArrayHeader(1); w.WriteArrayHeader(4); w.Write(1); w.Write(2); w.Write(1); w.WriteNil(); w.Write(0); }) },
        { "both a voter and a non-voter", Message((byte)RaftMessageKind.InstallSnapshot, 1, 1, w => WriteSnapshot(w, [1, 2], [2], [])) },
        { "not ascending", Message((byte)RaftMessageKind.InstallSnapshot, 1, 1, w => WriteSnapshot(w, [2, 1], [], [])) },
        { "not ascending", Message((byte)RaftMessageKind.InstallSnapshot, 1, 1, w => WriteSnapshot(w, [0], [], [])) },
        { "snapshot has 4 fields", Message((byte)RaftMessageKind.InstallSnapshot, 1, 1, w => { w.WriteArrayHeader(4); w.Write(1); w.Write(1); w.WriteArrayHeader(0); w.WriteArrayHeader(0); }) },
        { "malformed", [] },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void Malformed_input_is_refused_with_the_reason(string reason, byte[] input)
    {
        Assert.False(RaftMessageCodec.TryDecode(input, out var message, out var problem));
        Assert.Null(message);
        Assert.Contains(reason, problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Random_mutated_and_truncated_input_never_throws_and_what_decodes_re_encodes_identically()
    {
        var seed = Environment.GetEnvironmentVariable("PRAETOR_CODEC_SEED") is { } s ? int.Parse(s, System.Globalization.CultureInfo.InvariantCulture) : 20261123;
        var random = new Random(seed);
        var valid = Samples.Select(RaftMessageCodec.Encode).ToArray();
        var decodedCount = 0;
        for (var i = 0; i < 20_000; i++)
        {
            byte[] input;
            switch (i % 4)
            {
                case 0:
                    input = new byte[random.Next(0, 64)];
                    random.NextBytes(input);
                    break;
                case 1:
                    var original = valid[random.Next(valid.Length)];
                    input = original[..random.Next(0, original.Length)];
                    break;
                default:
                    input = [.. valid[random.Next(valid.Length)]];
                    for (var flips = random.Next(1, 4); flips > 0; flips--) input[random.Next(input.Length)] = (byte)random.Next(256);
                    break;
            }
            var ok = false;
            RaftMessage? message = null;
            var problem = "";
            var ex = Record.Exception(() => ok = RaftMessageCodec.TryDecode(input, out message, out problem));
            Assert.True(ex is null, $"seed {seed}, input {i} ({Convert.ToHexString(input)}) threw {ex}");
            if (ok)
            {
                decodedCount++;
                Assert.True(RaftMessageCodec.TryDecode(RaftMessageCodec.Encode(message!), out var again, out problem), $"seed {seed}, input {i}: {problem}");
                AssertSame(message!, again!);
            }
            else
            {
                Assert.Null(message);
                Assert.NotEmpty(problem);
            }
        }
        Assert.True(decodedCount > 0, "some mutations (of a field's value) still decode");
    }

    private static void AssertSame(RaftMessage expected, RaftMessage actual)
    {
        Assert.Equal(expected.GetType(), actual.GetType());
        switch (expected)
        {
            case AppendEntries append:
                var other = (AppendEntries)actual;
                Assert.Equal(append with { Entries = [] }, other with { Entries = [] });
                Assert.Equal(append.Entries.Count, other.Entries.Count);
                for (var i = 0; i < append.Entries.Count; i++)
                {
                    Assert.Equal(append.Entries[i] with { Command = [] }, other.Entries[i] with { Command = [] });
                    Assert.Equal(append.Entries[i].Command, other.Entries[i].Command);
                }
                break;
            case InstallSnapshot install:
                var snapshot = ((InstallSnapshot)actual).Snapshot;
                Assert.Equal(install with { Snapshot = null! }, (InstallSnapshot)actual with { Snapshot = null! });
                Assert.Equal(install.Snapshot.Metadata.Index, snapshot.Metadata.Index);
                Assert.Equal(install.Snapshot.Metadata.Term, snapshot.Metadata.Term);
                Assert.Equal(install.Snapshot.Metadata.Configuration.Voters, snapshot.Metadata.Configuration.Voters);
                Assert.Equal(install.Snapshot.Metadata.Configuration.NonVoters, snapshot.Metadata.Configuration.NonVoters);
                Assert.Equal(install.Snapshot.Data, snapshot.Data);
                break;
            default:
                Assert.Equal(expected, actual);
                break;
        }
    }

    private delegate void Write(ref MessagePackWriter writer);

    private static byte[] Pack(Action<MessagePackWriterBox> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var box = new MessagePackWriterBox(buffer);
        write(box);
        box.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>A message's common fields (from 1, to 2, term 1) with <paramref name="extra"/> more fields announced.</summary>
    private static byte[] Message(byte kind, byte version, int extra, Action<MessagePackWriterBox>? fields = null) => Pack(w =>
    {
        w.WriteArrayHeader(5 + extra);
        w.Write(kind);
        w.Write(version);
        w.Write(1);
        w.Write(2);
        w.Write(1);
        fields?.Invoke(w);
    });

    private static void WriteEntry(MessagePackWriterBox w, byte type, byte[] command)
    {
        w.WriteArrayHeader(4);
        w.Write(1);
        w.Write(2);
        w.Write(type);
        w.Write(command);
    }

    private static void WriteSnapshot(MessagePackWriterBox w, ulong[] voters, ulong[] nonVoters, byte[] data)
    {
        w.WriteArrayHeader(5);
        w.Write(1);
        w.Write(1);
        w.WriteArrayHeader(voters.Length);
        foreach (var id in voters) w.Write((long)id);
        w.WriteArrayHeader(nonVoters.Length);
        foreach (var id in nonVoters) w.Write((long)id);
        w.Write(data);
    }

    /// <summary>A <see cref="MessagePackWriter"/> (a ref struct) behind a class, so test inputs can be built in lambdas.</summary>
    private sealed class MessagePackWriterBox(IBufferWriter<byte> buffer)
    {
        private readonly ArrayBufferWriter<byte> _own = new();
        private readonly IBufferWriter<byte> _target = buffer;

        public void WriteArrayHeader(int count) => Do((ref MessagePackWriter w) => w.WriteArrayHeader(count));

        public void Write(long value) => Do((ref MessagePackWriter w) => w.Write(value));

        public void Write(string value) => Do((ref MessagePackWriter w) => w.Write(value));

        public void Write(byte[] value) => Do((ref MessagePackWriter w) => w.Write(value));

        public void WriteNil() => Do((ref MessagePackWriter w) => w.WriteNil());

        public void Flush() => _target.Write(_own.WrittenSpan);

        private void Do(Write write)
        {
            var writer = new MessagePackWriter(_own);
            write(ref writer);
            writer.Flush();
        }
    }
}
