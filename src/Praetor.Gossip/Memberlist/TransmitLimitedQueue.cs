namespace Praetor.Gossip.Memberlist;

/// <summary>
/// Broadcasts waiting to be piggybacked (memberlist queue.go). Each is sent at most
/// RetransmitMult × ceil(log10(N+1)) times; the least-transmitted go first, then the largest,
/// then the newest. A broadcast about a member replaces any older one about the same member, so
/// the queue holds at most one entry per member name (that bounds it).
/// </summary>
public sealed class TransmitLimitedQueue
{
    private readonly SortedSet<Entry> _queue = new(EntryOrder.Instance);
    private readonly Dictionary<string, Entry> _byName = new(StringComparer.Ordinal);
    private long _idGen;

    /// <param name="retransmitMult">GossipOptions.RetransmitMult.</param>
    public TransmitLimitedQueue(int retransmitMult) => RetransmitMult = retransmitMult;

    /// <summary>The multiplier of the retransmit limit.</summary>
    public int RetransmitMult { get; }

    /// <summary>Broadcasts queued.</summary>
    public int Count => _queue.Count;

    /// <summary>retransmitMult × ceil(log10(n+1)) (util.go retransmitLimit).</summary>
    public static int RetransmitLimit(int retransmitMult, int numMembers) =>
        retransmitMult * (int)Math.Ceiling(Math.Log10(numMembers + 1.0));

    /// <summary>
    /// Queues <paramref name="message"/> about member <paramref name="name"/>, dropping (and
    /// finishing) an older broadcast about the same member. <paramref name="onFinished"/> runs when
    /// the broadcast leaves the queue: sent its last time, or replaced.
    /// </summary>
    public void Enqueue(string name, object message, int sizeBytes, Action? onFinished = null)
    {
        _idGen = _idGen == long.MaxValue ? 1 : _idGen + 1;
        if (_byName.Remove(name, out var old))
        {
            _queue.Remove(old);
            old.OnFinished?.Invoke();
        }
        var entry = new Entry(name, message, sizeBytes, _idGen, onFinished) { Transmits = 0 };
        _queue.Add(entry);
        _byName[name] = entry;
    }

    /// <summary>True when a broadcast about <paramref name="name"/> is queued.</summary>
    public bool Contains(string name) => _byName.ContainsKey(name);

    /// <summary>The queued message about <paramref name="name"/>, or null.</summary>
    public object? Find(string name) => _byName.TryGetValue(name, out var e) ? e.Message : null;

    /// <summary>
    /// Takes broadcasts that fit in <paramref name="limitBytes"/>, counting
    /// <paramref name="overheadBytes"/> per message, and counts one transmission for each
    /// (queue.go GetBroadcasts). Each message is returned at most once per call.
    /// </summary>
    public List<object> GetBroadcasts(int overheadBytes, int limitBytes, int numMembers)
    {
        var toSend = new List<object>();
        if (_queue.Count == 0) return toSend;
        var transmitLimit = RetransmitLimit(RetransmitMult, numMembers);
        var reinsert = new List<Entry>();
        var bytesUsed = 0;
        var minTransmits = _queue.Min!.Transmits;
        var maxTransmits = _queue.Max!.Transmits;
        for (var transmits = minTransmits; transmits <= maxTransmits;)
        {
            var free = limitBytes - bytesUsed - overheadBytes;
            if (free <= 0) break;
            // In this order, the entries at this transmit count that fit in `free` start at
            // (transmits, free, max id): the largest fitting message, newest first.
            var from = new Entry("", null!, free, long.MaxValue, null) { Transmits = transmits };
            var to = new Entry("", null!, int.MaxValue, long.MaxValue, null) { Transmits = transmits + 1 };
            var view = _queue.GetViewBetween(from, to);
            var keep = view.Count == 0 ? null : view.Min;
            if (keep is null || keep.Transmits != transmits)
            {
                transmits++;
                continue;
            }
            bytesUsed += overheadBytes + keep.SizeBytes;
            toSend.Add(keep.Message);
            _queue.Remove(keep);
            _byName.Remove(keep.Name);
            if (keep.Transmits + 1 >= transmitLimit)
            {
                keep.OnFinished?.Invoke();
            }
            else
            {
                keep.Transmits++;
                reinsert.Add(keep);
            }
        }
        foreach (var e in reinsert)
        {
            _queue.Add(e);
            _byName[e.Name] = e;
        }
        return toSend;
    }

    /// <summary>Transmission count of the broadcast about <paramref name="name"/>, or -1 when none is queued (for tests).</summary>
    public int TransmitsOf(string name) => _byName.TryGetValue(name, out var e) ? e.Transmits : -1;

    private sealed class Entry(string name, object message, int sizeBytes, long id, Action? onFinished)
    {
        public string Name { get; } = name;
        public object Message { get; } = message;
        public int SizeBytes { get; } = sizeBytes;
        public long Id { get; } = id;
        public Action? OnFinished { get; } = onFinished;
        public int Transmits { get; set; }
    }

    /// <summary>Fewest transmits first, then largest, then newest (queue.go limitedBroadcast.Less).</summary>
    private sealed class EntryOrder : IComparer<Entry>
    {
        public static readonly EntryOrder Instance = new();

        public int Compare(Entry? x, Entry? y)
        {
            if (ReferenceEquals(x, y)) return 0;
            if (x is null) return -1;
            if (y is null) return 1;
            if (x.Transmits != y.Transmits) return x.Transmits.CompareTo(y.Transmits);
            if (x.SizeBytes != y.SizeBytes) return y.SizeBytes.CompareTo(x.SizeBytes);
            return y.Id.CompareTo(x.Id);
        }
    }
}
