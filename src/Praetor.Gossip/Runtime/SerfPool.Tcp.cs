using System.Buffers;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Praetor.Gossip.Runtime;
using Praetor.Gossip.Memberlist;
using Praetor.Gossip.Memberlist.Wire;

namespace Praetor.Gossip;

/// <summary>The pool's TCP side: serving push/pulls, pings and user messages, and starting push/pulls and fallback pings.</summary>
public sealed partial class SerfPool
{
    private StreamOptions StreamOptions => new(_config.Compress, _keyring, EncryptionVersion: 1);

    private async Task RunTcpAcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _tcp.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException)
            {
                continue;
            }
            if (Interlocked.Increment(ref _tcpConnections) > _config.TcpConnectionsMax)
            {
                Interlocked.Decrement(ref _tcpConnections);
                Statistics.TcpRefused();
                client.Dispose();
                continue;
            }
            Statistics.TcpAccepted();
            _ = ServeConnectionAsync(client);
        }
    }

    /// <summary>memberlist's handleConn: one stream message in, at most one answer out, within TcpTimeout.</summary>
    private async Task ServeConnectionAsync(Socket client)
    {
        try
        {
            using var connection = client;
            using var timeout = new CancellationTokenSource(_options.TcpTimeout, _time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, _stop.Token);
            var (message, error) = await ReadStreamMessageAsync(connection, linked.Token);
            switch (message)
            {
                case PushPull remote:
                    var reply = await OnLoop(now => ServePushPull(remote, now));
                    await connection.SendAsync(reply, SocketFlags.None, linked.Token);
                    break;
                case Ping ping:
                    // A ping for another name is dropped unanswered, as memberlist does.
                    if (ping.Node.Length > 0 && ping.Node != _config.NodeName)
                    {
                        Statistics.TcpDropped();
                        break;
                    }
                    await connection.SendAsync(EncodeStream(new AckResp(ping.SeqNo, [])), SocketFlags.None, linked.Token);
                    break;
                case UserMsg user:
                    Post(now => _serf.OnMessage(user.Payload, now));
                    break;
                case null:
                    Statistics.TcpDropped();
                    PoolLog.StreamDropped(_logger, connection.RemoteEndPoint, error);
                    // memberlist tells the peer what went wrong unless the stream simply ended.
                    if (error != DecodeError.Truncated) await connection.SendAsync(EncodeStream(new ErrResp(error.ToString())), SocketFlags.None, linked.Token);
                    break;
                default:
                    Statistics.TcpDropped();
                    break;
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException or GossipException or IOException)
        {
            Statistics.TcpDropped();
        }
        finally
        {
            Interlocked.Decrement(ref _tcpConnections);
        }
    }

    /// <summary>On the loop: our state (read before theirs is merged, as memberlist answers first), then the merge of both layers.</summary>
    private byte[] ServePushPull(PushPull remote, TimeSpan now)
    {
        var userState = _serf.LocalState();
        var nodes = _memberlist.HandlePushPull(remote.Nodes, now);
        if (remote.UserState.Length > 0) _serf.MergeRemoteState(remote.UserState, remote.Join, ignoreOldEvents: false, now);
        return EncodePushPull(new PushPull(remote.Join, nodes, userState));
    }

    /// <summary>A join push/pull with one address (memberlist pushPullNode with join set); the refusal or failure, or null when merged.</summary>
    private async Task<string?> JoinOneAsync(IPEndPoint to, bool ignoreOldEvents, CancellationToken ct)
    {
        var local = await OnLoop(_ => EncodePushPull(new PushPull(true, _memberlist.LocalState(), _serf.LocalState())));
        var (remote, failure) = await ExchangePushPullAsync(to, local, ct);
        return await OnLoop(now => remote is null ? FailPushPull(to, failure!) : MergePushPull(remote, isJoin: true, ignoreOldEvents, now));
    }

    /// <summary>A push/pull the cores asked for (periodic sync, reconnect); its result goes back to the loop.</summary>
    private void StartPushPull(IPEndPoint to, PushPull local, bool ignoreOldEvents)
    {
        var bytes = EncodePushPull(local);
        _ = Task.Run(async () =>
        {
            var (remote, failure) = await ExchangePushPullAsync(to, bytes, CancellationToken.None);
            Post(now =>
            {
                if (remote is null) FailPushPull(to, failure!);
                else MergePushPull(remote, local.Join, ignoreOldEvents, now);
            });
        });
    }

    private string FailPushPull(IPEndPoint to, string failure)
    {
        _memberlist.FailPushPull();
        Statistics.PushPullFailed();
        PoolLog.PushPullFailed(_logger, to, failure);
        return failure;
    }

    /// <summary>memberlist's mergeRemoteState then Serf's MergeRemoteState; the refusal, or null.</summary>
    private string? MergePushPull(PushPull remote, bool isJoin, bool ignoreOldEvents, TimeSpan now)
    {
        var refusal = _memberlist.CompletePushPull(remote.Nodes, now);
        if (refusal is not null)
        {
            Statistics.PushPullFailed();
            return refusal;
        }
        if (remote.UserState.Length > 0) _serf.MergeRemoteState(remote.UserState, isJoin, ignoreOldEvents, now);
        return null;
    }

    /// <summary>sendAndReceiveState: connect, send ours, read theirs, all within TcpTimeout.</summary>
    private async Task<(PushPull? Remote, string? Failure)> ExchangePushPullAsync(IPEndPoint to, byte[] local, CancellationToken ct)
    {
        using var timeout = new CancellationTokenSource(_options.TcpTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, _stop.Token, ct);
        try
        {
            using var socket = new Socket(to.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            await socket.ConnectAsync(to, linked.Token);
            Statistics.TcpConnected();
            await socket.SendAsync(local, SocketFlags.None, linked.Token);
            var (message, error) = await ReadStreamMessageAsync(socket, linked.Token);
            return message switch
            {
                PushPull remote => (remote, null),
                ErrResp err => (null, "remote error: " + err.Error),
                null => (null, "invalid answer: " + error),
                _ => (null, "unexpected answer " + message.GetType().Name),
            };
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return (null, _stop.IsCancellationRequested ? "the pool stopped" : $"timed out after {_options.TcpTimeout.TotalSeconds:0.###} s");
        }
        catch (SocketException e)
        {
            return (null, e.Message);
        }
    }

    /// <summary>The TCP leg of a probe (memberlist sendPingAndWaitForAck): true when the matching ack came back before the probe's deadline.</summary>
    private void StartFallbackPing(FallbackPingRequest request, TimeSpan now)
    {
        var wait = request.Deadline - now;
        if (wait <= TimeSpan.Zero) return;
        var bytes = EncodeStream(request.Ping);
        _ = Task.Run(async () =>
        {
            var contacted = false;
            using var timeout = new CancellationTokenSource(wait, _time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, _stop.Token);
            try
            {
                using var socket = new Socket(request.To.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                await socket.ConnectAsync(request.To, linked.Token);
                Statistics.TcpConnected();
                await socket.SendAsync(bytes, SocketFlags.None, linked.Token);
                var (message, _) = await ReadStreamMessageAsync(socket, linked.Token);
                contacted = message is AckResp ack && ack.SeqNo == request.Ping.SeqNo;
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException)
            {
                // Not contacted.
            }
            Post(at => _memberlist.CompleteFallbackPing(request.Ping.SeqNo, contacted, at));
        });
    }

    /// <summary>
    /// Reads one stream message (readStream): accumulates what arrives until the codec has a
    /// whole message, the stream ends (Truncated), or the codec refuses it. Never throws on bytes;
    /// socket errors and cancellation do.
    /// </summary>
    private async Task<(object? Message, DecodeError Error)> ReadStreamMessageAsync(Socket socket, CancellationToken ct)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(4096);
        var filled = 0;
        try
        {
            while (true)
            {
                if (filled > 0)
                {
                    var status = StreamCodec.TryDecode(buffer.AsSpan(0, filled), _keyring, out var message, out _, out var error);
                    if (status == StreamDecodeStatus.Complete) return (message, DecodeError.None);
                    if (status == StreamDecodeStatus.Invalid) return (null, error);
                }
                if (filled == buffer.Length)
                {
                    // The codec gives up past StreamBytesMax, so the buffer stays bounded near it.
                    var bigger = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, WireLimits.StreamBytesMax + 64));
                    buffer.AsSpan(0, filled).CopyTo(bigger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = bigger;
                    if (filled == buffer.Length) return (null, DecodeError.TooLarge);
                }
                var read = await socket.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None, ct);
                if (read == 0) return (null, DecodeError.Truncated);
                filled += read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private byte[] EncodePushPull(PushPull state)
    {
        var output = new ArrayBufferWriter<byte>(1024);
        StreamCodec.WritePushPull(output, state, StreamOptions);
        return output.WrittenSpan.ToArray();
    }

    private byte[] EncodeStream(object message)
    {
        var output = new ArrayBufferWriter<byte>(256);
        StreamCodec.WriteMessage(output, message, StreamOptions);
        return output.WrittenSpan.ToArray();
    }
}
