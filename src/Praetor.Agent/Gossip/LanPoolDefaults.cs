namespace Praetor.Agent.Gossip;

/// <summary>The pool an agent starts when its options name none.</summary>
public static class LanPoolDefaults
{
    /// <summary>The real Serf pool over UDP and TCP; null until it is built in (the agent then runs without a pool).</summary>
    public static SerfPoolFactory? Factory => null;
}
