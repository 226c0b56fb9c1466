namespace Praetor.Agent;

/// <summary>Versions this build reports.</summary>
public static class BuildInfo
{
    /// <summary>Praetor's own version.</summary>
    public const string PraetorVersion = "0.1.0";

    /// <summary>
    /// The Consul version whose API this build speaks, reported where Consul reports its own
    /// (`Config.Version`, member tag `build`): clients gate features on it.
    /// </summary>
    public const string ConsulVersion = "1.20.0";

    /// <summary>Stands where Consul puts its git revision.</summary>
    public const string Revision = "praetor-" + PraetorVersion;

    /// <summary>Gossip protocol version spoken, and the range understood (Consul's vsn, vsn_min, vsn_max).</summary>
    public const int ProtocolVersion = 2;
    public const int ProtocolVersionMin = 2;
    public const int ProtocolVersionMax = 3;
}
