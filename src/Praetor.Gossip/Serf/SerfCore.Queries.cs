using Praetor.Gossip.Serf.Wire;

namespace Praetor.Gossip.Serf;

public sealed partial class SerfCore
{
    private readonly Dictionary<(ulong LTime, uint Id), TimeSpan> _responded = [];

    /// <summary>The queries this node sent that are still collecting answers.</summary>
    public QueryTracker OpenQueries { get; } = new();

    /// <summary>
    /// Sends a query from this node (Serf.Query): encodes the filters, stamps it with the query
    /// clock and a random ID, checks the size limit, opens its response tracker, handles it
    /// locally (so this node acks and answers too) and queues its broadcast.
    /// <paramref name="param"/>'s timeout must be set (the host fills in Serf's default). False
    /// with Serf's message when the protocol is too old or the query too large.
    /// </summary>
    public bool TryQuery(string name, byte[]? payload, QueryParam param, TimeSpan now, out SerfQueryResponse? response, out string? error)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(param);
        if (param.Timeout <= TimeSpan.Zero) throw new ArgumentException("the query timeout must be set", nameof(param));
        response = null;
        if (_options.ProtocolVersion < 4)
        {
            error = "Feature not supported";
            return false;
        }
        var self = _members.TryGetValue(LocalName, out var local) ? local : null;
        var query = new QueryMessage(
            QueryClock.Time,
            (uint)_random.Next(),
            self?.Addr ?? [],
            self?.Port ?? 0,
            LocalName,
            param.EncodeFilters(),
            param.RequestAck ? QueryMessage.FlagAck : 0,
            param.RelayFactor,
            param.Timeout.Ticks * 100,
            name,
            payload);
        var raw = SerfCodec.Encode(query);
        if (raw.Length > _options.QuerySizeBytesMax)
        {
            error = $"query exceeds limit of {_options.QuerySizeBytesMax} bytes";
            return false;
        }
        response = OpenQueries.Register(query.LTime, query.Id, now + param.Timeout, param.RequestAck, AliveMembers());
        HandleQuery(query, now);
        _output.QueryBroadcasts.Add(raw);
        error = null;
        return true;
    }

    /// <summary>
    /// Answers a received query (Query.Respond): once, before its deadline, within the response size
    /// limit; sent straight to the querying node and relayed through up to its relay factor of
    /// other members. Null on success, else Serf's reason.
    /// </summary>
    public string? Respond(SerfQueryEvent query, byte[]? payload, TimeSpan now)
    {
        ArgumentNullException.ThrowIfNull(query);
        var response = new QueryResponseMessage(query.LTime, query.Id, LocalName, 0, payload);
        var raw = SerfCodec.Encode(response);
        if (raw.Length > _options.QueryResponseSizeBytesMax) return $"response exceeds limit of {_options.QueryResponseSizeBytesMax} bytes";
        if (_responded.ContainsKey((query.LTime, query.Id))) return "response already sent";
        if (now > query.Deadline) return "response is past the deadline";
        _output.DirectSends.Add((query.SourceAddr ?? [], query.SourcePort, query.SourceNode, raw));
        _responded[(query.LTime, query.Id)] = query.Deadline;
        return RelayResponse(query.RelayFactor, query.SourceAddr, query.SourcePort, query.SourceNode, raw);
    }

    /// <summary>True when <paramref name="payload"/>, as a response to <paramref name="query"/>, fits the response size limit.</summary>
    public bool ResponseFits(SerfQueryEvent query, byte[]? payload)
    {
        ArgumentNullException.ThrowIfNull(query);
        return SerfCodec.Encode(new QueryResponseMessage(query.LTime, query.Id, LocalName, 0, payload)).Length <= _options.QueryResponseSizeBytesMax;
    }

    /// <summary>What this node knows of member <paramref name="name"/>, as the name-conflict query answers (null: unknown).</summary>
    public ConflictMember? ConflictView(string name)
    {
        if (!_members.TryGetValue(name, out var m)) return null;
        var v = m.Vsn;
        return new ConflictMember(m.Name, m.Addr, m.Port, m.Tags, m.Status, v.ProtocolMin, v.ProtocolMax, v.ProtocolCurrent, v.DelegateMin, v.DelegateMax, v.DelegateCurrent);
    }

    /// <summary>
    /// relayResponse: also sends <paramref name="rawResponse"/>, wrapped in a relay message, through
    /// up to <paramref name="relayFactor"/> random alive members (protocol 5 or later, not this
    /// node), when the pool has that many others.
    /// </summary>
    private string? RelayResponse(byte relayFactor, byte[]? addr, ushort port, string node, byte[] rawResponse)
    {
        if (relayFactor == 0 || _members.Count < relayFactor + 1) return null;
        var raw = SerfCodec.Encode(new RelayMessage(addr, port, "", node, rawResponse));
        if (raw.Length > _options.QueryResponseSizeBytesMax) return $"relayed response exceeds limit of {_options.QueryResponseSizeBytesMax} bytes";
        var candidates = new List<MemberState>();
        foreach (var m in _members.Values)
        {
            if (m.Status == MemberStatus.Alive && m.Vsn.ProtocolMax >= 5 && m.Name != LocalName) candidates.Add(m);
        }
        for (var picked = 0; picked < relayFactor && candidates.Count > 0; picked++)
        {
            var index = _random.Next(candidates.Count);
            var relay = candidates[index];
            candidates.RemoveAt(index);
            _output.DirectSends.Add((relay.Addr, relay.Port, relay.Name, raw));
        }
        return null;
    }

    /// <summary>handleQueryResponse: an ack or response to one of our queries.</summary>
    private void HandleQueryResponse(QueryResponseMessage response, TimeSpan now)
    {
        var verdict = OpenQueries.Handle(response, now);
        if (verdict is not (QueryResponseVerdict.Ack or QueryResponseVerdict.Response)) QueryResponsesIgnored++;
    }

    /// <summary>Query responses that matched no open query, came late, were duplicates or found no room (Serf's warnings and duplicate counters).</summary>
    public long QueryResponsesIgnored { get; private set; }

    /// <summary>Members Serf holds alive (memberlist's NumMembers as a query sizes its channels).</summary>
    private int AliveMembers()
    {
        var alive = 0;
        foreach (var m in _members.Values)
        {
            if (m.Status == MemberStatus.Alive) alive++;
        }
        return alive;
    }

    /// <summary>Closes queries past their deadline and forgets answered queries whose deadline has passed.</summary>
    private void ExpireQueries(TimeSpan now)
    {
        OpenQueries.Expire(now);
        if (_responded.Count == 0) return;
        List<(ulong, uint)>? due = null;
        foreach (var (key, deadline) in _responded)
        {
            if (now > deadline) (due ??= []).Add(key);
        }
        if (due is null) return;
        foreach (var key in due) _responded.Remove(key);
    }
}
