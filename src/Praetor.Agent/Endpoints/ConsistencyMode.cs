namespace Praetor.Agent.Endpoints;

/// <summary>Consul's read consistency modes (SPEC F3).</summary>
public enum ConsistencyMode
{
    /// <summary>The leader answers from its state, trusting its lease.</summary>
    Default,

    /// <summary>The leader confirms it still leads a quorum before answering.</summary>
    Consistent,

    /// <summary>Any server answers from its own state, however far behind.</summary>
    Stale,
}
