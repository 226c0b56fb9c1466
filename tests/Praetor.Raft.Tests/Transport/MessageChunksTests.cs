using Praetor.Raft.Core;
using Praetor.Raft.Transport;

namespace Praetor.Raft.Tests.Transport;

public sealed class MessageChunksTests
{
    private static (InstallSnapshot Message, byte[] Encoded) LargeSnapshot(int dataBytes)
    {
        var data = new byte[dataBytes];
        new Random(3).NextBytes(data);
        var message = new InstallSnapshot(1, 2, 5, new RaftSnapshot(new SnapshotMetadata(9, 5, Configuration.Of(1, 2)), data));
        return (message, RaftMessageCodec.Encode(message));
    }

    [Fact]
    public void Chunks_fit_the_limit_and_assemble_into_the_message_at_the_last_one()
    {
        var (message, encoded) = LargeSnapshot(10_000);
        var chunks = MessageChunks.Split(message, encoded, 1024).ToList();
        Assert.True(chunks.Count >= 10);
        Assert.All(chunks, c => Assert.True(c.Length <= 1024 && MessageChunks.IsChunk(c)));
        Assert.False(MessageChunks.IsChunk(encoded));

        var assembler = new MessageChunks.Assembler(1_000_000);
        for (var i = 0; i < chunks.Count; i++)
        {
            Assert.True(assembler.TryAdd(chunks[i], out var complete, out var problem), problem);
            Assert.Equal(i == chunks.Count - 1, complete is not null);
            if (complete is not null)
            {
                Assert.Equal(encoded, complete);
                Assert.True(RaftMessageCodec.TryDecode(complete, out var decoded, out _));
                Assert.Equal(message.Snapshot.Data, Assert.IsType<InstallSnapshot>(decoded).Snapshot.Data);
            }
        }
    }

    [Fact]
    public void A_chunk_out_of_sequence_drops_the_message_and_the_next_one_starts_over()
    {
        var (message, encoded) = LargeSnapshot(5_000);
        var chunks = MessageChunks.Split(message, encoded, 1024).ToList();
        var assembler = new MessageChunks.Assembler(1_000_000);
        Assert.True(assembler.TryAdd(chunks[0], out _, out _));
        Assert.False(assembler.TryAdd(chunks[2], out var complete, out var problem));
        Assert.Null(complete);
        Assert.Contains("does not follow", problem, StringComparison.Ordinal);
        Assert.False(assembler.TryAdd(chunks[1], out _, out _)); // the message was dropped

        byte[]? whole = null;
        foreach (var chunk in chunks) Assert.True(assembler.TryAdd(chunk, out whole, out problem), problem);
        Assert.Equal(encoded, whole);
    }

    [Fact]
    public void A_message_over_the_limit_or_a_malformed_chunk_is_refused_without_throwing()
    {
        var (message, encoded) = LargeSnapshot(5_000);
        var first = MessageChunks.Split(message, encoded, 1024).First();
        Assert.False(new MessageChunks.Assembler(4_000).TryAdd(first, out _, out var problem));
        Assert.Contains("exceeds the 4000-byte limit", problem, StringComparison.Ordinal);

        var assembler = new MessageChunks.Assembler(1_000_000);
        var random = new Random(11);
        for (var i = 0; i < 2_000; i++)
        {
            var mutated = first[..random.Next(first.Length)];
            if (mutated.Length > 0) mutated[random.Next(mutated.Length)] ^= (byte)random.Next(1, 256);
            assembler.TryAdd(mutated, out var complete, out _);
            Assert.Null(complete);
        }
    }
}
