using Praetor.Agent.Definitions;

namespace Praetor.Agent.Checks;

/// <summary>Makes the runner for a check definition.</summary>
public static class CheckRunners
{
    /// <summary>
    /// A runner for a script, HTTP, TCP or TTL check, not yet started. Alias checks watch the
    /// catalog rather than run anything and are not made here.
    /// </summary>
    /// <exception cref="ArgumentException">
    /// The definition is of a kind not run here (alias, none), or lacks what its kind needs
    /// (an interval for script/HTTP/TCP checks).
    /// </exception>
    public static CheckRunner Create(string checkId, CheckDefinition definition, ICheckStatusSink sink, TimeProvider time)
    {
        ArgumentException.ThrowIfNullOrEmpty(checkId);
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(sink);
        ArgumentNullException.ThrowIfNull(time);

        var kind = definition.Kind;
        if (kind is CheckKind.Script or CheckKind.Http or CheckKind.Tcp && definition.Interval <= TimeSpan.Zero)
        {
            // Consul's CheckType.Validate wording.
            throw new ArgumentException($"Check \"{checkId}\": Interval must be > 0 for Script, HTTP, or TCP checks", nameof(definition));
        }
        return kind switch
        {
            CheckKind.Script => new ScriptCheckRunner(checkId, definition, sink, time),
            CheckKind.Http => new HttpCheckRunner(checkId, definition, sink, time),
            CheckKind.Tcp => new TcpCheckRunner(checkId, definition, sink, time),
            CheckKind.Ttl => new TtlCheckRunner(checkId, definition, sink, time),
            CheckKind.Alias => throw new ArgumentException($"Check \"{checkId}\" is an alias check: alias checks follow the catalog and have no runner here.", nameof(definition)),
            _ => throw new ArgumentException($"Check \"{checkId}\" has no way to run: one of args, script, http, tcp, ttl or alias_service is needed.", nameof(definition)),
        };
    }
}
