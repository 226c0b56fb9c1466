namespace Praetor.Gossip.Serf;

/// <summary>A member's status in Serf's numbering (serf.go MemberStatus); the numbers go on the wire in conflict responses.</summary>
public enum MemberStatus
{
    None = 0,
    Alive = 1,
    Leaving = 2,
    Left = 3,
    Failed = 4,
}

/// <summary>Serf's status names, as <c>serf members</c> and Consul's members output print them.</summary>
public static class MemberStatusNames
{
    public static string Name(this MemberStatus status) => status switch
    {
        MemberStatus.None => "none",
        MemberStatus.Alive => "alive",
        MemberStatus.Leaving => "leaving",
        MemberStatus.Left => "left",
        MemberStatus.Failed => "failed",
        _ => "unknown",
    };
}
