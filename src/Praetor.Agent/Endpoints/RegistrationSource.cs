namespace Praetor.Agent.Endpoints;

/// <summary>Where a service or check registration came from; script checks are allowed per source, as in Consul.</summary>
public enum RegistrationSource
{
    /// <summary>The agent's own config files (`enable_local_script_checks` suffices).</summary>
    Local,

    /// <summary>The HTTP API (only `enable_script_checks` allows scripts).</summary>
    Remote,
}
