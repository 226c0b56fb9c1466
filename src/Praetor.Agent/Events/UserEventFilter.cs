using System.Text.RegularExpressions;
using Praetor.State.Catalog;

namespace Praetor.Agent.Events;

/// <summary>
/// Consul's rules for a user event's filters: what firing one requires (validateUserEventParams)
/// and whether a receiving agent acts on it (shouldProcessUserEvent) — its node name must match
/// the node filter, and with a service filter one of its services must match it (by ID or name),
/// with a tag filter through a tag of that service. Filters are Go regular expressions, matched
/// anywhere in the value (unanchored, as Go's MatchString).
/// </summary>
public static class UserEventFilter
{
    /// <summary>A filter that takes longer than this to match (a pathological pattern) does not match.</summary>
    private static readonly TimeSpan MatchTimeout = TimeSpan.FromMilliseconds(250);

    /// <summary>Null when <paramref name="userEvent"/> may be fired, else Consul's error text.</summary>
    public static string? Validate(UserEvent userEvent)
    {
        ArgumentNullException.ThrowIfNull(userEvent);
        if (userEvent.Name.Length == 0)
        {
            return "User event missing name";
        }
        if (userEvent.TagFilter.Length > 0 && userEvent.ServiceFilter.Length == 0)
        {
            return "Cannot provide tag filter without service filter";
        }
        return CompileError(userEvent.NodeFilter, "node")
            ?? CompileError(userEvent.ServiceFilter, "service")
            ?? CompileError(userEvent.TagFilter, "tag");
    }

    /// <summary>Whether the agent <paramref name="nodeName"/> with <paramref name="services"/> acts on <paramref name="userEvent"/>; a filter that does not compile matches nothing.</summary>
    public static bool Matches(UserEvent userEvent, string nodeName, IReadOnlyList<ServiceInstance> services)
    {
        ArgumentNullException.ThrowIfNull(userEvent);
        ArgumentNullException.ThrowIfNull(services);
        if (userEvent.NodeFilter.Length > 0 && (Compile(userEvent.NodeFilter) is not { } node || !IsMatch(node, nodeName)))
        {
            return false;
        }
        if (userEvent.ServiceFilter.Length == 0)
        {
            return true;
        }
        if (Compile(userEvent.ServiceFilter) is not { } service)
        {
            return false;
        }
        Regex? tag = null;
        if (userEvent.TagFilter.Length > 0 && (tag = Compile(userEvent.TagFilter)) is null)
        {
            return false;
        }
        foreach (var instance in services)
        {
            if (!IsMatch(service, instance.Id) && !IsMatch(service, instance.Service))
            {
                continue;
            }
            if (tag is null)
            {
                return true;
            }
            foreach (var value in instance.Tags)
            {
                if (IsMatch(tag, value))
                {
                    return true;
                }
            }
        }
        return false;
    }

    private static string? CompileError(string pattern, string what)
    {
        if (pattern.Length == 0)
        {
            return null;
        }
        try
        {
            _ = new Regex(pattern, RegexOptions.CultureInvariant, MatchTimeout);
            return null;
        }
        catch (ArgumentException e)
        {
            return $"Invalid {what} filter: {e.Message}";
        }
    }

    private static Regex? Compile(string pattern)
    {
        try
        {
            return new Regex(pattern, RegexOptions.CultureInvariant, MatchTimeout);
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    private static bool IsMatch(Regex regex, string value)
    {
        try
        {
            return regex.IsMatch(value);
        }
        catch (RegexMatchTimeoutException)
        {
            return false;
        }
    }
}
