using System.Buffers;
using System.Buffers.Binary;
using MessagePack;
using Praetor.Gossip.Msgpack;

namespace Praetor.Gossip.Memberlist.Wire;

/// <summary>How a host sends a TCP stream message, as memberlist's rawSendMsgStream decides it.</summary>
/// <param name="Compress">EnableCompression: a stream message is always wrapped in a compress message then (no size check, unlike packets).</param>
/// <param name="Keyring">Encrypt with the primary key in the encryptMsg framing; null sends plaintext.</param>
/// <param name="EncryptionVersion">1 unless speaking protocol version 1.</param>
public readonly record struct StreamOptions(bool Compress = false, Keyring? Keyring = null, byte EncryptionVersion = 1);

/// <summary>The outcome of <see cref="StreamCodec.TryDecode"/>.</summary>
public enum StreamDecodeStatus : byte
{
    /// <summary>One message decoded; <c>consumed</c> bytes of the buffer were used.</summary>
    Complete,

    /// <summary>The buffer ends inside the message: read more bytes from the connection and call again with all of them.</summary>
    NeedMoreData,

    /// <summary>The message is malformed (see the error); memberlist answers or drops the connection.</summary>
    Invalid,
}

/// <summary>
/// memberlist's TCP stream messages: push/pull state (pushPullHeader, N pushNodeState, user
/// state bytes), user messages (userMsgHeader then the payload), pings with their acks, and
/// error responses — each optionally compressed and encrypted (readStream / rawSendMsgStream).
/// </summary>
/// <remarks>
/// A stream carries no outer length unless encrypted, so the host accumulates what it has read
/// and calls <see cref="TryDecode"/> until it is not <see cref="StreamDecodeStatus.NeedMoreData"/>;
/// the codec gives up with <see cref="DecodeError.TooLarge"/> once the buffer passes
/// <see cref="WireLimits.StreamBytesMax"/>. Buffers are as in <see cref="MemberlistCodec"/>: no
/// reference to an input or output is kept after a call; decoded records own their data.
/// </remarks>
public static class StreamCodec
{
    /// <summary>
    /// Decodes the stream message at the start of <paramref name="buffered"/>: a
    /// <see cref="PushPull"/>, <see cref="UserMsg"/>, <see cref="Ping"/>, <see cref="AckResp"/> or
    /// <see cref="ErrResp"/>. With a <paramref name="keyring"/> and <paramref name="verifyIncoming"/>
    /// a plaintext stream is refused (<see cref="DecodeError.NotEncrypted"/>), as memberlist does.
    /// </summary>
    public static StreamDecodeStatus TryDecode(ReadOnlySpan<byte> buffered, Keyring? keyring, out object? message, out int consumed, out DecodeError error, bool verifyIncoming = true)
    {
        message = null;
        consumed = 0;
        if (buffered.IsEmpty) { error = DecodeError.Truncated; return StreamDecodeStatus.NeedMoreData; }
        if (buffered[0] == (byte)MessageType.Encrypt)
        {
            if (keyring is null) return Invalid(DecodeError.EncryptionNotConfigured, out error);
            if (buffered.Length < 5) return More(buffered, out error);
            var length = BinaryPrimitives.ReadUInt32BigEndian(buffered[1..]);
            if (length > WireLimits.StreamBytesMax) return Invalid(DecodeError.TooLarge, out error);
            if (buffered.Length - 5 < length) return More(buffered, out error);
            var encrypted = buffered.Slice(5, (int)length);
            var rented = ArrayPool<byte>.Shared.Rent(Math.Max(1, encrypted.Length));
            try
            {
                if (!GossipEncryption.TryDecrypt(keyring, encrypted, buffered[..5], rented, out var plainBytes, out error)) return StreamDecodeStatus.Invalid;
                // The ciphertext's length is known, so a plaintext that ends early is truncated, not incomplete.
                var status = DecodePlain(rented.AsSpan(0, plainBytes), out message, out _, out error);
                if (status == StreamDecodeStatus.NeedMoreData) return Invalid(DecodeError.Truncated, out error);
                consumed = 5 + (int)length;
                return status;
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
        if (keyring is not null && verifyIncoming) return Invalid(DecodeError.NotEncrypted, out error);
        var result = DecodePlain(buffered, out message, out consumed, out error);
        return result == StreamDecodeStatus.NeedMoreData ? More(buffered, out error) : result;
    }

    private static StreamDecodeStatus DecodePlain(ReadOnlySpan<byte> plain, out object? message, out int consumed, out DecodeError error)
    {
        message = null;
        consumed = 0;
        if (plain.IsEmpty) { error = DecodeError.Truncated; return StreamDecodeStatus.NeedMoreData; }
        if (plain[0] != (byte)MessageType.Compress) return DecodeMessage(plain, out message, out consumed, out error);

        var reader = new GoMsgpackReader(plain[1..]);
        using var decompressed = new PooledBufferWriter(4 * plain.Length);
        if (!MemberlistCodec.TryReadCompressed(ref reader, decompressed, WireLimits.StreamBytesMax, out error))
        {
            return error == DecodeError.Truncated ? StreamDecodeStatus.NeedMoreData : StreamDecodeStatus.Invalid;
        }
        consumed = 1 + reader.Position;
        // memberlist reads the rest of the stream message from the decompressed bytes only.
        var status = DecodeMessage(decompressed.WrittenSpan, out message, out _, out error);
        if (status == StreamDecodeStatus.NeedMoreData) return Invalid(DecodeError.Truncated, out error);
        return status;
    }

    private static StreamDecodeStatus DecodeMessage(ReadOnlySpan<byte> plain, out object? message, out int consumed, out DecodeError error)
    {
        message = null;
        consumed = 0;
        if (plain.IsEmpty) { error = DecodeError.Empty; return StreamDecodeStatus.Invalid; }
        var reader = new GoMsgpackReader(plain[1..]);
        bool ok;
        switch ((MessageType)plain[0])
        {
            case MessageType.Ping: { ok = MessageCodec.TryReadPing(ref reader, out var m); message = m; break; }
            case MessageType.AckResp: { ok = MessageCodec.TryReadAck(ref reader, out var m); message = m; break; }
            case MessageType.Err: { ok = MessageCodec.TryReadErr(ref reader, out var m); message = m; break; }
            case MessageType.User: { ok = TryReadUserMsg(ref reader, out var m); message = m; break; }
            case MessageType.PushPull: { ok = TryReadPushPull(ref reader, out var m); message = m; break; }
            default: error = DecodeError.UnknownMessageType; return StreamDecodeStatus.Invalid;
        }
        if (!ok)
        {
            message = null;
            error = reader.Error.ToDecodeError();
            return error == DecodeError.Truncated ? StreamDecodeStatus.NeedMoreData : StreamDecodeStatus.Invalid;
        }
        consumed = 1 + reader.Position;
        error = DecodeError.None;
        return StreamDecodeStatus.Complete;
    }

    private static bool TryReadUserMsg(ref GoMsgpackReader r, out UserMsg? message)
    {
        message = null;
        if (!r.TryReadMapHeader(out var count)) return false;
        var length = 0;
        for (var i = 0; i < count; i++)
        {
            if (!r.TryReadKey(out var key)) return false;
            var ok = key.SequenceEqual("UserMsgLen"u8) ? r.TryReadCount(WireLimits.StreamBytesMax, out length) : r.TrySkip();
            if (!ok) return false;
        }
        if (!r.TryTake(length, out var payload)) return false;
        message = new UserMsg(payload.ToArray());
        return true;
    }

    private static bool TryReadPushPull(ref GoMsgpackReader r, out PushPull? message)
    {
        message = null;
        if (!r.TryReadMapHeader(out var count)) return false;
        int nodes = 0, userStateLength = 0;
        var join = false;
        for (var i = 0; i < count; i++)
        {
            if (!r.TryReadKey(out var key)) return false;
            var ok = key switch
            {
                _ when key.SequenceEqual("Nodes"u8) => r.TryReadCount(WireLimits.StreamBytesMax, out nodes),
                _ when key.SequenceEqual("UserStateLen"u8) => r.TryReadCount(WireLimits.StreamBytesMax, out userStateLength),
                _ when key.SequenceEqual("Join"u8) => r.TryReadBool(out join),
                _ => r.TrySkip(),
            };
            if (!ok) return false;
        }
        // Every node state takes bytes, so a count is not trusted for the allocation.
        var states = new List<PushNodeState>(Math.Min(nodes, 256));
        for (var i = 0; i < nodes; i++)
        {
            if (!MessageCodec.TryReadPushNodeState(ref r, out var state)) return false;
            states.Add(state!);
        }
        if (!r.TryTake(userStateLength, out var userState)) return false;
        message = new PushPull(join, states, userState.ToArray());
        return true;
    }

    /// <summary>Writes a push/pull stream message: header, node states, user state (sendLocalState), then the layers of <paramref name="options"/>.</summary>
    public static void WritePushPull(IBufferWriter<byte> output, PushPull state, in StreamOptions options, ReadOnlySpan<byte> nonce = default)
    {
        ArgumentNullException.ThrowIfNull(state);
        using var plain = new PooledBufferWriter();
        var w = GoMsgpackWriter.Create(plain, (byte)MessageType.PushPull);
        w.WriteMapHeader(3);
        GoMsgpackWriter.WriteField(ref w, "Join"u8); w.Write(state.Join);
        GoMsgpackWriter.WriteField(ref w, "Nodes"u8); WireWriter.UInt(ref w, (ulong)state.Nodes.Count);
        GoMsgpackWriter.WriteField(ref w, "UserStateLen"u8); WireWriter.UInt(ref w, (ulong)state.UserState.Length);
        foreach (var node in state.Nodes) MessageCodec.WritePushNodeState(ref w, node);
        w.WriteRaw(state.UserState);
        w.Flush();
        WriteStream(output, plain.WrittenSpan, options, nonce);
    }

    /// <summary>Writes a user message for a stream: type 8, userMsgHeader (UserMsgLen), the payload (sendUserMsg), then the layers.</summary>
    public static void WriteUserMsg(IBufferWriter<byte> output, ReadOnlySpan<byte> payload, in StreamOptions options, ReadOnlySpan<byte> nonce = default)
    {
        using var plain = new PooledBufferWriter(payload.Length + 16);
        var w = GoMsgpackWriter.Create(plain, (byte)MessageType.User);
        w.WriteMapHeader(1);
        GoMsgpackWriter.WriteField(ref w, "UserMsgLen"u8); WireWriter.UInt(ref w, (ulong)payload.Length);
        w.WriteRaw(payload);
        w.Flush();
        WriteStream(output, plain.WrittenSpan, options, nonce);
    }

    /// <summary>Writes a <see cref="Ping"/>, <see cref="AckResp"/> or <see cref="ErrResp"/> as a stream message.</summary>
    public static void WriteMessage(IBufferWriter<byte> output, object message, in StreamOptions options, ReadOnlySpan<byte> nonce = default)
    {
        using var plain = new PooledBufferWriter();
        MessageCodec.Write(plain, message);
        WriteStream(output, plain.WrittenSpan, options, nonce);
    }

    /// <summary>
    /// Wraps an encoded stream message as rawSendMsgStream does: compress (always, when enabled),
    /// then encrypt in the encryptMsg framing <c>[10][length BE][version][nonce][ciphertext][tag]</c>.
    /// </summary>
    public static void WriteStream(IBufferWriter<byte> output, ReadOnlySpan<byte> plain, in StreamOptions options, ReadOnlySpan<byte> nonce = default)
    {
        ArgumentNullException.ThrowIfNull(output);
        using var compressed = new PooledBufferWriter();
        if (options.Compress)
        {
            MemberlistCodec.WriteCompressed(compressed, plain);
            plain = compressed.WrittenSpan;
        }
        if (options.Keyring is null)
        {
            output.Write(plain);
            return;
        }
        var length = GossipEncryption.EncryptedLength(options.EncryptionVersion, plain.Length);
        var span = output.GetSpan(5 + length);
        GossipEncryption.WriteStreamHeader(span, length);
        GossipEncryption.Encrypt(options.Keyring, options.EncryptionVersion, plain, span[..5], nonce, span.Slice(5, length));
        output.Advance(5 + length);
    }

    private static StreamDecodeStatus More(ReadOnlySpan<byte> buffered, out DecodeError error)
    {
        if (buffered.Length >= WireLimits.StreamBytesMax) return Invalid(DecodeError.TooLarge, out error);
        error = DecodeError.Truncated;
        return StreamDecodeStatus.NeedMoreData;
    }

    private static StreamDecodeStatus Invalid(DecodeError reason, out DecodeError error)
    {
        error = reason;
        return StreamDecodeStatus.Invalid;
    }
}
