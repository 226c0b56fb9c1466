using Praetor.Gossip.Memberlist;
using Praetor.Gossip.Serf;

namespace Praetor.Gossip.Runtime;

/// <summary>
/// Serf's three broadcast queues (serf.broadcasts for intents, queryBroadcasts, eventBroadcasts)
/// and its delegate's GetBroadcasts, which memberlist calls to fill what room a packet has left.
/// Owned by the pool's loop; not thread-safe.
/// </summary>
internal sealed class SerfBroadcastQueues(int retransmitMult)
{
    /// <summary>4096 broadcasts per queue (Serf's MaxQueueDepth); beyond it new ones are dropped and counted.</summary>
    public const int QueueDepthMax = 4096;

    private readonly TransmitLimitedQueue _intents = new(retransmitMult);
    private readonly TransmitLimitedQueue _queries = new(retransmitMult);
    private readonly TransmitLimitedQueue _events = new(retransmitMult);
    private long _nextId;

    /// <summary>Broadcasts dropped because their queue was full.</summary>
    public long Dropped { get; private set; }

    public int Count => _intents.Count + _queries.Count + _events.Count;

    /// <summary>Queues the Serf core's broadcasts, each on its queue; <paramref name="onIntentSent"/> runs when each intent has been sent its last time.</summary>
    public void Enqueue(SerfOutput output, Action? onIntentSent)
    {
        foreach (var raw in output.IntentBroadcasts) Enqueue(_intents, raw, onIntentSent);
        foreach (var raw in output.QueryBroadcasts) Enqueue(_queries, raw, null);
        foreach (var raw in output.EventBroadcasts) Enqueue(_events, raw, null);
    }

    /// <summary>delegate.go GetBroadcasts: intents first, then queries, then events, each in the room the previous left.</summary>
    public IReadOnlyList<byte[]> GetBroadcasts(int overheadBytes, int limitBytes, int numMembers)
    {
        var toSend = new List<byte[]>();
        var used = Take(_intents, toSend, overheadBytes, limitBytes, numMembers);
        used += Take(_queries, toSend, overheadBytes, limitBytes - used, numMembers);
        Take(_events, toSend, overheadBytes, limitBytes - used, numMembers);
        return toSend;
    }

    private static int Take(TransmitLimitedQueue queue, List<byte[]> toSend, int overheadBytes, int limitBytes, int numMembers)
    {
        if (queue.Count == 0 || limitBytes <= overheadBytes) return 0;
        var used = 0;
        foreach (var message in queue.GetBroadcasts(overheadBytes, limitBytes, numMembers))
        {
            var raw = (byte[])message;
            toSend.Add(raw);
            used += raw.Length + overheadBytes;
        }
        return used;
    }

    private void Enqueue(TransmitLimitedQueue queue, byte[] message, Action? onFinished)
    {
        if (message.Length == 0) return;
        if (queue.Count >= QueueDepthMax)
        {
            Dropped++;
            onFinished?.Invoke();
            return;
        }
        // Serf's broadcasts never replace one another: each gets a name of its own.
        queue.Enqueue("serf#" + (++_nextId), message, message.Length, onFinished);
    }
}
