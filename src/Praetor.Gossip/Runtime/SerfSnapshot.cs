using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using Praetor.Gossip.Serf;

namespace Praetor.Gossip.Runtime;

/// <summary>A member alive when the snapshot was written: a candidate to rejoin through (snapshot.go PreviousNode).</summary>
/// <param name="Name">The member's node name.</param>
/// <param name="Addr">Its address as the snapshot holds it, <c>ip:port</c> (<c>[ipv6]:port</c>).</param>
public sealed record PreviousNode(string Name, string Addr)
{
    /// <inheritdoc />
    public override string ToString() => $"{Name}: {Addr}";
}

/// <summary>What replaying a snapshot left: the members still alive at its end and the last three Lamport clocks.</summary>
internal sealed record SnapshotState(IReadOnlyDictionary<string, string> AliveNodes, RestoredClocks Clocks);

/// <summary>
/// Serf's snapshot text format (serf/snapshot.go), one record a line: <c>alive: &lt;name&gt; &lt;ip:port&gt;</c>,
/// <c>not-alive: &lt;name&gt;</c>, <c>clock: N</c>, <c>event-clock: N</c>, <c>query-clock: N</c>,
/// <c>leave</c>, and <c># comments</c>. Reading never fails on content: a line that does not parse
/// is skipped with a warning, as Serf's replay does.
/// </summary>
internal static class SerfSnapshotFormat
{
    public const string Alive = "alive: ";
    public const string NotAlive = "not-alive: ";
    public const string Clock = "clock: ";
    public const string EventClock = "event-clock: ";
    public const string QueryClock = "query-clock: ";
    public const string Coordinate = "coordinate: ";
    public const string Leave = "leave";

    /// <summary>
    /// Replays <paramref name="text"/> from its start. A <c>leave</c> forgets the members alive
    /// before it unless <paramref name="rejoinAfterLeave"/>; unlike Serf, which also zeroes the
    /// clocks there, the clocks are kept, so events from before a leave are not delivered again
    /// after the restart. A last line without its newline (a torn write) is ignored.
    /// </summary>
    public static SnapshotState Replay(string text, bool rejoinAfterLeave, ILogger logger)
    {
        var alive = new Dictionary<string, string>(StringComparer.Ordinal);
        ulong clock = 0, eventClock = 0, queryClock = 0;
        var start = 0;
        while (start < text.Length)
        {
            var end = text.IndexOf('\n', start);
            if (end < 0)
            {
                SnapshotLog.TornLine(logger, text[start..]);
                break;
            }
            var line = text[start..end];
            start = end + 1;
            if (line.StartsWith(Alive, StringComparison.Ordinal))
            {
                var info = line[Alive.Length..];
                var space = info.LastIndexOf(' ');
                if (space < 1 || !TryParseAddr(info[(space + 1)..], out _))
                {
                    SnapshotLog.BadAddress(logger, line);
                    continue;
                }
                alive[info[..space]] = info[(space + 1)..];
            }
            else if (line.StartsWith(NotAlive, StringComparison.Ordinal))
            {
                alive.Remove(line[NotAlive.Length..]);
            }
            else if (line.StartsWith(Clock, StringComparison.Ordinal))
            {
                if (TryTime(line, Clock, logger, out var time)) clock = time;
            }
            else if (line.StartsWith(EventClock, StringComparison.Ordinal))
            {
                if (TryTime(line, EventClock, logger, out var time)) eventClock = time;
            }
            else if (line.StartsWith(QueryClock, StringComparison.Ordinal))
            {
                if (TryTime(line, QueryClock, logger, out var time)) queryClock = time;
            }
            else if (line.StartsWith(Coordinate, StringComparison.Ordinal) || line.StartsWith('#'))
            {
                // Coordinates of old snapshots are not restored (Serf re-converges); comments are skipped.
            }
            else if (line == Leave)
            {
                if (rejoinAfterLeave) SnapshotLog.IgnoringLeave(logger);
                else alive.Clear();
            }
            else
            {
                SnapshotLog.Unrecognized(logger, line);
            }
        }
        return new SnapshotState(alive, new RestoredClocks(clock, eventClock, queryClock));
    }

    /// <summary>Parses a snapshot address, <c>ip:port</c> (<c>[ipv6]:port</c>); a missing or zero port is refused.</summary>
    public static bool TryParseAddr(string addr, out System.Net.IPEndPoint endpoint)
    {
        if (System.Net.IPEndPoint.TryParse(addr, out var parsed) && parsed.Port > 0)
        {
            endpoint = parsed;
            return true;
        }
        endpoint = new System.Net.IPEndPoint(System.Net.IPAddress.None, 0);
        return false;
    }

    /// <summary>A member's address as its <c>alive</c> line holds it, or null for a name that would break the line format (a newline in it) or an address that is not IP.</summary>
    public static string? AliveAddr(SerfMember member) =>
        IsWritableName(member.Name) && member.Addr.Length is 4 or 16
            ? new System.Net.IPEndPoint(new System.Net.IPAddress(member.Addr), member.Port).ToString()
            : null;

    /// <summary>A name that fits on one line: not empty, and without a line break.</summary>
    public static bool IsWritableName(string name) => name.Length > 0 && name.IndexOfAny(['\n', '\r']) < 0;

    private static bool TryTime(string line, string prefix, ILogger logger, out ulong time)
    {
        if (ulong.TryParse(line.AsSpan(prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out time)) return true;
        SnapshotLog.BadClock(logger, line);
        return false;
    }

    /// <summary>UTF-8 without a byte order mark, as Go writes text.</summary>
    public static readonly Encoding Utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);
}

/// <summary>The snapshot's log lines (Serf's wording where it has one).</summary>
internal static partial class SnapshotLog
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "serf: Failed to parse address: {Line}")]
    public static partial void BadAddress(ILogger logger, string line);

    [LoggerMessage(Level = LogLevel.Warning, Message = "serf: Failed to convert clock time: {Line}")]
    public static partial void BadClock(ILogger logger, string line);

    [LoggerMessage(Level = LogLevel.Warning, Message = "serf: Unrecognized snapshot line: {Line}")]
    public static partial void Unrecognized(ILogger logger, string line);

    [LoggerMessage(Level = LogLevel.Warning, Message = "serf: Ignoring an incomplete last snapshot line: {Line}")]
    public static partial void TornLine(ILogger logger, string line);

    [LoggerMessage(Level = LogLevel.Information, Message = "serf: Ignoring previous leave in snapshot")]
    public static partial void IgnoringLeave(ILogger logger);

    [LoggerMessage(Level = LogLevel.Error, Message = "serf: Failed to update snapshot")]
    public static partial void WriteFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "serf: Attempting compaction to recover from error...")]
    public static partial void Recovering(ILogger logger);

    [LoggerMessage(Level = LogLevel.Error, Message = "serf: Compaction failed, will reattempt after {Interval}")]
    public static partial void RecoveryFailed(ILogger logger, Exception exception, TimeSpan interval);

    [LoggerMessage(Level = LogLevel.Information, Message = "serf: Finished compaction, successfully recovered from error state")]
    public static partial void Recovered(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "serf: snapshot writer is behind; {Dropped} events dropped from the snapshot so far")]
    public static partial void Dropped(ILogger logger, long dropped);

    [LoggerMessage(Level = LogLevel.Information, Message = "serf: Attempting re-join to previously known node: {Node}")]
    public static partial void Rejoining(ILogger logger, PreviousNode node);

    [LoggerMessage(Level = LogLevel.Information, Message = "serf: Re-joined to previously known node: {Node}")]
    public static partial void Rejoined(ILogger logger, PreviousNode node);

    [LoggerMessage(Level = LogLevel.Warning, Message = "serf: Failed to re-join any previously known node")]
    public static partial void RejoinFailed(ILogger logger);
}
