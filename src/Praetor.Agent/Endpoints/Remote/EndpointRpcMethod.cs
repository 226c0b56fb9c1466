using System.Buffers;
using MessagePack;
using Praetor.Raft;

namespace Praetor.Agent.Endpoints.Remote;

/// <summary>
/// One read of the endpoint layer as an RPC: its name and the encodings of its arguments and
/// result, shared by the caller (<see cref="EndpointRpcClient"/>) and the server's handler
/// (<see cref="Handler"/>), so the two cannot drift apart.
/// </summary>
/// <remarks>
/// The request body is the encoded arguments. The response body is an envelope: <c>[0, result]</c>,
/// or <c>[status, message]</c> for a refusal (<see cref="EndpointRpcStatus"/>), which the caller
/// throws again as the same exception type and kind (<see cref="EndpointException"/>,
/// <see cref="NotLeaderException"/>), so a client agent answers HTTP with the server's status code
/// and text. Malformed input in either direction is an <see cref="EndpointException"/> of kind
/// <see cref="EndpointErrorKind.Failed"/> naming the method; a handler never throws for it.
/// </remarks>
internal sealed class EndpointRpcMethod<TArgs, TResult>(string name, RpcValueCodec<TArgs> args, RpcValueCodec<TResult> result)
{
    /// <summary>The method's name on the wire (Consul's, such as <c>KVS.Get</c>).</summary>
    public string Name => name;

    /// <summary>The request body for <paramref name="arguments"/>.</summary>
    public byte[] EncodeRequest(TArgs arguments) => Encode(args.Write, arguments);

    /// <summary>The result in a response body, or the refusal in it thrown as its exception.</summary>
    public TResult DecodeResponse(byte[] response)
    {
        EndpointRpcStatus status;
        string? message = null;
        TResult value = default!;
        try
        {
            var reader = new MessagePackReader(response);
            if (reader.ReadArrayHeader() != 2)
            {
                throw new InvalidDataException("the envelope is not a pair");
            }
            status = (EndpointRpcStatus)reader.ReadByte();
            if (status == EndpointRpcStatus.Ok)
            {
                value = result.Read(ref reader);
            }
            else
            {
                message = reader.ReadString() ?? throw new InvalidDataException("the error has no message");
            }
            if (!reader.End)
            {
                throw new InvalidDataException("trailing bytes");
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            throw new EndpointException(EndpointErrorKind.Failed, $"malformed {name} response from the server: {ex.Message}");
        }
        return status switch
        {
            EndpointRpcStatus.Ok => value,
            EndpointRpcStatus.BadRequest => throw EndpointException.BadRequest(message!),
            EndpointRpcStatus.NotFound => throw EndpointException.NotFound(message!),
            EndpointRpcStatus.Failed => throw new EndpointException(EndpointErrorKind.Failed, message!),
            EndpointRpcStatus.NotLeader => throw new NotLeaderException(message!),
            _ => throw new EndpointException(EndpointErrorKind.Failed, $"malformed {name} response from the server: unknown status {(byte)status}"),
        };
    }

    /// <summary>
    /// The server's handler: decodes the arguments, runs <paramref name="run"/> (the server's own
    /// endpoint) and encodes its result, or the refusal it threw; malformed arguments are refused
    /// without running anything. Other exceptions (a cancelled call) pass to the RPC server.
    /// </summary>
    public Func<ReadOnlyMemory<byte>, CancellationToken, Task<byte[]>> Handler(Func<TArgs, CancellationToken, Task<TResult>> run) =>
        async (body, cancellationToken) =>
        {
            TArgs arguments;
            try
            {
                var reader = new MessagePackReader(body);
                arguments = args.Read(ref reader);
                if (!reader.End)
                {
                    throw new InvalidDataException("trailing bytes");
                }
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                return Refusal(EndpointRpcStatus.Failed, $"malformed {name} request: {ex.Message}");
            }
            try
            {
                return Encode(WriteOk, await run(arguments, cancellationToken).ConfigureAwait(false));
            }
            catch (EndpointException ex)
            {
                var status = ex.Kind switch
                {
                    EndpointErrorKind.BadRequest => EndpointRpcStatus.BadRequest,
                    EndpointErrorKind.NotFound => EndpointRpcStatus.NotFound,
                    _ => EndpointRpcStatus.Failed,
                };
                return Refusal(status, ex.Message);
            }
            catch (NotLeaderException ex)
            {
                return Refusal(EndpointRpcStatus.NotLeader, ex.Message);
            }
        };

    /// <summary>The response envelope of a result: <c>[0, result]</c>.</summary>
    private void WriteOk(ref MessagePackWriter writer, TResult value)
    {
        writer.WriteArrayHeader(2);
        writer.Write((byte)EndpointRpcStatus.Ok);
        result.Write(ref writer, value);
    }

    /// <summary>The response envelope of a refusal: <c>[status, message]</c>.</summary>
    private static byte[] Refusal(EndpointRpcStatus status, string message) =>
        Encode(static (ref MessagePackWriter writer, (EndpointRpcStatus Status, string Message) refusal) =>
        {
            writer.WriteArrayHeader(2);
            writer.Write((byte)refusal.Status);
            writer.Write(refusal.Message);
        }, (status, message));

    private static byte[] Encode<T>(WriteValue<T> write, T value)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        var writer = new MessagePackWriter(buffer);
        write(ref writer, value);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }
}

/// <summary>The first field of an endpoint RPC response. The numbers are on the wire: never renumber.</summary>
internal enum EndpointRpcStatus : byte
{
    /// <summary>The result follows.</summary>
    Ok = 0,

    /// <summary>An <see cref="EndpointException"/> of kind <see cref="EndpointErrorKind.BadRequest"/>; its message follows.</summary>
    BadRequest = 1,

    /// <summary>An <see cref="EndpointException"/> of kind <see cref="EndpointErrorKind.NotFound"/>.</summary>
    NotFound = 2,

    /// <summary>An <see cref="EndpointException"/> of kind <see cref="EndpointErrorKind.Failed"/>, or malformed input.</summary>
    Failed = 3,

    /// <summary>A <see cref="NotLeaderException"/>: the server could not answer in the consistency asked.</summary>
    NotLeader = 4,
}
