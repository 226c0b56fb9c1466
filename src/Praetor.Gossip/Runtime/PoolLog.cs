using System.Net;
using Microsoft.Extensions.Logging;
using Praetor.Gossip.Memberlist;
using Praetor.Gossip.Memberlist.Wire;

namespace Praetor.Gossip.Runtime;

/// <summary>The pool's log lines (source-generated: nothing is formatted when the level is off).</summary>
internal static partial class PoolLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "gossip: {Node} listening on {Bind}, advertising {Advertise}, encrypted: {Encrypted}")]
    public static partial void Started(ILogger logger, string node, EndPoint? bind, IPEndPoint advertise, bool encrypted);

    [LoggerMessage(Level = LogLevel.Information, Message = "gossip: {Node} joined {Count} of {Addresses}")]
    public static partial void Joined(ILogger logger, string node, int count, int addresses);

    [LoggerMessage(Level = LogLevel.Information, Message = "gossip: {Node} left the pool")]
    public static partial void Left(ILogger logger, string node);

    [LoggerMessage(Level = LogLevel.Warning, Message = "gossip: timed out waiting for the {What} to be sent")]
    public static partial void LeaveTimeout(ILogger logger, string what);

    [LoggerMessage(Level = LogLevel.Critical, Message = "gossip: {Node}: an input failed")]
    public static partial void InputFailed(ILogger logger, Exception exception, string node);

    /// <summary>Serf's (and so Consul's) line for a member event: <c>serf: EventMemberJoin: node1 10.0.0.1</c>; an update names the member only.</summary>
    public static void MemberEvent(ILogger logger, MemberEventKind kind, string member, IPEndPoint address)
    {
        if (kind == MemberEventKind.Update) MemberUpdated(logger, member);
        else MemberChanged(logger, kind switch { MemberEventKind.Join => "EventMemberJoin", MemberEventKind.Leave => "EventMemberLeave", _ => "EventMemberFailed" }, member, address.Address);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "serf: {Event}: {Member} {Address}")]
    private static partial void MemberChanged(ILogger logger, string @event, string member, IPAddress address);

    [LoggerMessage(Level = LogLevel.Information, Message = "serf: EventMemberUpdate: {Member}")]
    private static partial void MemberUpdated(ILogger logger, string member);

    [LoggerMessage(Level = LogLevel.Debug, Message = "gossip: {Node} trying to reconnect to failed {Member} at {Address}")]
    public static partial void Reconnecting(ILogger logger, string node, string member, IPEndPoint address);

    [LoggerMessage(Level = LogLevel.Debug, Message = "gossip: UDP send to {To} failed: {Error}")]
    public static partial void SendFailed(ILogger logger, IPEndPoint to, System.Net.Sockets.SocketError error);

    [LoggerMessage(Level = LogLevel.Debug, Message = "gossip: dropped (part of) a packet from {From}: {Error}")]
    public static partial void PacketDropped(ILogger logger, IPEndPoint from, DecodeError error);

    [LoggerMessage(Level = LogLevel.Debug, Message = "gossip: dropped a stream from {From}: {Error}")]
    public static partial void StreamDropped(ILogger logger, EndPoint? from, DecodeError error);

    [LoggerMessage(Level = LogLevel.Debug, Message = "gossip: push/pull with {To} failed: {Failure}")]
    public static partial void PushPullFailed(ILogger logger, IPEndPoint to, string failure);

    [LoggerMessage(Level = LogLevel.Warning, Message = "gossip: failed to respond to query {Query}: {Error}")]
    public static partial void QueryRespondFailed(ILogger logger, string query, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "gossip: {Node}: keyring changed by a keyring query, {Keys} key(s)")]
    public static partial void KeyringChanged(ILogger logger, string node, int keys);

    [LoggerMessage(Level = LogLevel.Warning, Message = "gossip: name conflict for '{Name}': both {Existing} and {Other} are claiming")]
    public static partial void NameConflict(ILogger logger, string name, IPEndPoint existing, IPEndPoint other);

    [LoggerMessage(Level = LogLevel.Error, Message = "gossip: node name conflicts with another node at {Other}. Names must be unique! (Resolution enabled: true)")]
    public static partial void LocalNameConflict(ILogger logger, IPEndPoint other);

    [LoggerMessage(Level = LogLevel.Error, Message = "gossip: invalid conflict query response from {From}: {Error}")]
    public static partial void ConflictAnswerInvalid(ILogger logger, string from, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "gossip: majority in name conflict resolution [{Matching} / {Responses}]")]
    public static partial void ConflictWon(ILogger logger, int matching, int responses);

    [LoggerMessage(Level = LogLevel.Error, Message = "gossip: {Node}: minority in name conflict resolution, quitting [{Matching} / {Responses}]")]
    public static partial void ConflictLost(ILogger logger, string node, int matching, int responses);
}
