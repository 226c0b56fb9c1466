namespace Praetor.Agent.Definitions;

/// <summary>
/// A check as a user defines it, in a config file (`check`/`checks`, snake_case keys) or through
/// `/v1/agent/check/register` and a service's `Check`/`Checks` (PascalCase): Consul's
/// CheckDefinition and CheckType. Exactly one way of running it is set; <see cref="Kind"/> says
/// which.
/// </summary>
public sealed record CheckDefinition
{
    /// <summary>Defaults to <see cref="Name"/> (or `service:&lt;id&gt;[:n]` for a service's checks).</summary>
    public string Id { get; init; } = "";

    public string Name { get; init; } = "";

    public string Notes { get; init; } = "";

    /// <summary>The service this check belongs to; empty for a node-level check.</summary>
    public string ServiceId { get; init; } = "";

    /// <summary>The state before the first run (Consul's `status`); critical when empty.</summary>
    public string InitialStatus { get; init; } = "";

    /// <summary>Script check: the program and its arguments, run directly.</summary>
    public IReadOnlyList<string> Args { get; init; } = [];

    /// <summary>Script check, the old form of seed 001: one string run through the shell.</summary>
    public string Script { get; init; } = "";

    public string Http { get; init; } = "";

    /// <summary>HTTP method; GET when empty.</summary>
    public string Method { get; init; } = "";

    public IReadOnlyDictionary<string, IReadOnlyList<string>> Header { get; init; } = new Dictionary<string, IReadOnlyList<string>>();

    public string Body { get; init; } = "";

    public bool TlsSkipVerify { get; init; }

    /// <summary>TCP check: `host:port` to connect to.</summary>
    public string Tcp { get; init; } = "";

    /// <summary>TTL check: the state turns critical unless updated within this time.</summary>
    public TimeSpan Ttl { get; init; }

    /// <summary>Alias check: mirrors the health of this service (on <see cref="AliasNode"/>, or the local node).</summary>
    public string AliasService { get; init; } = "";

    public string AliasNode { get; init; } = "";

    public TimeSpan Interval { get; init; }

    /// <summary>How long one run may take; Consul's default is 10 s.</summary>
    public TimeSpan Timeout { get; init; }

    /// <summary>A service whose check stays critical this long is deregistered; zero = never.</summary>
    public TimeSpan DeregisterCriticalServiceAfter { get; init; }

    /// <summary>Largest output kept, in bytes (Consul's check_output_max_size, 4 KiB).</summary>
    public int OutputMaxSizeBytes { get; init; } = CheckOutput.MaxSizeBytes;

    public CheckKind Kind =>
        Args.Count > 0 || Script.Length > 0 ? CheckKind.Script
        : Http.Length > 0 ? CheckKind.Http
        : Tcp.Length > 0 ? CheckKind.Tcp
        : Ttl > TimeSpan.Zero ? CheckKind.Ttl
        : AliasService.Length > 0 || AliasNode.Length > 0 ? CheckKind.Alias
        : CheckKind.None;
}

/// <summary>How a check runs.</summary>
public enum CheckKind
{
    /// <summary>No way of running it was given: an invalid definition.</summary>
    None,
    Script,
    Http,
    Tcp,
    Ttl,
    Alias,
}

/// <summary>Bounds on check output.</summary>
public static class CheckOutput
{
    /// <summary>Consul's default check_output_max_size: 4 KiB.</summary>
    public const int MaxSizeBytes = 4 * 1024;
}
