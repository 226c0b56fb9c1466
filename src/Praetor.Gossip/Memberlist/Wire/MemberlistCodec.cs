using System.Buffers;
using System.Buffers.Binary;
using MessagePack;
using Praetor.Gossip.Msgpack;

namespace Praetor.Gossip.Memberlist.Wire;

/// <summary>How a host sends a UDP packet, as memberlist's rawSendMsgPacket decides it.</summary>
/// <param name="Compress">EnableCompression: wrap the payload in a compress message when that makes it smaller (Serf's agent: on unless <c>-disable-compression</c>).</param>
/// <param name="Crc">Prefix a hasCrc header: memberlist does when the recipient's ProtocolMax is 5 or more.</param>
/// <param name="Keyring">Encrypt with the primary key (and GossipVerifyOutgoing); null sends plaintext.</param>
/// <param name="EncryptionVersion">1 (no padding) unless speaking protocol version 1 (<see cref="GossipEncryption.VersionFor"/>).</param>
public readonly record struct PacketOptions(bool Compress = false, bool Crc = false, Keyring? Keyring = null, byte EncryptionVersion = 1);

/// <summary>
/// memberlist's UDP packets: decoding a received datagram into messages, and encoding messages
/// into a datagram (compound, compress, hasCrc and encryption layers included).
/// </summary>
/// <remarks>
/// <para>Buffers: the codec never keeps a reference to an input span or an output writer after a
/// call returns. Decoded records own copies of their strings and arrays, so the host may reuse
/// its receive buffer at once. Intermediate stages (decrypted, decompressed, encoded parts) use
/// arrays rented from the shared pool and returned before the call ends.</para>
/// <para>Thread-safety: stateless and static; a <see cref="Keyring"/> may be shared by threads.</para>
/// <para>Never throws on received bytes: every malformed input is a <see cref="DecodeError"/>.</para>
/// </remarks>
public static class MemberlistCodec
{
    /// <summary>
    /// Decodes one received UDP packet as memberlist's ingestPacket/handleCommand do, appending
    /// every message it carries to <paramref name="messages"/> in order (records of Messages.cs,
    /// and <see cref="UserMsg"/>). With a <paramref name="keyring"/> the packet must decrypt under
    /// one of its keys — unless <paramref name="verifyIncoming"/> is false (memberlist's
    /// GossipVerifyIncoming), when a packet that does not decrypt is read as plaintext.
    /// </summary>
    /// <returns>
    /// True when everything decoded. False when anything was dropped; <paramref name="error"/>
    /// is the first problem, and the messages that did decode are still appended (as memberlist
    /// processes the good parts of a compound message and logs the bad ones).
    /// </returns>
    public static bool TryDecodePacket(ReadOnlySpan<byte> packet, Keyring? keyring, List<object> messages, out DecodeError error, bool verifyIncoming = true)
    {
        ArgumentNullException.ThrowIfNull(messages);
        if (packet.IsEmpty) { error = DecodeError.Empty; return false; }
        if (keyring is null) return TryDecodePlain(packet, messages, out error);

        var rented = ArrayPool<byte>.Shared.Rent(packet.Length);
        try
        {
            if (GossipEncryption.TryDecrypt(keyring, packet, default, rented, out var plainBytes, out error))
            {
                return TryDecodePlain(rented.AsSpan(0, plainBytes), messages, out error);
            }
            if (verifyIncoming) return false;
            return TryDecodePlain(packet, messages, out error);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private static bool TryDecodePlain(ReadOnlySpan<byte> buffer, List<object> messages, out DecodeError error)
    {
        error = DecodeError.None;
        if (buffer.Length >= 5 && buffer[0] == (byte)MessageType.HasCrc)
        {
            var expected = BinaryPrimitives.ReadUInt32BigEndian(buffer[1..]);
            buffer = buffer[5..];
            if (Crc32Ieee.Compute(buffer) != expected) { error = DecodeError.CrcMismatch; return false; }
        }
        HandleCommand(buffer, messages, 0, ref error);
        return error == DecodeError.None;
    }

    private static void HandleCommand(ReadOnlySpan<byte> buffer, List<object> messages, int depth, ref DecodeError firstError)
    {
        if (buffer.IsEmpty) { Note(ref firstError, DecodeError.Empty); return; }
        switch ((MessageType)buffer[0])
        {
            case MessageType.Compound:
                if (depth >= WireLimits.PacketNestingDepthMax) { Note(ref firstError, DecodeError.NestingTooDeep); return; }
                HandleCompound(buffer[1..], messages, depth, ref firstError);
                return;
            case MessageType.Compress:
                if (depth >= WireLimits.PacketNestingDepthMax) { Note(ref firstError, DecodeError.NestingTooDeep); return; }
                using (var plain = new PooledBufferWriter(4 * buffer.Length))
                {
                    var reader = new GoMsgpackReader(buffer[1..]);
                    if (!TryReadCompressed(ref reader, plain, WireLimits.PacketDecompressedBytesMax, out var error)) { Note(ref firstError, error); return; }
                    HandleCommand(plain.WrittenSpan, messages, depth + 1, ref firstError);
                }
                return;
            default:
                if (MessageCodec.TryRead(buffer, out var message, out var messageError)) messages.Add(message!);
                else Note(ref firstError, messageError);
                return;
        }
    }

    private static void HandleCompound(ReadOnlySpan<byte> body, List<object> messages, int depth, ref DecodeError firstError)
    {
        if (body.IsEmpty || body.Length < 1 + 2 * body[0]) { Note(ref firstError, DecodeError.CompoundHeaderTruncated); return; }
        int count = body[0];
        var offset = 1 + 2 * count;
        for (var i = 0; i < count; i++)
        {
            int length = BinaryPrimitives.ReadUInt16BigEndian(body[(1 + 2 * i)..]);
            if (body.Length - offset < length) { Note(ref firstError, DecodeError.CompoundPartsTruncated); return; }
            HandleCommand(body.Slice(offset, length), messages, depth + 1, ref firstError);
            offset += length;
        }
    }

    /// <summary>Reads a compress message's map (Algo, Buf) and decompresses Buf into <paramref name="output"/>.</summary>
    internal static bool TryReadCompressed(ref GoMsgpackReader reader, IBufferWriter<byte> output, int outputBytesMax, out DecodeError error)
    {
        error = DecodeError.None;
        if (!reader.TryReadMapHeader(out var count)) { error = reader.Error.ToDecodeError(); return false; }
        byte algo = 0;
        ReadOnlySpan<byte> compressed = default;
        for (var i = 0; i < count; i++)
        {
            if (!reader.TryReadKey(out var key)) { error = reader.Error.ToDecodeError(); return false; }
            var ok = key switch
            {
                _ when key.SequenceEqual("Algo"u8) => reader.TryReadByteValue(out algo),
                _ when key.SequenceEqual("Buf"u8) => reader.TryReadRaw(out compressed, out _),
                _ => reader.TrySkip(),
            };
            if (!ok) { error = reader.Error.ToDecodeError(); return false; }
        }
        if (algo != 0) { error = DecodeError.UnknownCompression; return false; }
        return GoLzw.TryDecompress(compressed, output, outputBytesMax, out error);
    }

    private static void Note(ref DecodeError firstError, DecodeError error)
    {
        if (firstError == DecodeError.None) firstError = error;
    }

    /// <summary>
    /// Encodes <paramref name="messages"/> as one UDP packet into <paramref name="output"/>: one
    /// message as is, several as a compound message in order (memberlist's sendMsg piggybacking),
    /// then the layers of <paramref name="options"/>. <paramref name="nonce"/>: 12 random bytes for
    /// encryption, or empty for fresh ones.
    /// </summary>
    /// <exception cref="ArgumentException">No messages, more than 255, or an unknown message type (programming errors).</exception>
    public static void EncodePacket(IBufferWriter<byte> output, IReadOnlyList<object> messages, in PacketOptions options, ReadOnlySpan<byte> nonce = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        if (messages.Count == 0) throw new ArgumentException("a packet carries at least one message", nameof(messages));
        using var payload = new PooledBufferWriter();
        if (messages.Count == 1)
        {
            MessageCodec.Write(payload, messages[0]);
        }
        else
        {
            if (messages.Count > WireLimits.CompoundPartsMax) throw new ArgumentException("a compound message holds at most 255 parts", nameof(messages));
            using var parts = new PooledBufferWriter();
            var headerBytes = 2 + 2 * messages.Count;
            var header = payload.GetSpan(headerBytes);
            header[0] = (byte)MessageType.Compound;
            header[1] = (byte)messages.Count;
            payload.Advance(headerBytes);
            for (var i = 0; i < messages.Count; i++)
            {
                var before = parts.WrittenCount;
                MessageCodec.Write(parts, messages[i]);
                var length = parts.WrittenCount - before;
                if (length > WireLimits.CompoundPartBytesMax) throw new ArgumentException("a compound part is at most 65535 bytes", nameof(messages));
                BinaryPrimitives.WriteUInt16BigEndian(payload.WrittenSpanMutable.Slice(2 + 2 * i, 2), (ushort)length);
            }
            payload.Write(parts.WrittenSpan);
        }
        EncodePacket(output, payload.WrittenSpan, options, nonce);
    }

    /// <summary>
    /// Wraps an already encoded packet payload (one message, or a compound message) in the layers
    /// memberlist's rawSendMsgPacket adds, in its order: compress (only when smaller), hasCrc,
    /// encryption.
    /// </summary>
    public static void EncodePacket(IBufferWriter<byte> output, ReadOnlySpan<byte> payload, in PacketOptions options, ReadOnlySpan<byte> nonce = default)
    {
        ArgumentNullException.ThrowIfNull(output);
        using var compressed = new PooledBufferWriter();
        if (options.Compress)
        {
            WriteCompressed(compressed, payload);
            if (compressed.WrittenCount < payload.Length) payload = compressed.WrittenSpan;
        }
        using var withCrc = new PooledBufferWriter(payload.Length + 5);
        if (options.Crc)
        {
            var span = withCrc.GetSpan(5 + payload.Length);
            span[0] = (byte)MessageType.HasCrc;
            BinaryPrimitives.WriteUInt32BigEndian(span[1..], Crc32Ieee.Compute(payload));
            payload.CopyTo(span[5..]);
            withCrc.Advance(5 + payload.Length);
            payload = withCrc.WrittenSpan;
        }
        if (options.Keyring is null)
        {
            output.Write(payload);
            return;
        }
        var length = GossipEncryption.EncryptedLength(options.EncryptionVersion, payload.Length);
        GossipEncryption.Encrypt(options.Keyring, options.EncryptionVersion, payload, default, nonce, output.GetSpan(length));
        output.Advance(length);
    }

    /// <summary>Writes a compress message (type 9: map of Algo = 0 and Buf = LZW of <paramref name="payload"/>).</summary>
    public static void WriteCompressed(IBufferWriter<byte> output, ReadOnlySpan<byte> payload)
    {
        using var lzw = new PooledBufferWriter(payload.Length + 16);
        GoLzw.Compress(payload, lzw);
        var w = GoMsgpackWriter.Create(output, (byte)MessageType.Compress);
        w.WriteMapHeader(2);
        GoMsgpackWriter.WriteField(ref w, "Algo"u8); WireWriter.UInt(ref w, 0);
        GoMsgpackWriter.WriteField(ref w, "Buf"u8); w.Write(lzw.WrittenSpan);
        w.Flush();
    }
}
