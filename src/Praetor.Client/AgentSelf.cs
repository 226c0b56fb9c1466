using System.Text.Json;

namespace Praetor.Client;

/// <summary>The parts of <c>GET /v1/agent/self</c> clients read; the rest stays raw JSON.</summary>
public sealed record AgentSelf
{
    public AgentSelfConfig Config { get; init; } = new();

    /// <summary>The agent's <c>DebugConfig</c>: only the settings clients read.</summary>
    public AgentSelfDebugConfig DebugConfig { get; init; } = new();

    public JsonElement? Member { get; init; }

    public JsonElement? Stats { get; init; }

    public Dictionary<string, string>? Meta { get; init; }
}

/// <summary><c>Config</c> of <c>/v1/agent/self</c>; <see cref="Version"/> is the Consul version the agent speaks.</summary>
public sealed record AgentSelfConfig
{
    public string Datacenter { get; init; } = string.Empty;

    public string? PrimaryDatacenter { get; init; }

    public string NodeName { get; init; } = string.Empty;

    public string NodeID { get; init; } = string.Empty;

    public bool Server { get; init; }

    public string Revision { get; init; } = string.Empty;

    public string Version { get; init; } = string.Empty;

    /// <summary>Praetor's own version, beside the Consul version it speaks; null from a Consul agent.</summary>
    public string? PraetorVersion { get; init; }

    public string? BuildDate { get; init; }
}

/// <summary><c>DebugConfig</c> of <c>/v1/agent/self</c>: the agent's runtime settings, of which clients read a few.</summary>
public sealed record AgentSelfDebugConfig
{
    /// <summary><c>disable_remote_exec</c>: the agent refuses <c>exec</c> jobs; null when the agent does not say.</summary>
    public bool? DisableRemoteExec { get; init; }
}
