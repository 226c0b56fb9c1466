namespace Praetor.Agent;

/// <summary>A member of the gossip pool as Consul shows it (`/v1/agent/members`, `Member` of `/v1/agent/self`).</summary>
/// <param name="Status">Serf's member status: 1 alive, 2 leaving, 3 left, 4 failed.</param>
public sealed record AgentMember(
    string Name,
    string Addr,
    int Port,
    IReadOnlyDictionary<string, string> Tags,
    int Status,
    int ProtocolMin,
    int ProtocolMax,
    int ProtocolCur,
    int DelegateMin,
    int DelegateMax,
    int DelegateCur);
