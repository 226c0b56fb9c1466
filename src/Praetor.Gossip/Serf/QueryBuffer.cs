namespace Praetor.Gossip.Serf;

/// <summary>
/// Serf's recent queries (queryBuffer, queryClock, queryMinTime): as <see cref="UserEventBuffer"/>,
/// but a query is a duplicate when its slot holds the same time and the same query ID.
/// </summary>
public sealed class QueryBuffer
{
    /// <summary>Serf's default QueryBuffer size.</summary>
    public const int DefaultSize = 512;

    private readonly ulong[] _times;
    private readonly List<uint>?[] _ids;

    public QueryBuffer(LamportClock clock, int size = DefaultSize)
    {
        ArgumentNullException.ThrowIfNull(clock);
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        Clock = clock;
        _times = new ulong[size];
        _ids = new List<uint>?[size];
    }

    /// <summary>The query clock every received query is witnessed on.</summary>
    public LamportClock Clock { get; }

    public int Size => _times.Length;

    /// <summary>queryMinTime: queries before it are ignored (one past the snapshot's query clock after a restart).</summary>
    public ulong MinTime { get; set; }

    /// <summary>Takes in query <paramref name="id"/> at <paramref name="ltime"/> with Serf's rules and order.</summary>
    public DeliveryVerdict Observe(ulong ltime, uint id)
    {
        Clock.Witness(ltime);
        if (ltime < MinTime) return DeliveryVerdict.BeforeMinTime;

        var now = Clock.Time;
        var size = (ulong)_times.Length;
        if (now > size && ltime < now - size) return DeliveryVerdict.TooOld;

        var index = (int)(ltime % size);
        var ids = _ids[index];
        if (ids is not null && _times[index] == ltime)
        {
            if (ids.Contains(id)) return DeliveryVerdict.Duplicate;
        }
        else
        {
            ids = [];
            _ids[index] = ids;
            _times[index] = ltime;
        }
        ids.Add(id);
        return DeliveryVerdict.Deliver;
    }
}
