using System.Text.Json;

namespace Praetor.Agent.Config;

/// <summary>
/// Consul's <c>dns_config</c>, with its defaults. The keys the DNS interface uses are typed here;
/// the rest of Consul's <c>dns_config</c> keys are accepted and kept as given in <see cref="Other"/>.
/// </summary>
public sealed record DnsSettings
{
    /// <summary>TTL of node answers (<c>node_ttl</c>); 0 = uncached, Consul's default.</summary>
    public TimeSpan NodeTtl { get; init; }

    /// <summary>TTL of service answers by service name, <c>*</c> and prefix wildcards allowed (<c>service_ttl</c>).</summary>
    public IReadOnlyDictionary<string, TimeSpan> ServiceTtl { get; init; } = new Dictionary<string, TimeSpan>();

    /// <summary>Any server may answer (<c>allow_stale</c>); true by default.</summary>
    public bool AllowStale { get; init; } = true;

    /// <summary>Oldest stale answer accepted (<c>max_stale</c>); Consul's default is 87600h.</summary>
    public TimeSpan MaxStale { get; init; } = TimeSpan.FromHours(87600);

    /// <summary>Leave out instances with warning checks too (<c>only_passing</c>).</summary>
    public bool OnlyPassing { get; init; }

    /// <summary>Most records in a UDP answer (<c>udp_answer_limit</c>); 3 by default.</summary>
    public int UdpAnswerLimit { get; init; } = 3;

    /// <summary>Set the TC bit when a UDP answer is cut short (<c>enable_truncate</c>).</summary>
    public bool EnableTruncate { get; init; }

    /// <summary>How long to wait for a recursor (<c>recursor_timeout</c>); 2s by default.</summary>
    public TimeSpan RecursorTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Most A/AAAA records in an answer (<c>a_record_limit</c>); 0 = no limit, Consul's default.</summary>
    public int ARecordLimit { get; init; }

    /// <summary>Order recursors are tried in (<c>recursor_strategy</c>): sequential (default) or random.</summary>
    public bool RandomRecursors { get; init; }

    /// <summary>Add node meta TXT records to the additional section of SRV answers (<c>enable_additional_node_meta_txt</c>); true by default.</summary>
    public bool NodeMetaTxt { get; init; } = true;

    /// <summary>Write answers without name compression (<c>disable_compression</c>).</summary>
    public bool DisableCompression { get; init; }

    /// <summary>The SOA record's timers (<c>soa</c>: refresh, retry, expire, min_ttl), in seconds.</summary>
    public DnsSoaSettings Soa { get; init; } = new();

    /// <summary>Consul's other <c>dns_config</c> keys (<c>use_cache</c>, <c>cache_max_age</c>, <c>prefer_namespace</c>), accepted and kept as given.</summary>
    public IReadOnlyDictionary<string, JsonElement> Other { get; init; } = new Dictionary<string, JsonElement>();
}

/// <summary>Consul's <c>dns_config.soa</c>: the SOA timers in seconds; <see cref="MinTtl"/> is also the SOA's own TTL (negative caching).</summary>
public sealed record DnsSoaSettings
{
    public uint Refresh { get; init; } = 3600;

    public uint Retry { get; init; } = 600;

    public uint Expire { get; init; } = 86400;

    public uint MinTtl { get; init; }
}
