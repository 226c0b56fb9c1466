using System.Globalization;
using Microsoft.Extensions.Primitives;
using Praetor.Agent;
using Praetor.Agent.Endpoints;

namespace Praetor.Api;

/// <summary>Reads and checks Consul's common query parameters; a bad value is a 400 naming it.</summary>
internal static class QueryParameters
{
    /// <summary>Whether a presence flag (`?recurse`, `?stale`, `?raw`...) is given, with or without a value.</summary>
    public static bool Has(HttpRequest request, string name) => request.Query.ContainsKey(name);

    /// <summary>A parameter's first value, as Go's <c>Values.Get</c> reads it.</summary>
    public static string? Get(HttpRequest request, string name) =>
        request.Query.TryGetValue(name, out var values) ? values[0] ?? "" : null;

    /// <summary>An unsigned integer parameter, or null when absent.</summary>
    public static ulong? UInt64(HttpRequest request, string name, string error)
    {
        if (!request.Query.TryGetValue(name, out var values))
        {
            return null;
        }
        if (!ulong.TryParse(values[0], NumberStyles.None, CultureInfo.InvariantCulture, out var value))
        {
            throw HttpApiException.BadRequest(error);
        }
        return value;
    }

    /// <summary>The blocking (`index`, `wait`) and consistency (`stale`, `consistent`) options.</summary>
    public static QueryOptions Options(HttpRequest request)
    {
        var index = UInt64(request, "index", "Invalid index") ?? 0;
        var wait = TimeSpan.Zero;
        if (request.Query.TryGetValue("wait", out StringValues waitText)
            && (!GoDuration.TryParse(waitText[0] ?? "", out wait, out _) || wait < TimeSpan.Zero))
        {
            throw HttpApiException.BadRequest("Invalid wait time");
        }
        return new QueryOptions(index, wait, Consistency(request));
    }

    public static ConsistencyMode Consistency(HttpRequest request)
    {
        var stale = Has(request, "stale");
        var consistent = Has(request, "consistent");
        if (stale && consistent)
        {
            throw HttpApiException.BadRequest("Cannot specify ?stale with ?consistent, conflicting semantics.");
        }
        return stale ? ConsistencyMode.Stale : consistent ? ConsistencyMode.Consistent : ConsistencyMode.Default;
    }
}
