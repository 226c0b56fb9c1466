using Praetor.Agent;
using Praetor.State.Commands;
using Praetor.State.Kv;

namespace Praetor.Api;

/// <summary>`/v1/kv/&lt;key&gt;`: GET (single, `recurse`, `keys`, `raw`), PUT (`flags`, `cas`, `acquire`, `release`), DELETE (`recurse`, `cas`).</summary>
internal static class KvRoutes
{
    private const string Prefix = "/v1/kv/";

    public static void Map(WebApplication app, Agent.Agent agent)
    {
        RequestDelegate handler = context => HandleAsync(context, agent);
        app.Map("/v1/kv", handler);
        app.Map("/v1/kv/{**key}", handler);
    }

    private static Task HandleAsync(HttpContext context, Agent.Agent agent)
    {
        var path = context.Request.Path.Value ?? "";
        var key = path.Length > Prefix.Length ? path[Prefix.Length..] : "";
        return context.Request.Method switch
        {
            "GET" => GetAsync(context, agent, key),
            "PUT" => PutAsync(context, agent, key),
            "DELETE" => DeleteAsync(context, agent, key),
            _ => Routes.MethodNotAllowedAsync(context, "GET, PUT, DELETE"),
        };
    }

    private static async Task GetAsync(HttpContext context, Agent.Agent agent, string key)
    {
        var request = context.Request;
        var options = QueryParameters.Options(request);
        var aborted = context.RequestAborted;
        if (QueryParameters.Has(request, "keys"))
        {
            var separator = QueryParameters.Get(request, "separator") ?? QueryParameters.Get(request, "seperator");
            var keys = await agent.Kv.KeysAsync(key, separator, options, aborted);
            ResponseWriter.SetQueryHeaders(context.Response, keys.Meta);
            // An empty listing of the root is an empty array; of any other prefix, not found.
            if (keys.Value.Count == 0 && key.Length > 0)
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return;
            }
            await ResponseWriter.JsonAsync(context, keys.Value, JsonValues.WriteStrings);
            return;
        }
        if (QueryParameters.Has(request, "recurse"))
        {
            var list = await agent.Kv.ListAsync(key, options, aborted);
            ResponseWriter.SetQueryHeaders(context.Response, list.Meta);
            if (list.Value.Count == 0)
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return;
            }
            await ResponseWriter.JsonAsync(context, list.Value, KvJson.WriteEntries);
            return;
        }
        RequireKey(key);
        var single = await agent.Kv.GetAsync(key, options, aborted);
        ResponseWriter.SetQueryHeaders(context.Response, single.Meta);
        if (single.Value is null)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }
        if (QueryParameters.Has(request, "raw"))
        {
            // The raw value is the user's bytes: never let a browser interpret it.
            context.Response.Headers["X-Content-Type-Options"] = "nosniff";
            context.Response.Headers["Content-Security-Policy"] = "sandbox";
            await ResponseWriter.BytesAsync(context, single.Value.Value ?? [], "text/plain");
            return;
        }
        await ResponseWriter.JsonAsync(context, single.Value, static (w, e) => { w.WriteStartArray(); KvJson.WriteEntry(w, e); w.WriteEndArray(); });
    }

    private static async Task PutAsync(HttpContext context, Agent.Agent agent, string key)
    {
        var request = context.Request;
        RequireKey(key);
        RejectConflicts(request, "cas", "acquire", "release");
        var flags = QueryParameters.UInt64(request, "flags", "Invalid flags: must be an unsigned integer") ?? 0;
        var cas = QueryParameters.UInt64(request, "cas", "Invalid cas index: must be an unsigned integer");
        var acquire = QueryParameters.Get(request, "acquire");
        var release = QueryParameters.Get(request, "release");
        var value = await RequestBody.ReadAsync(request, agent.Config.KvMaxValueSizeBytes, context.RequestAborted);
        var operation = acquire is not null ? new KvOperation(KvVerb.Lock, key, value, flags, Session: acquire)
            : release is not null ? new KvOperation(KvVerb.Unlock, key, value, flags, Session: release)
            : cas is not null ? new KvOperation(KvVerb.Cas, key, value, flags, cas.Value)
            : new KvOperation(KvVerb.Set, key, value, flags);
        var result = await agent.Kv.WriteAsync(operation, context.RequestAborted);
        if (!result.Committed && acquire is not null && result.Errors[0].What.Contains("session", StringComparison.Ordinal))
        {
            // A lock with no such session is an error, not a lost race (Consul answers 500).
            await ResponseWriter.TextAsync(context, StatusCodes.Status500InternalServerError, result.Errors[0].What);
            return;
        }
        await ResponseWriter.BooleanAsync(context, result.Committed);
    }

    private static async Task DeleteAsync(HttpContext context, Agent.Agent agent, string key)
    {
        var request = context.Request;
        RejectConflicts(request, "recurse", "cas");
        var recurse = QueryParameters.Has(request, "recurse");
        if (!recurse)
        {
            RequireKey(key);
        }
        var cas = QueryParameters.UInt64(request, "cas", "Invalid cas index: must be an unsigned integer");
        var operation = recurse ? new KvOperation(KvVerb.DeleteTree, key)
            : cas is not null ? new KvOperation(KvVerb.DeleteCas, key, Index: cas.Value)
            : new KvOperation(KvVerb.Delete, key);
        var result = await agent.Kv.WriteAsync(operation, context.RequestAborted);
        await ResponseWriter.BooleanAsync(context, result.Committed);
    }

    private static void RequireKey(string key)
    {
        if (key.Length == 0)
        {
            throw HttpApiException.BadRequest("Missing key name");
        }
    }

    private static void RejectConflicts(HttpRequest request, params string[] flags)
    {
        string? first = null;
        foreach (var flag in flags)
        {
            if (!QueryParameters.Has(request, flag))
            {
                continue;
            }
            if (first is not null)
            {
                throw HttpApiException.BadRequest($"Conflicting flags: ?{first} and ?{flag} cannot be used together");
            }
            first = flag;
        }
    }
}
