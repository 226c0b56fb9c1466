using Praetor.Client.Watch;

namespace Praetor.Agent.Config;

/// <summary>
/// One entry of the agent's <c>watches</c>: what it watches (<see cref="Plan"/>) and its handler,
/// exactly one of <see cref="Args"/> (a program and its arguments, run directly), <see cref="Handler"/>
/// (Consul's older form: a command line run through the shell) and <see cref="Http"/>
/// (<c>handler_type</c> <c>http</c>). <see cref="Identity"/> tells definitions apart on reload.
/// </summary>
public sealed record WatchDefinition
{
    public required WatchPlan Plan { get; init; }

    public IReadOnlyList<string>? Args { get; init; }

    public string? Handler { get; init; }

    public WatchHttpHandler? Http { get; init; }

    /// <summary>The definition as compact JSON: two entries with equal identities are the same watch.</summary>
    public required string Identity { get; init; }
}

/// <summary>
/// An HTTP handler of a watch (<c>http_handler_config</c>): each result is sent as the JSON body of
/// a <see cref="Method"/> request to <see cref="Path"/> with <see cref="Header"/> and
/// <c>X-Consul-Index</c>, given <see cref="Timeout"/> to answer.
/// </summary>
public sealed record WatchHttpHandler
{
    /// <summary>Consul's default timeout of an HTTP handler.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    /// <summary>The URL the result is sent to.</summary>
    public required string Path { get; init; }

    public string Method { get; init; } = "POST";

    public IReadOnlyDictionary<string, IReadOnlyList<string>> Header { get; init; } = new Dictionary<string, IReadOnlyList<string>>();

    public TimeSpan Timeout { get; init; } = DefaultTimeout;

    /// <summary>Accept any certificate from an <c>https</c> path.</summary>
    public bool TlsSkipVerify { get; init; }
}
