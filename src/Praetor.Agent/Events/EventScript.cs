namespace Praetor.Agent.Events;

/// <summary>
/// One event handler as Serf's agent configures them (<c>event_handlers</c>, <c>-event-handler</c>):
/// <c>[filter=]script</c>, where the filter is a comma-separated list of event types —
/// <c>member-join</c>, <c>member-leave</c>, <c>member-failed</c>, <c>member-update</c>,
/// <c>member-reap</c>, <c>user</c>, <c>user:NAME</c>, <c>query</c>, <c>query:NAME</c> or <c>*</c> —
/// and no filter means every event. A spec with several types gives one <see cref="EventScript"/>
/// per type (ParseEventScript).
/// </summary>
/// <param name="Event">The event type, or <c>*</c>.</param>
/// <param name="Name">For <c>user</c> and <c>query</c>: the only event name it runs for; empty for any.</param>
/// <param name="Script">The shell command line to run.</param>
public sealed record EventScript(string Event, string Name, string Script)
{
    private static readonly string[] ValidEvents =
        ["member-join", "member-leave", "member-failed", "member-update", "member-reap", "user", "query", "*"];

    /// <summary>Whether the filter names a known event type (EventFilter.Valid).</summary>
    public bool Valid => Array.IndexOf(ValidEvents, Event) >= 0;

    /// <summary>Whether this script runs for an event of <paramref name="eventType"/> (a handler-facing name) called <paramref name="name"/> (EventFilter.Invoke).</summary>
    public bool Matches(string eventType, string? name)
    {
        if (Event == "*")
        {
            return true;
        }
        if (Event != eventType)
        {
            return false;
        }
        return Name.Length == 0 || (Event is not ("user" or "query")) || Name == name;
    }

    /// <summary>Serf's description of the handler, as its errors quote it.</summary>
    public override string ToString() =>
        Name.Length > 0 ? $"Event '{Event}:{Name}' invoking '{Script}'" : $"Event '{Event}' invoking '{Script}'";

    /// <summary>Parses one <c>[filter=]script</c> spec into one script per event type; no validation (see <see cref="ParseAll"/>).</summary>
    public static IReadOnlyList<EventScript> Parse(string spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        string filter, script;
        var equals = spec.IndexOf('=', StringComparison.Ordinal);
        if (equals < 0)
        {
            filter = "";
            script = spec;
        }
        else
        {
            filter = spec[..equals];
            script = spec[(equals + 1)..];
        }
        if (filter.Length == 0)
        {
            filter = "*";
        }
        var events = filter.Split(',');
        var scripts = new EventScript[events.Length];
        for (var i = 0; i < events.Length; i++)
        {
            var type = events[i];
            var name = "";
            if (type.StartsWith("user:", StringComparison.Ordinal))
            {
                name = type["user:".Length..];
                type = "user";
            }
            else if (type.StartsWith("query:", StringComparison.Ordinal))
            {
                name = type["query:".Length..];
                type = "query";
            }
            scripts[i] = new EventScript(type, name, script);
        }
        return scripts;
    }

    /// <summary>
    /// Parses every spec; <paramref name="problems"/> lists each script whose filter is not a
    /// known event type, as Serf refuses it ("Invalid event script: Event 'x' invoking '...'").
    /// Only valid scripts are returned.
    /// </summary>
    public static IReadOnlyList<EventScript> ParseAll(IEnumerable<string> specs, out IReadOnlyList<string> problems)
    {
        ArgumentNullException.ThrowIfNull(specs);
        var scripts = new List<EventScript>();
        var errors = new List<string>();
        foreach (var spec in specs)
        {
            foreach (var script in Parse(spec))
            {
                if (script.Valid)
                {
                    scripts.Add(script);
                }
                else
                {
                    errors.Add($"Invalid event script: {script}");
                }
            }
        }
        problems = errors;
        return scripts;
    }
}
