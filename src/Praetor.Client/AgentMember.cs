namespace Praetor.Client;

/// <summary>A member of the agent's gossip pool (<c>GET /v1/agent/members</c>, Go's <c>api.AgentMember</c>).</summary>
public sealed record AgentMember
{
    public string Name { get; init; } = string.Empty;

    public string Addr { get; init; } = string.Empty;

    public int Port { get; init; }

    public Dictionary<string, string> Tags { get; init; } = new(StringComparer.Ordinal);

    /// <summary>Serf's status: 0 none, 1 alive, 2 leaving, 3 left, 4 failed (<see cref="StatusName"/>).</summary>
    public int Status { get; init; }

    public int ProtocolMin { get; init; }

    public int ProtocolMax { get; init; }

    public int ProtocolCur { get; init; }

    public int DelegateMin { get; init; }

    public int DelegateMax { get; init; }

    public int DelegateCur { get; init; }

    /// <summary>Serf's name for a status, as <c>consul members</c> prints it.</summary>
    public static string StatusName(int status) => status switch
    {
        0 => "none",
        1 => "alive",
        2 => "leaving",
        3 => "left",
        4 => "failed",
        _ => $"unknown({status})",
    };
}
