using System.Buffers;
using MessagePack;
using Praetor.Raft.Core;

namespace Praetor.Raft.Transport;

/// <summary>
/// A message too large for one frame — an <see cref="InstallSnapshot"/> of a large state — goes
/// as a run of chunk frames, as Raft's InstallSnapshot sends a snapshot in pieces (offset, data,
/// done). A chunk is the msgpack array <c>[kind (<see cref="RaftMessageKind.Chunk"/>), version,
/// from, to, term, offset, total, bytes]</c>: the bytes at <c>offset</c> of the message's encoding
/// (<see cref="RaftMessageCodec"/>), which is <c>total</c> bytes long; the chunk that reaches
/// <c>total</c> is the last (done). The chunks of one message are written back to back on one
/// connection, so a receiver assembles one message at a time per connection (<see cref="Assembler"/>).
/// </summary>
public static class MessageChunks
{
    /// <summary>64 bytes: room for a chunk's fields besides its bytes (array and bin headers, seven integers of at most 9 bytes each).</summary>
    public const int OverheadBytes = 64;

    /// <summary>A chunk's fields: kind, version, from, to, term, offset, total, bytes.</summary>
    private const int Fields = 8;

    /// <summary>
    /// The frame payloads that carry <paramref name="encoded"/>, the encoding of
    /// <paramref name="message"/>, in chunks whose payloads are at most <paramref name="payloadBytesMax"/> bytes.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="payloadBytesMax"/> leaves no room for data.</exception>
    public static IEnumerable<byte[]> Split(RaftMessage message, byte[] encoded, int payloadBytesMax)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(payloadBytesMax, OverheadBytes);
        var dataBytes = payloadBytesMax - OverheadBytes;
        for (var offset = 0; offset < encoded.Length; offset += dataBytes)
        {
            var buffer = new ArrayBufferWriter<byte>(Math.Min(dataBytes, encoded.Length - offset) + OverheadBytes);
            var writer = new MessagePackWriter(buffer);
            writer.WriteArrayHeader(Fields);
            writer.Write((byte)RaftMessageKind.Chunk);
            writer.Write(RaftMessageCodec.Version);
            writer.Write(message.From);
            writer.Write(message.To);
            writer.Write(message.Term);
            writer.Write((ulong)offset);
            writer.Write((ulong)encoded.Length);
            writer.Write(encoded.AsSpan(offset, Math.Min(dataBytes, encoded.Length - offset)));
            writer.Flush();
            yield return buffer.WrittenSpan.ToArray();
        }
    }

    /// <summary>Whether <paramref name="payload"/> is a chunk (its kind field says so); the rest is checked by <see cref="Assembler.TryAdd"/>.</summary>
    public static bool IsChunk(ReadOnlyMemory<byte> payload)
    {
        try
        {
            var reader = new MessagePackReader(payload);
            return reader.NextMessagePackType == MessagePackType.Array && reader.ReadArrayHeader() > 0
                && reader.NextMessagePackType == MessagePackType.Integer && reader.ReadByte() == (byte)RaftMessageKind.Chunk;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return false;
        }
    }

    /// <summary>
    /// Assembles the chunks one connection receives. Memory grows only with the bytes received,
    /// never with the total a chunk announces, and the total is bounded by <paramref name="messageBytesMax"/>.
    /// A chunk out of sequence (not at the offset expected, of another message, or of a different
    /// total) drops the message being assembled; a chunk at offset 0 starts a new one.
    /// </summary>
    /// <param name="messageBytesMax">The largest message accepted.</param>
    public sealed class Assembler(long messageBytesMax)
    {
        private ArrayBufferWriter<byte>? _message;
        private (ulong From, ulong To, ulong Term, ulong Total) _current;

        /// <summary>
        /// Adds one chunk. True when it was taken: <paramref name="complete"/> is then the whole
        /// message's encoding once its last chunk arrived, else null. False, with the reason, when
        /// the chunk is malformed or out of sequence (the message being assembled is dropped). Never throws.
        /// </summary>
        public bool TryAdd(ReadOnlyMemory<byte> payload, out byte[]? complete, out string problem)
        {
            complete = null;
            ulong from, to, term, offset, total;
            ReadOnlyMemory<byte> bytes;
            try
            {
                var reader = new MessagePackReader(payload);
                var fields = reader.ReadArrayHeader();
                if (fields != Fields) return Drop($"a chunk has {Fields} fields, not {fields}", out problem);
                reader.ReadByte();
                var version = reader.ReadByte();
                if (version != RaftMessageCodec.Version) return Drop($"unsupported chunk version {version}", out problem);
                from = reader.ReadUInt64();
                to = reader.ReadUInt64();
                term = reader.ReadUInt64();
                offset = reader.ReadUInt64();
                total = reader.ReadUInt64();
                if (reader.NextMessagePackType != MessagePackType.Binary) return Drop("a chunk's data is not msgpack bin", out problem);
                var sequence = reader.ReadBytes()!.Value;
                if (!reader.End) return Drop("a chunk has trailing bytes", out problem);
                bytes = sequence.ToArray();
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                return Drop($"malformed chunk: {ex.Message}", out problem);
            }
            if (total > (ulong)messageBytesMax) return Drop($"a chunked message of {total} bytes exceeds the {messageBytesMax}-byte limit", out problem);
            if (bytes.Length == 0 || offset + (ulong)bytes.Length > total) return Drop($"a chunk of {bytes.Length} bytes at offset {offset} does not fit a message of {total} bytes", out problem);
            if (offset == 0)
            {
                _message = new ArrayBufferWriter<byte>();
                _current = (from, to, term, total);
            }
            else if (_message is null || _current != (from, to, term, total) || (ulong)_message.WrittenCount != offset)
            {
                return Drop($"a chunk at offset {offset} of a {total}-byte message from server {from} does not follow the chunks received ({_message?.WrittenCount ?? 0} bytes)", out problem);
            }
            _message.Write(bytes.Span);
            if ((ulong)_message.WrittenCount == total)
            {
                complete = _message.WrittenSpan.ToArray();
                _message = null;
            }
            problem = "";
            return true;
        }

        private bool Drop(string reason, out string problem)
        {
            _message = null;
            problem = reason;
            return false;
        }
    }
}
