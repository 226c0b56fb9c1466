namespace Praetor.Gossip.Serf;

/// <summary>
/// What the Serf core asks its host to do, taken with <see cref="SerfCore.TakeOutput"/>. Every
/// message is encoded (type byte first) and owned by the host from then on.
/// </summary>
public sealed class SerfOutput
{
    /// <summary>Join/leave intents to queue on Serf's intent broadcast queue (serf.broadcasts).</summary>
    public List<byte[]> IntentBroadcasts { get; } = [];

    /// <summary>User events to queue on the event broadcast queue (serf.eventBroadcasts).</summary>
    public List<byte[]> EventBroadcasts { get; } = [];

    /// <summary>Queries to queue on the query broadcast queue (serf.queryBroadcasts).</summary>
    public List<byte[]> QueryBroadcasts { get; } = [];

    /// <summary>Messages to send straight to one node as a memberlist user message (query acks, relays).</summary>
    public List<(byte[] Addr, ushort Port, string Node, byte[] Message)> DirectSends { get; } = [];

    /// <summary>Failed members to try a memberlist join to (reconnect).</summary>
    public List<SerfMember> Reconnects { get; } = [];

    /// <summary>Events for handlers, after coalescing, in order.</summary>
    public List<SerfEvent> Events { get; } = [];

    /// <summary>Messages dropped because they could not be decoded, by reason (the host turns these into metrics).</summary>
    public List<Wire.SerfDecodeError> DecodeErrors { get; } = [];

    public bool IsEmpty =>
        IntentBroadcasts.Count == 0 && EventBroadcasts.Count == 0 && QueryBroadcasts.Count == 0 &&
        DirectSends.Count == 0 && Reconnects.Count == 0 && Events.Count == 0 && DecodeErrors.Count == 0;
}
