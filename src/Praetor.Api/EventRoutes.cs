using System.Buffers;
using System.Globalization;
using Praetor.Agent;
using Praetor.Agent.Events;

namespace Praetor.Api;

/// <summary>
/// `PUT /v1/event/fire/:name` (`?node=`, `?service=`, `?tag=` regular expressions, the body as
/// payload; answers the event) and `GET /v1/event/list` (`?name=`; blocking on `?index=` with
/// `?wait=`; only X-Consul-Index among the query headers, as Consul sends for this agent-local list).
/// </summary>
internal static class EventRoutes
{
    /// <summary>
    /// No body larger than this is read: the gossip pool would refuse it anyway (Serf's ceiling is
    /// 9 KiB), so the answer is the same 413 without buffering what a client streams.
    /// </summary>
    private const int PayloadReadMaxBytes = 64 * 1024;

    public static void Map(IEndpointRouteBuilder app, EventEndpoint events)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(events);
        app.Map("/v1/event/fire/{**name}", context => context.Request.Method == "PUT"
            ? FireAsync(context, events)
            : Routes.MethodNotAllowedAsync(context, "PUT"));
        app.Map("/v1/event/list", context => context.Request.Method == "GET"
            ? ListAsync(context, events)
            : Routes.MethodNotAllowedAsync(context, "GET"));
    }

    private static async Task FireAsync(HttpContext context, EventEndpoint events)
    {
        var request = context.Request;
        var name = context.Request.RouteValues["name"] as string;
        if (string.IsNullOrEmpty(name))
        {
            await ResponseWriter.TextAsync(context, StatusCodes.Status400BadRequest, "Missing name");
            return;
        }
        var payload = await ReadPayloadAsync(request, events.UserEventSizeLimit, context.RequestAborted);
        UserEvent fired;
        try
        {
            fired = events.Fire(
                name,
                payload,
                QueryParameters.Get(request, "node") ?? "",
                QueryParameters.Get(request, "service") ?? "",
                QueryParameters.Get(request, "tag") ?? "");
        }
        catch (UserEventTooLargeException e)
        {
            throw HttpApiException.TooLarge(e.Message);
        }
        await ResponseWriter.JsonAsync(context, fired, EventJson.WriteEvent);
    }

    private static async Task ListAsync(HttpContext context, EventEndpoint events)
    {
        var request = context.Request;
        var index = QueryParameters.UInt64(request, "index", "Invalid index") ?? 0;
        var wait = TimeSpan.Zero;
        if (QueryParameters.Get(request, "wait") is { } waitText
            && (!GoDuration.TryParse(waitText, out wait, out _) || wait < TimeSpan.Zero))
        {
            throw HttpApiException.BadRequest("Invalid wait time");
        }
        var list = await events.ListAsync(QueryParameters.Get(request, "name"), index, wait, context.RequestAborted);
        context.Response.Headers["X-Consul-Index"] = list.Index.ToString(CultureInfo.InvariantCulture);
        await ResponseWriter.JsonAsync(context, list.Events, EventJson.WriteEvents);
    }

    private static async Task<byte[]?> ReadPayloadAsync(HttpRequest request, int sizeLimit, CancellationToken cancellationToken)
    {
        if (request.ContentLength is 0)
        {
            return null;
        }
        if (request.ContentLength > PayloadReadMaxBytes)
        {
            throw TooLarge(sizeLimit);
        }
        var buffer = new ArrayBufferWriter<byte>(256);
        while (true)
        {
            var read = await request.Body.ReadAsync(buffer.GetMemory(4096), cancellationToken);
            if (read == 0)
            {
                return buffer.WrittenCount == 0 ? null : buffer.WrittenSpan.ToArray();
            }
            buffer.Advance(read);
            if (buffer.WrittenCount > PayloadReadMaxBytes)
            {
                throw TooLarge(sizeLimit);
            }
        }
    }

    private static HttpApiException TooLarge(int sizeLimit) =>
        HttpApiException.TooLarge($"user event exceeds configured limit of {sizeLimit} bytes before encoding");
}
