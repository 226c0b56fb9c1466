using System.Buffers;
using MessagePack;
using Praetor.Agent.Rpc;
using Praetor.Raft;
using Praetor.State.Commands;

namespace Praetor.Agent.Cluster;

/// <summary>
/// The log an agent's endpoints write through and read behind, in a cluster (Consul's RPC
/// forwarding): on the leader, the local <see cref="RaftLog"/>; on a follower the command goes
/// to the leader over RPC (<see cref="ApplyMethod"/>), and a read's barrier is the leader's read
/// index (<see cref="ReadIndexMethod"/>) that the follower then waits to have applied, so it
/// answers default and <c>consistent</c> reads from its own state. A client agent has no local log:
/// its writes go to a server (<see cref="PickServer"/>), which forwards them in turn.
/// </summary>
/// <remarks>
/// A forwarded write is retried only when the leader refused it unproposed ("No cluster leader",
/// "not the leader"), or when no leader was known, until <see cref="HoldTimeout"/> (Consul's
/// <c>rpc_hold_timeout</c>): a write that may have been proposed is never sent twice.
/// </remarks>
public sealed class ForwardingLog : IReplicatedLog
{
    /// <summary>Consul's rpc_hold_timeout: how long a request waits for a leader before failing.</summary>
    public static readonly TimeSpan HoldTimeout = TimeSpan.FromSeconds(7);

    /// <summary>RPC: a command to apply; answered with <c>[index, response]</c>.</summary>
    public const string ApplyMethod = "Raft.Apply";

    /// <summary>RPC: <c>[allowLease: 1 or 0]</c>; answered with <c>[index]</c>, the leader's read index (applied on the leader).</summary>
    public const string ReadIndexMethod = "Raft.ReadIndex";

    /// <summary>How long one forwarded call may take before it counts as lost.</summary>
    public static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan RetryPause = TimeSpan.FromMilliseconds(50);

    private readonly RaftLog? _local;
    private readonly RpcClient _rpc;
    private readonly Func<string?> _pickServer;
    private readonly Action _serverFailed;
    private readonly TimeProvider _time;

    /// <param name="local">This server's log; null on a client agent.</param>
    /// <param name="rpc">The agent's RPC client.</param>
    /// <param name="pickServer">On a client: the RPC address of a server to send to (null when none is known).</param>
    /// <param name="serverFailed">On a client: told when the picked server could not be reached, so the next pick is another.</param>
    /// <param name="time">The clock of the hold timeout.</param>
    public ForwardingLog(RaftLog? local, RpcClient rpc, Func<string?> pickServer, Action serverFailed, TimeProvider time)
    {
        _local = local;
        _rpc = rpc;
        _pickServer = pickServer;
        _serverFailed = serverFailed;
        _time = time;
    }

    /// <inheritdoc/>
    public LeaderState Leader => _local?.Leader ?? new LeaderState(IsLeader: false, LeaderAddress: "", TimeSpan.Zero);

    /// <inheritdoc/>
    public IReadOnlyList<string> Peers => _local?.Peers ?? [];

    /// <summary>Where requests for the leader go: the leader's address on a server, a server's on a client; null when unknown.</summary>
    private string? Target() => _local is null ? _pickServer() : _local.Leader is { KnownLeader: true } leader ? leader.LeaderAddress : null;

    /// <inheritdoc/>
    public async Task<ApplyResult> ApplyAsync(ReadOnlyMemory<byte> command, CancellationToken cancellationToken)
    {
        var deadline = _time.GetTimestamp() + (long)(HoldTimeout.TotalSeconds * _time.TimestampFrequency);
        while (true)
        {
            Exception refusal;
            try
            {
                if (_local is { Leader.IsLeader: true })
                {
                    return await _local.ApplyAsync(command, cancellationToken).ConfigureAwait(false);
                }
                var target = Target();
                if (target is null)
                {
                    refusal = new NotLeaderException("No cluster leader");
                }
                else
                {
                    var reply = await _rpc.CallAsync(target, ApplyMethod, command, CallTimeout, cancellationToken).ConfigureAwait(false);
                    var (index, response) = DecodeApplyReply(reply);
                    if (_local is not null)
                    {
                        // Read your writes: this server answers reads after the write returns.
                        await _local.WaitAppliedAsync(index, cancellationToken).ConfigureAwait(false);
                    }
                    return new ApplyResult(index, response);
                }
            }
            catch (NotLeaderException ex) when (IsUnproposed(ex.Message))
            {
                refusal = ex;
            }
            catch (RpcErrorException ex) when (IsUnproposed(ex.Message))
            {
                refusal = new NotLeaderException(ex.Message);
            }
            catch (RpcErrorException ex)
            {
                throw new NotLeaderException(ex.Message);
            }
            catch (RpcUnavailableException ex) when (ex.Unsent)
            {
                // Never sent: another server (a client's next pick, or the leader gossip names next) may take it.
                _serverFailed();
                refusal = new NotLeaderException($"rpc error: {ex.Message}");
            }
            catch (RpcUnavailableException ex)
            {
                throw new NotLeaderException($"rpc error: {ex.Message}");
            }
            await PauseOrFailAsync(deadline, refusal, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The read barrier of a default (<paramref name="allowLease"/>) or <c>consistent</c> read:
    /// the leader's read index (its lease, or a heartbeat round), once this server has applied
    /// through it, so a follower answers from its own state. A client has no state to read:
    /// its reads run on a server, so it has no read index (0).
    /// </summary>
    public async Task<ulong> ReadIndexAsync(bool allowLease, CancellationToken cancellationToken)
    {
        if (_local is null)
        {
            return 0;
        }
        var deadline = _time.GetTimestamp() + (long)(HoldTimeout.TotalSeconds * _time.TimestampFrequency);
        while (true)
        {
            Exception refusal;
            try
            {
                if (_local.Leader.IsLeader)
                {
                    return await _local.ReadIndexAsync(allowLease, cancellationToken).ConfigureAwait(false);
                }
                var target = Target();
                if (target is null)
                {
                    refusal = new NotLeaderException("No cluster leader");
                }
                else
                {
                    var reply = await _rpc.CallAsync(target, ReadIndexMethod, EncodeIndex(allowLease ? 1UL : 0UL), CallTimeout, cancellationToken).ConfigureAwait(false);
                    var index = DecodeIndex(reply);
                    await _local.WaitAppliedAsync(index, cancellationToken).ConfigureAwait(false);
                    return index;
                }
            }
            catch (NotLeaderException ex)
            {
                refusal = ex;
            }
            catch (RpcErrorException ex)
            {
                refusal = new NotLeaderException(ex.Message);
            }
            catch (RpcUnavailableException ex)
            {
                refusal = new NotLeaderException($"rpc error: {ex.Message}");
            }
            await PauseOrFailAsync(deadline, refusal, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Serves <see cref="ApplyMethod"/> on a server: applies (forwarding again when this server does not lead) and encodes the result.</summary>
    public async Task<byte[]> ServeApplyAsync(ReadOnlyMemory<byte> command, CancellationToken cancellationToken)
    {
        ApplyResult result;
        try
        {
            result = await ApplyAsync(command, cancellationToken).ConfigureAwait(false);
        }
        catch (NotLeaderException ex)
        {
            throw new RpcErrorException(ex.Message);
        }
        return EncodeApplyReply(result);
    }

    /// <summary>Serves <see cref="ReadIndexMethod"/> on the leader: its read index, once applied here.</summary>
    public async Task<byte[]> ServeReadIndexAsync(ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        var allowLease = DecodeIndex(body) != 0;
        if (_local is null)
        {
            throw new RpcErrorException("No cluster leader");
        }
        try
        {
            return EncodeIndex(await _local.ReadIndexAsync(allowLease, cancellationToken).ConfigureAwait(false));
        }
        catch (NotLeaderException ex)
        {
            throw new RpcErrorException(ex.Message);
        }
    }

    /// <inheritdoc/>
    public Task WaitAppliedAsync(ulong index, CancellationToken cancellationToken) =>
        _local?.WaitAppliedAsync(index, cancellationToken) ?? Task.CompletedTask;

    private async Task PauseOrFailAsync(long deadline, Exception refusal, CancellationToken cancellationToken)
    {
        if (_time.GetElapsedTime(_time.GetTimestamp(), deadline) <= TimeSpan.Zero)
        {
            throw refusal;
        }
        await Task.Delay(RetryPause, _time, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A refusal that proves the command was not proposed, so sending it again cannot apply it twice.</summary>
    private static bool IsUnproposed(string message) =>
        message == "No cluster leader" || message.StartsWith("not the leader", StringComparison.Ordinal);

    private static byte[] EncodeApplyReply(ApplyResult result)
    {
        var buffer = new ArrayBufferWriter<byte>(64);
        var writer = new MessagePackWriter(buffer);
        writer.WriteArrayHeader(2);
        writer.Write(result.Index);
        ApplyResponseCodec.Write(ref writer, result.Response);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    private static (ulong Index, object? Response) DecodeApplyReply(ReadOnlyMemory<byte> reply)
    {
        try
        {
            var reader = new MessagePackReader(reply);
            if (reader.ReadArrayHeader() != 2)
            {
                throw new RpcErrorException("rpc: malformed apply reply");
            }
            var index = reader.ReadUInt64();
            var response = ApplyResponseCodec.Read(ref reader);
            return (index, response);
        }
        catch (MessagePackSerializationException ex)
        {
            throw new RpcErrorException($"rpc: malformed apply reply: {ex.Message}");
        }
    }

    /// <summary>A number as the msgpack <c>[n]</c> of the RPC bodies here.</summary>
    internal static byte[] EncodeIndex(ulong index)
    {
        var buffer = new ArrayBufferWriter<byte>(16);
        var writer = new MessagePackWriter(buffer);
        writer.WriteArrayHeader(1);
        writer.Write(index);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Reads <c>[n]</c>; <see cref="RpcErrorException"/> when malformed.</summary>
    internal static ulong DecodeIndex(ReadOnlyMemory<byte> reply)
    {
        try
        {
            var reader = new MessagePackReader(reply);
            if (reader.ReadArrayHeader() != 1)
            {
                throw new RpcErrorException("rpc: malformed body: expected [number]");
            }
            return reader.ReadUInt64();
        }
        catch (MessagePackSerializationException ex)
        {
            throw new RpcErrorException($"rpc: malformed body: {ex.Message}");
        }
    }

    /// <summary>The local log is the cluster's to stop; nothing of its own to release.</summary>
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
