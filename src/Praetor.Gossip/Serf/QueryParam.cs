namespace Praetor.Gossip.Serf;

/// <summary>
/// How a query is sent (serf QueryParam): which nodes should answer (node names, tag regular
/// expressions), whether they ack on receipt, how many other members relay each answer, and how
/// long answers are collected.
/// </summary>
public sealed record QueryParam
{
    /// <summary>Only these nodes answer (null or empty: every node).</summary>
    public IReadOnlyList<string>? FilterNodes { get; init; }

    /// <summary>Only nodes whose tag value matches the regular expression (Go's RE2) answer, per tag.</summary>
    public IReadOnlyDictionary<string, string>? FilterTags { get; init; }

    /// <summary>Every node that passes the filters acknowledges the query on receipt.</summary>
    public bool RequestAck { get; init; }

    /// <summary>How many other members each answer is also relayed through (for redundancy).</summary>
    public byte RelayFactor { get; init; }

    /// <summary>How long answers are collected; zero: Serf's default (<see cref="DefaultTimeout"/>).</summary>
    public TimeSpan Timeout { get; init; }

    /// <summary>Serf's DefaultQueryTimeout: gossip interval × <paramref name="timeoutMult"/> × ⌈log10(members + 1)⌉.</summary>
    public static TimeSpan DefaultTimeout(TimeSpan gossipInterval, int timeoutMult, int members) =>
        gossipInterval * timeoutMult * Math.Ceiling(Math.Log10(Math.Max(members, 1) + 1));

    /// <summary>The filters in their wire form (encodeFilters): the node list first, then one per tag; null when there are none.</summary>
    public List<byte[]>? EncodeFilters()
    {
        List<byte[]>? filters = null;
        if (FilterNodes is { Count: > 0 } nodes) (filters ??= []).Add(new NodeQueryFilter(nodes).Encode());
        if (FilterTags is not null)
        {
            foreach (var (tag, expr) in FilterTags) (filters ??= []).Add(new TagQueryFilter(tag, expr).Encode());
        }
        return filters;
    }
}
