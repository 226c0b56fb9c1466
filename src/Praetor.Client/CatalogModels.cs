using System.Text.Json.Serialization;

namespace Praetor.Client;

/// <summary>A node as the catalog lists it (Go's <c>api.Node</c>).</summary>
public sealed record CatalogNode
{
    [JsonPropertyName("ID")]
    public string Id { get; init; } = string.Empty;

    public string Node { get; init; } = string.Empty;

    public string Address { get; init; } = string.Empty;

    public string Datacenter { get; init; } = string.Empty;

    /// <summary><c>lan</c>, <c>wan</c>, <c>lan_ipv4</c>, ...</summary>
    public Dictionary<string, string>? TaggedAddresses { get; init; }

    public Dictionary<string, string>? Meta { get; init; }

    public ulong CreateIndex { get; init; }

    public ulong ModifyIndex { get; init; }
}

/// <summary>A service's weights for DNS SRV answers (Go's <c>api.AgentWeights</c>).</summary>
public sealed record AgentWeights
{
    public int Passing { get; init; } = 1;

    public int Warning { get; init; } = 1;
}

/// <summary>
/// One service instance as an agent or a node listing shows it (Go's <c>api.AgentService</c>):
/// <c>/v1/agent/services</c>, <c>/v1/agent/service/:id</c>, <c>/v1/catalog/node/:node</c>, <c>/v1/health/service/:name</c>.
/// </summary>
public sealed record AgentService
{
    [JsonPropertyName("ID")]
    public string Id { get; init; } = string.Empty;

    public string Service { get; init; } = string.Empty;

    public List<string>? Tags { get; init; }

    public Dictionary<string, string>? Meta { get; init; }

    public int Port { get; init; }

    /// <summary>Empty means the node's address.</summary>
    public string Address { get; init; } = string.Empty;

    public AgentWeights? Weights { get; init; }

    public bool EnableTagOverride { get; init; }

    public string? Datacenter { get; init; }

    public ulong CreateIndex { get; init; }

    public ulong ModifyIndex { get; init; }
}

/// <summary>One service instance flattened with its node (Go's <c>api.CatalogService</c>, <c>/v1/catalog/service/:name</c>).</summary>
public sealed record CatalogService
{
    [JsonPropertyName("ID")]
    public string Id { get; init; } = string.Empty;

    public string Node { get; init; } = string.Empty;

    public string Address { get; init; } = string.Empty;

    public string Datacenter { get; init; } = string.Empty;

    public Dictionary<string, string>? TaggedAddresses { get; init; }

    public Dictionary<string, string>? NodeMeta { get; init; }

    [JsonPropertyName("ServiceID")]
    public string ServiceId { get; init; } = string.Empty;

    public string ServiceName { get; init; } = string.Empty;

    /// <summary>Empty means <see cref="Address"/> (the node's).</summary>
    public string ServiceAddress { get; init; } = string.Empty;

    public List<string>? ServiceTags { get; init; }

    public Dictionary<string, string>? ServiceMeta { get; init; }

    public int ServicePort { get; init; }

    public AgentWeights? ServiceWeights { get; init; }

    public bool ServiceEnableTagOverride { get; init; }

    public ulong CreateIndex { get; init; }

    public ulong ModifyIndex { get; init; }
}

/// <summary>A node and the services it runs (Go's <c>api.CatalogNode</c>, <c>/v1/catalog/node/:node</c>).</summary>
public sealed record CatalogNodeServices
{
    public CatalogNode? Node { get; init; }

    /// <summary>By service ID.</summary>
    public Dictionary<string, AgentService>? Services { get; init; }
}

/// <summary>What a check runs, as the catalog records it (Go's <c>api.HealthCheckDefinition</c>).</summary>
public sealed record HealthCheckDefinition
{
    [JsonPropertyName("HTTP")]
    public string? Http { get; init; }

    public string? Method { get; init; }

    public string? Body { get; init; }

    public Dictionary<string, List<string>>? Header { get; init; }

    [JsonPropertyName("TLSSkipVerify")]
    public bool TlsSkipVerify { get; init; }

    [JsonPropertyName("TCP")]
    public string? Tcp { get; init; }

    /// <summary>A Go duration string (<c>10s</c>).</summary>
    public string? Interval { get; init; }

    public string? Timeout { get; init; }

    public string? DeregisterCriticalServiceAfter { get; init; }
}

/// <summary>
/// One check (Go's <c>api.HealthCheck</c>; <c>/v1/agent/checks</c> answers the same shape, Go's
/// <c>api.AgentCheck</c>). <see cref="Status"/> is <c>passing</c>, <c>warning</c> or <c>critical</c>.
/// </summary>
public sealed record HealthCheck
{
    public string Node { get; init; } = string.Empty;

    [JsonPropertyName("CheckID")]
    public string CheckId { get; init; } = string.Empty;

    public string Name { get; init; } = string.Empty;

    public string Status { get; init; } = string.Empty;

    public string Notes { get; init; } = string.Empty;

    public string Output { get; init; } = string.Empty;

    [JsonPropertyName("ServiceID")]
    public string ServiceId { get; init; } = string.Empty;

    public string ServiceName { get; init; } = string.Empty;

    public List<string>? ServiceTags { get; init; }

    public string Type { get; init; } = string.Empty;

    public HealthCheckDefinition? Definition { get; init; }

    public ulong CreateIndex { get; init; }

    public ulong ModifyIndex { get; init; }
}

/// <summary>A service instance with its node and every check on either (Go's <c>api.ServiceEntry</c>).</summary>
public sealed record ServiceEntry
{
    public CatalogNode Node { get; init; } = new();

    public AgentService Service { get; init; } = new();

    public List<HealthCheck> Checks { get; init; } = [];
}

/// <summary>The check states <c>/v1/health/state/:state</c> takes (Go's <c>api.HealthAny</c> and friends).</summary>
public static class HealthStates
{
    public const string Any = "any";
    public const string Passing = "passing";
    public const string Warning = "warning";
    public const string Critical = "critical";

    /// <summary>Only ever an aggregated status: a maintenance check is critical.</summary>
    public const string Maintenance = "maintenance";
}
