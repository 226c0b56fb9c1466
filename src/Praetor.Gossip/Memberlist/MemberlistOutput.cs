using System.Net;

namespace Praetor.Gossip.Memberlist;

/// <summary>Send one UDP packet to <see cref="To"/>: one message as is, several packed as a compound message in this order.</summary>
public sealed record OutboundPacket(IPEndPoint To, string ToNode, IReadOnlyList<object> Messages);

/// <summary>
/// Open a TCP stream to <see cref="To"/>, send <see cref="LocalState"/> as a push/pull (with the
/// join flag), read the remote state, then call <see cref="MemberlistCore.CompletePushPull"/>
/// (or <see cref="MemberlistCore.FailPushPull"/>) within GossipOptions.TcpTimeout.
/// </summary>
public sealed record PushPullRequest(IPEndPoint To, string ToNode, bool Join, IReadOnlyList<PushNodeState> LocalState);

/// <summary>
/// Send <see cref="Ping"/> over TCP to <see cref="To"/> and call
/// <see cref="MemberlistCore.CompleteFallbackPing"/> with whether a matching ack came back before
/// <see cref="Deadline"/> (core time); a result after the deadline is ignored.
/// </summary>
public sealed record FallbackPingRequest(IPEndPoint To, string ToNode, Ping Ping, TimeSpan Deadline);

/// <summary>
/// memberlist's ConflictDelegate: <see cref="Other"/> claims the name of <see cref="Existing"/> from
/// another address; the claim was refused (the existing member is kept).
/// </summary>
public sealed record NameConflict(Member Existing, Member Other);

/// <summary>
/// memberlist's PingDelegate.NotifyPingComplete: our direct probe of <see cref="Node"/> was
/// acked <see cref="Rtt"/> after the ping went out, with the ack's <see cref="Payload"/> (Serf:
/// the peer's network coordinate).
/// </summary>
public sealed record PingCompleted(string Node, TimeSpan Rtt, byte[] Payload);

/// <summary>
/// The work one or more inputs produced, taken with <see cref="MemberlistCore.TakeOutput"/>. The
/// host executes every list in order; nothing in it is retried by the core (UDP is best-effort,
/// and a failed TCP exchange is reported back). The host owns the lists once taken.
/// </summary>
public sealed class MemberlistOutput
{
    /// <summary>UDP packets to send.</summary>
    public List<OutboundPacket> Packets { get; } = [];

    /// <summary>TCP push/pull exchanges to start.</summary>
    public List<PushPullRequest> PushPulls { get; } = [];

    /// <summary>TCP fallback pings to try.</summary>
    public List<FallbackPingRequest> FallbackPings { get; } = [];

    /// <summary>Member events, in the order they happened.</summary>
    public List<MemberEvent> Events { get; } = [];

    /// <summary>Name conflicts seen, in order (the host decides what to do; Serf resolves one about this node by a query).</summary>
    public List<NameConflict> Conflicts { get; } = [];

    /// <summary>Direct probes acked, in order, for the ping delegate.</summary>
    public List<PingCompleted> PingsCompleted { get; } = [];

    /// <summary>Our leave broadcast has been sent its last time (memberlist's Leave waits for this before shutting down).</summary>
    public bool LeaveBroadcastFinished { get; set; }

    /// <summary>True when there is nothing to do.</summary>
    public bool IsEmpty => Packets.Count == 0 && PushPulls.Count == 0 && FallbackPings.Count == 0 && Events.Count == 0 && Conflicts.Count == 0 && PingsCompleted.Count == 0 && !LeaveBroadcastFinished;
}
