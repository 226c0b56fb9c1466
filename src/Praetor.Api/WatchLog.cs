using Microsoft.Extensions.Logging;

namespace Praetor.Api;

/// <summary>The agent's watch log lines, in Consul's words (source-generated: nothing is formatted when the level is off).</summary>
internal static partial class WatchLog
{
    [LoggerMessage(Level = LogLevel.Error, Message = "Watches are not run: they query the agent's HTTP API, which is disabled (ports.http = -1)")]
    public static partial void NoHttpApi(ILogger logger);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Started watch: type={Type}")]
    public static partial void Started(ILogger logger, string type);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stopped watch: type={Type}")]
    public static partial void Stopped(ILogger logger, string type);

    [LoggerMessage(Level = LogLevel.Error, Message = "Watch errored: type={Type} error=\"{Error}\" retry={Retry}")]
    public static partial void Errored(ILogger logger, string type, string error, string retry);

    [LoggerMessage(Level = LogLevel.Error, Message = "Watch ended with an error: type={Type} error=\"{Error}\"")]
    public static partial void Ended(ILogger logger, string type, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Failed to run watch handler: handler=\"{Handler}\" error=\"{Error}\"")]
    public static partial void HandlerFailed(ILogger logger, string handler, string error);

    [LoggerMessage(Level = LogLevel.Debug, Message = "watch handler output: handler=\"{Handler}\" output=\"{Output}\"")]
    public static partial void HandlerOutput(ILogger logger, string handler, string output);

    [LoggerMessage(Level = LogLevel.Error, Message = "http watch handler returned non-2xx status: handler=\"{Path}\" status={Status}")]
    public static partial void HttpStatus(ILogger logger, string path, int status);

    [LoggerMessage(Level = LogLevel.Error, Message = "Failed to invoke http watch handler: handler=\"{Path}\" error=\"{Error}\"")]
    public static partial void HttpFailed(ILogger logger, string path, string error);
}
