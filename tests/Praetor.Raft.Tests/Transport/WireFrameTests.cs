using System.Buffers;
using System.Buffers.Binary;
using Praetor.Raft.Transport;

namespace Praetor.Raft.Tests.Transport;

public sealed class WireFrameTests
{
    [Fact]
    public async Task Frames_are_a_big_endian_length_then_the_payload_and_read_back_one_by_one()
    {
        var buffer = new ArrayBufferWriter<byte>();
        WireFrame.Write(buffer, [1, 2, 3]);
        WireFrame.Write(buffer, []);
        WireFrame.Write(buffer, new byte[200_000]);

        Assert.Equal([0, 0, 0, 3, 1, 2, 3, 0, 0, 0, 0], buffer.WrittenMemory[..11].ToArray());
        using var stream = new MemoryStream(buffer.WrittenSpan.ToArray());
        Assert.Equal([1, 2, 3], (await WireFrame.ReadAsync(stream, CancellationToken.None))!);
        Assert.Empty((await WireFrame.ReadAsync(stream, CancellationToken.None))!);
        Assert.Equal(200_000, (await WireFrame.ReadAsync(stream, CancellationToken.None))!.Length);
        Assert.Null(await WireFrame.ReadAsync(stream, CancellationToken.None));
    }

    [Theory]
    [InlineData(new byte[] { 0, 0 }, "after 2 of a frame header's 4 bytes")]
    [InlineData(new byte[] { 0, 0, 0, 5, 1, 2 }, "after 2 of a frame's 5 bytes")]
    public async Task A_stream_that_ends_inside_a_frame_is_a_RaftWireException(byte[] input, string message)
    {
        using var stream = new MemoryStream(input);

        var error = await Assert.ThrowsAsync<RaftWireException>(() => WireFrame.ReadAsync(stream, CancellationToken.None).AsTask());

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_frame_announcing_more_than_the_limit_is_refused_before_its_payload_is_read()
    {
        var header = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(header, uint.MaxValue);
        using var stream = new MemoryStream(header);

        var error = await Assert.ThrowsAsync<RaftWireException>(() => WireFrame.ReadAsync(stream, CancellationToken.None).AsTask());
        Assert.Contains($"exceeds the {WireFrame.PayloadBytesMax}-byte limit", error.Message, StringComparison.Ordinal);

        BinaryPrimitives.WriteUInt32BigEndian(header, 101);
        using var small = new MemoryStream([.. header, .. new byte[101]]);
        await Assert.ThrowsAsync<RaftWireException>(() => WireFrame.ReadAsync(small, CancellationToken.None, payloadBytesMax: 100).AsTask());
    }

    [Fact]
    public async Task A_frame_of_exactly_the_limit_is_read_and_one_byte_more_is_not_written()
    {
        var payload = new byte[WireFrame.PayloadBytesMax];
        payload[^1] = 42;
        var buffer = new ArrayBufferWriter<byte>();
        WireFrame.Write(buffer, payload);
        using var stream = new MemoryStream(buffer.WrittenSpan.ToArray());

        var read = await WireFrame.ReadAsync(stream, CancellationToken.None);

        Assert.Equal(42, read![^1]);
        Assert.Throws<ArgumentException>(() => WireFrame.Write(new ArrayBufferWriter<byte>(), new byte[WireFrame.PayloadBytesMax + 1]));
    }

    [Fact]
    public async Task A_failing_stream_is_a_RaftWireException()
    {
        var error = await Assert.ThrowsAsync<RaftWireException>(() => WireFrame.ReadAsync(new FailingStream(), CancellationToken.None).AsTask());

        Assert.IsType<IOException>(error.InnerException);
    }

    private sealed class FailingStream : MemoryStream
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            ValueTask.FromException<int>(new IOException("connection reset by peer"));
    }
}
