using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Serialization;

namespace Praetor.Client;

/// <summary><c>/v1/session</c> (Go's <c>client.Session()</c>): create, destroy and renew sessions.</summary>
public sealed class SessionEndpoint
{
    private readonly ApiTransport _transport;

    internal SessionEndpoint(ApiTransport transport)
    {
        _transport = transport;
    }

    /// <summary><c>PUT /v1/session/create</c>: the new session's ID.</summary>
    public async Task<string> CreateAsync(SessionRequest request, WriteOptions? options = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var body = JsonContent.Create(request, ClientJsonContext.Default.SessionRequest);
        using var response = await _transport.SendAsync(HttpMethod.Put, "session/create", ApiQuery.For(options), body, options?.Token, ct);
        await ApiTransport.EnsureStatusAsync(response, ct);
        var created = await response.Content.ReadFromJsonAsync(ClientJsonContext.Default.SessionCreated, ct);
        return created?.ID is { Length: > 0 } id ? id : throw new InvalidDataException("session create answered without an ID");
    }

    /// <summary><c>PUT /v1/session/destroy/&lt;id&gt;</c>: ends the session, releasing (or deleting) its locks.</summary>
    public Task DestroyAsync(string id, WriteOptions? options = null, CancellationToken ct = default) =>
        EndpointCalls.PutAsync(_transport, "session/destroy/" + EndpointCalls.Segment(id), ApiQuery.For(options), null, options?.Token, ct);

    /// <summary><c>PUT /v1/session/renew/&lt;id&gt;</c>: resets the session's TTL; false when the session no longer exists (404).</summary>
    public async Task<bool> RenewAsync(string id, WriteOptions? options = null, CancellationToken ct = default)
    {
        using var response = await _transport.SendAsync(
            HttpMethod.Put, "session/renew/" + EndpointCalls.Segment(id), ApiQuery.For(options), null, options?.Token, ct);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }

        await ApiTransport.EnsureStatusAsync(response, ct);
        return true;
    }
}

/// <summary>The body of a session create (Go's <c>api.SessionEntry</c>, the fields a client sets).</summary>
public sealed record SessionRequest
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Name { get; init; }

    /// <summary>A Go duration, <c>15s</c>; null for no TTL.</summary>
    [JsonPropertyName("TTL")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Ttl { get; init; }

    /// <summary><c>release</c> or <c>delete</c>; null for the agent's default (release).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Behavior { get; init; }
}

/// <summary>The answer of a session create: <c>{"ID":"..."}</c>.</summary>
internal sealed record SessionCreated
{
    [JsonPropertyName("ID")]
    public string? ID { get; init; }
}
