using Microsoft.Extensions.Logging;

namespace Praetor.Agent.Rpc;

/// <summary>The server port's and the agent RPC's log lines (source-generated: nothing is formatted when the level is off).</summary>
internal static partial class RpcLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "rpc: server port listening on {Endpoint}")]
    public static partial void Listening(ILogger logger, System.Net.IPEndPoint endpoint);

    [LoggerMessage(Level = LogLevel.Warning, Message = "rpc: closed the connection from {Remote}: {Reason}")]
    public static partial void ConnectionRejected(ILogger logger, string remote, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "rpc: accepting on the server port failed")]
    public static partial void AcceptFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "rpc: a {Type} connection from {Remote} failed")]
    public static partial void HandlerFailed(ILogger logger, Exception exception, string type, string remote);

    [LoggerMessage(Level = LogLevel.Warning, Message = "rpc: malformed request from {Remote}, closing the connection: {Problem}")]
    public static partial void MalformedRequest(ILogger logger, string remote, string problem);

    [LoggerMessage(Level = LogLevel.Error, Message = "rpc: {Method} from {Remote} failed")]
    public static partial void MethodFailed(ILogger logger, Exception exception, string method, string remote);

    [LoggerMessage(Level = LogLevel.Warning, Message = "rpc: connection to {Address} lost: {Reason}")]
    public static partial void ConnectionLost(ILogger logger, string address, string reason);
}
