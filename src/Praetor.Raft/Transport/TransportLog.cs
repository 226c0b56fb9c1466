using Microsoft.Extensions.Logging;

namespace Praetor.Raft.Transport;

/// <summary>The Raft transport's log lines (source-generated: nothing is formatted when the level is off).</summary>
internal static partial class TransportLog
{
    [LoggerMessage(Level = LogLevel.Debug, Message = "raft: no address for server {Peer}: dropped {Count} messages")]
    public static partial void NoAddress(ILogger logger, ulong peer, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "raft: connection to server {Peer} at {Address} failed, dropped {Count} messages, retrying in {BackoffMs} ms: {Reason}")]
    public static partial void PeerFailed(ILogger logger, ulong peer, string address, int count, double backoffMs, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "raft: connection to server {Peer} at {Address} failed again, dropped {Count} messages: {Reason}")]
    public static partial void PeerStillFailing(ILogger logger, ulong peer, string address, int count, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "raft: connected to server {Peer} at {Address}")]
    public static partial void PeerConnected(ILogger logger, ulong peer, string address);

    [LoggerMessage(Level = LogLevel.Error, Message = "raft: cannot send {Kind} to server {Peer}: {Reason}")]
    public static partial void Unsendable(ILogger logger, string kind, ulong peer, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "raft: dropped a frame from {Remote}: {Problem}")]
    public static partial void FrameDropped(ILogger logger, string remote, string problem);

    [LoggerMessage(Level = LogLevel.Warning, Message = "raft: dropped {Kind} from server {From} to server {To}: this is server {Local}")]
    public static partial void Misaddressed(ILogger logger, string kind, ulong from, ulong to, ulong local);

    [LoggerMessage(Level = LogLevel.Warning, Message = "raft: closed the connection from {Remote}: {Problem}")]
    public static partial void StreamClosed(ILogger logger, string remote, string problem);
}
