using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;

namespace Praetor.Client;

/// <summary><c>/v1/event</c> (Go's <c>client.Event()</c>): fire a user event, list the events the agent received.</summary>
public sealed class EventEndpoint
{
    private readonly ApiTransport _transport;

    internal EventEndpoint(ApiTransport transport)
    {
        _transport = transport;
    }

    /// <summary>
    /// Fires <paramref name="userEvent"/> (<c>PUT /v1/event/fire/:name</c>, filters as <c>?node=</c>,
    /// <c>?service=</c>, <c>?tag=</c>, the payload as the body) and returns the event as the agent
    /// made it, its ID among the rest.
    /// </summary>
    public async Task<UserEvent> FireAsync(UserEvent userEvent, WriteOptions? options = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(userEvent);
        ArgumentException.ThrowIfNullOrEmpty(userEvent.Name, nameof(userEvent));
        var query = ApiQuery.For(options);
        if (userEvent.NodeFilter.Length > 0)
        {
            query.Add("node", userEvent.NodeFilter);
        }
        if (userEvent.ServiceFilter.Length > 0)
        {
            query.Add("service", userEvent.ServiceFilter);
        }
        if (userEvent.TagFilter.Length > 0)
        {
            query.Add("tag", userEvent.TagFilter);
        }
        using var body = new ByteArrayContent(userEvent.Payload ?? []);
        body.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        using var response = await _transport.SendAsync(HttpMethod.Put, "event/fire/" + PathOf(userEvent.Name), query, body, options?.Token, ct);
        await ApiTransport.EnsureStatusAsync(response, ct);
        return await response.Content.ReadFromJsonAsync(EventJsonContext.Default.UserEvent, ct)
            ?? throw new InvalidDataException("the agent answered the event with null");
    }

    /// <summary>
    /// The user events the agent received, oldest first (<c>GET /v1/event/list</c>), only those named
    /// <paramref name="name"/> when given. A blocking list returns when the index (derived from the
    /// newest event's ID, see <see cref="UserEvent.IdToIndex"/>) differs from the wait index.
    /// </summary>
    public async Task<QueryResult<IReadOnlyList<UserEvent>>> ListAsync(string? name = null, QueryOptions? options = null, CancellationToken ct = default)
    {
        var query = ApiQuery.For(options);
        if (!string.IsNullOrEmpty(name))
        {
            query.Add("name", name);
        }
        var started = Stopwatch.GetTimestamp();
        using var response = await _transport.SendAsync(HttpMethod.Get, "event/list", query, null, options?.Token, ct);
        var meta = ApiTransport.ReadQueryMeta(response, started);
        await ApiTransport.EnsureStatusAsync(response, ct);
        var events = await response.Content.ReadFromJsonAsync(EventJsonContext.Default.ListUserEvent, ct);
        return new(events ?? [], meta);
    }

    // Go sends the name as the rest of the path: slashes stay separators, the rest is escaped.
    private static string PathOf(string name) => string.Join('/', name.Split('/').Select(Uri.EscapeDataString));
}
