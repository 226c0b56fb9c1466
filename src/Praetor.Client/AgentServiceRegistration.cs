using System.Text.Json.Serialization;

namespace Praetor.Client;

/// <summary>
/// A service to register with the local agent (Go's <c>api.AgentServiceRegistration</c>,
/// <c>PUT /v1/agent/service/register</c>). Empty fields are left out of the request, as Go's
/// <c>omitempty</c> does; <see cref="Id"/> defaults to <see cref="Name"/> on the agent.
/// </summary>
public sealed record AgentServiceRegistration
{
    [JsonPropertyName("ID")]
    public string? Id { get; init; }

    public string? Name { get; init; }

    public List<string>? Tags { get; init; }

    public int Port { get; init; }

    public string? Address { get; init; }

    public bool EnableTagOverride { get; init; }

    public Dictionary<string, string>? Meta { get; init; }

    public AgentWeights? Weights { get; init; }

    public AgentServiceCheck? Check { get; init; }

    public List<AgentServiceCheck>? Checks { get; init; }
}

/// <summary>
/// A check to register, alone (<c>PUT /v1/agent/check/register</c>, with <see cref="ServiceId"/>
/// to attach it to a service) or inside a service registration (Go's <c>api.AgentServiceCheck</c>
/// and <c>api.AgentCheckRegistration</c>). Durations are Go duration strings (<c>10s</c>).
/// </summary>
public sealed record AgentServiceCheck
{
    [JsonPropertyName("CheckID")]
    public string? CheckId { get; init; }

    public string? Name { get; init; }

    [JsonPropertyName("ServiceID")]
    public string? ServiceId { get; init; }

    /// <summary>A script check's command and arguments (needs <c>enable_script_checks</c> on the agent).</summary>
    public List<string>? ScriptArgs { get; init; }

    public string? Interval { get; init; }

    public string? Timeout { get; init; }

    [JsonPropertyName("TTL")]
    public string? Ttl { get; init; }

    [JsonPropertyName("HTTP")]
    public string? Http { get; init; }

    public Dictionary<string, List<string>>? Header { get; init; }

    public string? Method { get; init; }

    public string? Body { get; init; }

    [JsonPropertyName("TCP")]
    public string? Tcp { get; init; }

    public string? AliasNode { get; init; }

    public string? AliasService { get; init; }

    /// <summary>The initial status: <c>passing</c>, <c>warning</c> or <c>critical</c> (the agent's default).</summary>
    public string? Status { get; init; }

    public string? Notes { get; init; }

    [JsonPropertyName("TLSSkipVerify")]
    public bool TlsSkipVerify { get; init; }

    public string? DeregisterCriticalServiceAfter { get; init; }
}
