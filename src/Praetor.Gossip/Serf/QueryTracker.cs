using System.Threading.Channels;

namespace Praetor.Gossip.Serf;

/// <summary>One node's answer to a query (serf NodeResponse).</summary>
public sealed record SerfNodeResponse(string From, byte[]? Payload);

/// <summary>
/// A query this node sent, collecting answers until <see cref="Deadline"/> (serf QueryResponse):
/// each node's ack and each node's response is delivered once. Both channels are completed when
/// the query finishes; read them from any thread.
/// </summary>
public sealed class SerfQueryResponse
{
    private readonly Channel<string>? _acks;
    private readonly Channel<SerfNodeResponse> _responses;
    private readonly HashSet<string> _ackedBy = new(StringComparer.Ordinal);
    private readonly HashSet<string> _respondedBy = new(StringComparer.Ordinal);

    internal SerfQueryResponse(ulong ltime, uint id, TimeSpan deadline, bool requestAck, int capacity)
    {
        LTime = ltime;
        Id = id;
        Deadline = deadline;
        var options = new BoundedChannelOptions(Math.Max(capacity, 1)) { FullMode = BoundedChannelFullMode.Wait };
        if (requestAck) _acks = Channel.CreateBounded<string>(options);
        _responses = Channel.CreateBounded<SerfNodeResponse>(options);
    }

    /// <summary>The query's Lamport time on the query clock.</summary>
    public ulong LTime { get; }

    /// <summary>The query's random ID.</summary>
    public uint Id { get; }

    /// <summary>When the query stops collecting (core time).</summary>
    public TimeSpan Deadline { get; }

    /// <summary>Names of the nodes that acked, each once; null when no ack was requested.</summary>
    public ChannelReader<string>? Acks => _acks?.Reader;

    /// <summary>The responses, one per node.</summary>
    public ChannelReader<SerfNodeResponse> Responses => _responses.Reader;

    /// <summary>True once closed (at or after the deadline).</summary>
    public bool IsClosed { get; private set; }

    internal QueryResponseVerdict Deliver(QueryResponseMessage message, TimeSpan now)
    {
        if (IsClosed || now > Deadline) return QueryResponseVerdict.Finished;
        if (message.Ack)
        {
            if (_acks is null) return QueryResponseVerdict.Dropped;
            if (_ackedBy.Contains(message.From)) return QueryResponseVerdict.DuplicateAck;
            if (!_acks.Writer.TryWrite(message.From)) return QueryResponseVerdict.Dropped;
            _ackedBy.Add(message.From);
            return QueryResponseVerdict.Ack;
        }
        if (_respondedBy.Contains(message.From)) return QueryResponseVerdict.DuplicateResponse;
        if (!_responses.Writer.TryWrite(new SerfNodeResponse(message.From, message.Payload))) return QueryResponseVerdict.Dropped;
        _respondedBy.Add(message.From);
        return QueryResponseVerdict.Response;
    }

    internal void Close()
    {
        if (IsClosed) return;
        IsClosed = true;
        _acks?.Writer.TryComplete();
        _responses.Writer.TryComplete();
    }
}

/// <summary>What became of one received query response.</summary>
public enum QueryResponseVerdict
{
    /// <summary>A new ack, delivered.</summary>
    Ack,
    /// <summary>A new response, delivered.</summary>
    Response,
    /// <summary>No query of ours is open at that Lamport time.</summary>
    NotRunning,
    /// <summary>A query is open at that time, with another ID.</summary>
    IdMismatch,
    /// <summary>The query is past its deadline.</summary>
    Finished,
    /// <summary>That node had acked already.</summary>
    DuplicateAck,
    /// <summary>That node had responded already.</summary>
    DuplicateResponse,
    /// <summary>More answers than the query has room for (one per member it was sent to), or an ack nobody asked for.</summary>
    Dropped,
}

/// <summary>
/// The queries this node has open, by Lamport time (serf's queryResponse map and handleQueryResponse):
/// a response is matched by time and ID, de-duplicated per node and delivered until the deadline;
/// <see cref="Expire"/> closes what is due. Not thread-safe: the Serf core's loop owns it.
/// </summary>
public sealed class QueryTracker
{
    private readonly Dictionary<ulong, SerfQueryResponse> _open = [];

    /// <summary>Queries still open.</summary>
    public int Count => _open.Count;

    /// <summary>
    /// Opens a query at <paramref name="ltime"/> (one per time: a query at the same time replaces, and
    /// closes, the one before), with room for <paramref name="capacity"/> acks and responses.
    /// </summary>
    public SerfQueryResponse Register(ulong ltime, uint id, TimeSpan deadline, bool requestAck, int capacity)
    {
        if (_open.Remove(ltime, out var previous)) previous.Close();
        var response = new SerfQueryResponse(ltime, id, deadline, requestAck, capacity);
        _open[ltime] = response;
        return response;
    }

    /// <summary>The earliest deadline of an open query (null: none open).</summary>
    public TimeSpan? NextDeadline
    {
        get
        {
            TimeSpan? next = null;
            foreach (var query in _open.Values)
            {
                if (next is null || query.Deadline < next) next = query.Deadline;
            }
            return next;
        }
    }

    /// <summary>Delivers a received ack or response to its query.</summary>
    public QueryResponseVerdict Handle(QueryResponseMessage message, TimeSpan now)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (!_open.TryGetValue(message.LTime, out var query)) return QueryResponseVerdict.NotRunning;
        if (query.Id != message.Id) return QueryResponseVerdict.IdMismatch;
        return query.Deliver(message, now);
    }

    /// <summary>Closes and forgets every query whose deadline has passed.</summary>
    public void Expire(TimeSpan now)
    {
        List<ulong>? due = null;
        foreach (var (ltime, query) in _open)
        {
            if (now >= query.Deadline) (due ??= []).Add(ltime);
        }
        if (due is null) return;
        foreach (var ltime in due)
        {
            _open.Remove(ltime, out var query);
            query!.Close();
        }
    }

    /// <summary>Closes every open query (shutdown).</summary>
    public void CloseAll()
    {
        foreach (var query in _open.Values) query.Close();
        _open.Clear();
    }
}
