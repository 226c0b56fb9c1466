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

    /// <summary>Consul's other <c>dns_config</c> keys (<c>a_record_limit</c>, <c>soa</c>, ...), as given.</summary>
    public IReadOnlyDictionary<string, JsonElement> Other { get; init; } = new Dictionary<string, JsonElement>();
}
