namespace Praetor.Agent.Endpoints;

/// <summary>Consul's read consistency modes (SPEC F3). The numbers travel in the agent's RPC: never renumber.</summary>
public enum ConsistencyMode : byte
{
    /// <summary>The leader answers from its state, trusting its lease.</summary>
    Default = 0,

    /// <summary>The leader confirms it still leads a quorum before answering.</summary>
    Consistent = 1,

    /// <summary>Any server answers from its own state, however far behind.</summary>
    Stale = 2,
}
