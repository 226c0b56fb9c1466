using System.Text.Json;
using Praetor.Agent;
using Praetor.State.Sessions;

namespace Praetor.Api;

/// <summary>`/v1/session/*`: create, destroy/:id, renew/:id (PUT); info/:id, node/:node, list (GET, blocking).</summary>
internal static class SessionRoutes
{
    /// <summary>Consul's threshold: a numeric LockDelay below it is seconds, from it on nanoseconds.</summary>
    private const long LockDelaySecondsBelow = 1000;

    public static void Map(WebApplication app, Agent.Agent agent)
    {
        app.MapPut("/v1/session/create", CreateAsync);
        app.MapPut("/v1/session/destroy/{**id}", async context =>
        {
            await agent.Sessions.DestroyAsync(Id(context), context.RequestAborted);
            await ResponseWriter.BooleanAsync(context, true);
        });
        app.MapPut("/v1/session/renew/{**id}", async context =>
        {
            var id = Id(context);
            var renewed = await agent.Sessions.RenewAsync(id, context.RequestAborted);
            if (renewed is null)
            {
                await ResponseWriter.TextAsync(context, StatusCodes.Status404NotFound, $"Session id '{id}' not found");
                return;
            }
            await ResponseWriter.JsonAsync(context, (IReadOnlyList<Session>)[renewed], SessionJson.WriteSessions);
        });
        app.MapGet("/v1/session/info/{**id}", async context =>
            await WriteAsync(context, await agent.Sessions.InfoAsync(Id(context), QueryParameters.Options(context.Request), context.RequestAborted)));
        app.MapGet("/v1/session/node/{**node}", async context =>
        {
            var node = (string?)context.Request.RouteValues["node"] ?? "";
            if (node.Length == 0)
            {
                throw HttpApiException.BadRequest("Missing node name");
            }
            await WriteAsync(context, await agent.Sessions.NodeAsync(node, QueryParameters.Options(context.Request), context.RequestAborted));
        });
        app.MapGet("/v1/session/list", async context =>
            await WriteAsync(context, await agent.Sessions.ListAsync(QueryParameters.Options(context.Request), context.RequestAborted)));

        async Task CreateAsync(HttpContext context)
        {
            var body = await RequestBody.ReadAsync(context.Request, agent.Config.TxnMaxRequestBytes, context.RequestAborted);
            var session = ReadSession(body, agent.Config.NodeName);
            var id = await agent.Sessions.CreateAsync(session, context.RequestAborted);
            await ResponseWriter.JsonAsync(context, id, static (w, id) =>
            {
                w.WriteStartObject();
                w.WriteString("ID"u8, id);
                w.WriteEndObject();
            });
        }
    }

    /// <summary>
    /// A create request with Consul's defaults: this agent's node, lock-delay 15s, behavior release,
    /// no TTL, bound to serfHealth unless the request names node checks (or the legacy <c>Checks</c>).
    /// An empty body takes every default.
    /// </summary>
    internal static Session ReadSession(ReadOnlyMemory<byte> body, string agentNode)
    {
        var session = new Session { Id = "", Node = agentNode, NodeChecks = [Agent.Agent.SerfHealthCheckId] };
        if (body.Span.Trim(" \t\r\n"u8).IsEmpty)
        {
            return session;
        }
        using var document = JsonBody.Parse(body);
        var request = new JsonBody(document.RootElement, "");
        var bound = request.TryGet("NodeChecks", out _) || request.TryGet("Checks", out _);
        return session with
        {
            Name = request.String("Name"),
            Node = request.String("Node", agentNode),
            LockDelay = request.TryGet("LockDelay", out var delay) ? LockDelay(delay) : SessionDefaults.LockDelay,
            Behavior = request.String("Behavior", SessionBehavior.Release),
            Ttl = request.String("TTL"),
            NodeChecks = bound ? [.. request.Strings("NodeChecks").Concat(request.Strings("Checks")).Distinct(StringComparer.Ordinal)] : session.NodeChecks,
            ServiceChecks = [.. request.Objects("ServiceChecks").Select(c => c.String("ID"))],
        };
    }

    /// <summary>A Go duration string, or a number: seconds below 1000, nanoseconds from it on (Consul's FixupLockDelay).</summary>
    private static TimeSpan LockDelay(JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.String)
        {
            return GoDuration.TryParse(value.GetString()!, out var parsed, out var error) && parsed >= TimeSpan.Zero
                ? parsed
                : throw HttpApiException.BadRequest($"Request decode failed: LockDelay: {error ?? "must not be negative"}");
        }
        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number) && number >= 0)
        {
            return number < LockDelaySecondsBelow ? TimeSpan.FromSeconds(number) : TimeSpan.FromTicks(number / 100);
        }
        throw HttpApiException.BadRequest("Request decode failed: LockDelay must be a duration string or a non-negative number");
    }

    private static string Id(HttpContext context)
    {
        var id = (string?)context.Request.RouteValues["id"] ?? "";
        return id.Length > 0 ? id : throw HttpApiException.BadRequest("Missing session");
    }

    private static Task WriteAsync(HttpContext context, Agent.Endpoints.QueryResult<IReadOnlyList<Session>> result)
    {
        ResponseWriter.SetQueryHeaders(context.Response, result.Meta);
        return ResponseWriter.JsonAsync(context, result.Value, SessionJson.WriteSessions);
    }
}
