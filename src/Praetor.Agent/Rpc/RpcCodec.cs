using System.Buffers;
using MessagePack;
using Praetor.Raft.Transport;

namespace Praetor.Agent.Rpc;

/// <summary>
/// The agent RPC's frames' payloads (each in a <see cref="WireFrame"/>): a request is the msgpack
/// array <c>[seq (u64), method (str), body (bin)]</c>, a response <c>[seq, error (str or nil), body (bin)]</c>.
/// The sequence number matches a response to its request on a multiplexed connection. Decoding
/// checks types, counts and trailing bytes and reports a malformed payload as a value.
/// </summary>
internal static class RpcCodec
{
    /// <summary>256 characters: the longest method name a request may carry.</summary>
    public const int MethodCharsMax = 256;

    /// <summary>Appends the frame of a request.</summary>
    /// <exception cref="ArgumentException">The body makes the frame larger than <see cref="WireFrame.PayloadBytesMax"/>.</exception>
    public static void WriteRequest(IBufferWriter<byte> destination, ulong sequence, string method, ReadOnlySpan<byte> body)
    {
        var payload = new ArrayBufferWriter<byte>(32 + method.Length + body.Length);
        var writer = new MessagePackWriter(payload);
        writer.WriteArrayHeader(3);
        writer.Write(sequence);
        writer.Write(method);
        writer.Write(body);
        writer.Flush();
        WireFrame.Write(destination, payload.WrittenSpan);
    }

    /// <summary>Appends the frame of a response: an error (and an empty body), or a body.</summary>
    /// <exception cref="ArgumentException">The body makes the frame larger than <see cref="WireFrame.PayloadBytesMax"/>.</exception>
    public static void WriteResponse(IBufferWriter<byte> destination, ulong sequence, string? error, ReadOnlySpan<byte> body)
    {
        var payload = new ArrayBufferWriter<byte>(32 + (error?.Length ?? 0) + body.Length);
        var writer = new MessagePackWriter(payload);
        writer.WriteArrayHeader(3);
        writer.Write(sequence);
        if (error is null)
        {
            writer.WriteNil();
        }
        else
        {
            writer.Write(error);
        }
        writer.Write(body);
        writer.Flush();
        WireFrame.Write(destination, payload.WrittenSpan);
    }

    /// <summary>Decodes a request payload; false with the reason when it is malformed. Never throws.</summary>
    public static bool TryReadRequest(ReadOnlyMemory<byte> payload, out RpcRequest request, out string problem)
    {
        request = default;
        try
        {
            var reader = new MessagePackReader(payload);
            if (reader.NextMessagePackType != MessagePackType.Array || reader.ReadArrayHeader() != 3) return Fail("a request is a msgpack array of 3 fields", out problem);
            var sequence = reader.ReadUInt64();
            if (reader.NextMessagePackType != MessagePackType.String) return Fail("a request's method is not a string", out problem);
            var method = reader.ReadString()!;
            if (method.Length is 0 or > MethodCharsMax) return Fail($"a request's method has {method.Length} characters (1 to {MethodCharsMax})", out problem);
            if (reader.NextMessagePackType != MessagePackType.Binary) return Fail("a request's body is not msgpack bin", out problem);
            var body = reader.ReadBytes()!.Value;
            if (!reader.End) return Fail("a request has trailing bytes", out problem);
            request = new RpcRequest(sequence, method, payload.Slice((int)(reader.Consumed - body.Length), (int)body.Length));
            problem = "";
            return true;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return Fail($"malformed request: {ex.Message}", out problem);
        }
    }

    /// <summary>Decodes a response payload; false with the reason when it is malformed. Never throws.</summary>
    public static bool TryReadResponse(ReadOnlyMemory<byte> payload, out RpcResponse response, out string problem)
    {
        response = default;
        try
        {
            var reader = new MessagePackReader(payload);
            if (reader.NextMessagePackType != MessagePackType.Array || reader.ReadArrayHeader() != 3) return Fail("a response is a msgpack array of 3 fields", out problem);
            var sequence = reader.ReadUInt64();
            string? error = null;
            if (!reader.TryReadNil())
            {
                if (reader.NextMessagePackType != MessagePackType.String) return Fail("a response's error is neither a string nor nil", out problem);
                error = reader.ReadString();
            }
            if (reader.NextMessagePackType != MessagePackType.Binary) return Fail("a response's body is not msgpack bin", out problem);
            var body = reader.ReadBytes()!.Value.ToArray();
            if (!reader.End) return Fail("a response has trailing bytes", out problem);
            response = new RpcResponse(sequence, error, body);
            problem = "";
            return true;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return Fail($"malformed response: {ex.Message}", out problem);
        }
    }

    private static bool Fail(string reason, out string problem)
    {
        problem = reason;
        return false;
    }
}

/// <summary>A decoded request: its sequence number, method, and body (a slice of the frame).</summary>
internal readonly record struct RpcRequest(ulong Sequence, string Method, ReadOnlyMemory<byte> Body);

/// <summary>A decoded response: the sequence number of its request, the error (null on success), and the body.</summary>
internal readonly record struct RpcResponse(ulong Sequence, string? Error, byte[] Body);
