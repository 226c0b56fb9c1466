using System.Buffers;
using System.Text.Json;

namespace Praetor.Client;

/// <summary><c>/v1/session</c> (Go's <c>client.Session()</c>): the calls a remote exec makes — create, renew, destroy.</summary>
public sealed class SessionEndpoint
{
    private readonly ApiTransport _transport;

    internal SessionEndpoint(ApiTransport transport)
    {
        _transport = transport;
    }

    /// <summary>
    /// Creates a session on the agent's node with its default checks (<c>PUT /v1/session/create</c>)
    /// and returns its ID; <paramref name="behavior"/> is <c>release</c> or <c>delete</c>,
    /// <paramref name="ttl"/> a Go duration such as <c>15s</c> (empty: none).
    /// </summary>
    public async Task<string> CreateAsync(string name, string behavior, string ttl, WriteOptions? options = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(behavior);
        ArgumentNullException.ThrowIfNull(ttl);
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("Name", name);
            writer.WriteString("Behavior", behavior);
            if (ttl.Length > 0)
            {
                writer.WriteString("TTL", ttl);
            }
            writer.WriteEndObject();
        }
        using var body = new ByteArrayContent(buffer.WrittenMemory.ToArray());
        using var response = await _transport.SendAsync(HttpMethod.Put, "session/create", ApiQuery.For(options), body, options?.Token, ct);
        await ApiTransport.EnsureStatusAsync(response, ct);
        using var document = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(ct), default, ct);
        return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("ID", out var id) && id.ValueKind == JsonValueKind.String
            ? id.GetString()!
            : throw new InvalidDataException("the agent's answer to a session create has no ID");
    }

    /// <summary>Renews a TTL session (<c>PUT /v1/session/renew/:id</c>); an unknown or expired session is an <see cref="ApiStatusException"/> (404).</summary>
    public async Task RenewAsync(string id, WriteOptions? options = null, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        using var response = await _transport.SendAsync(HttpMethod.Put, "session/renew/" + EndpointCalls.Segment(id), ApiQuery.For(options), null, options?.Token, ct);
        await ApiTransport.EnsureStatusAsync(response, ct);
    }

    /// <summary>Destroys a session (<c>PUT /v1/session/destroy/:id</c>): its locks are released or, with behavior <c>delete</c>, its keys deleted.</summary>
    public async Task DestroyAsync(string id, WriteOptions? options = null, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        using var response = await _transport.SendAsync(HttpMethod.Put, "session/destroy/" + EndpointCalls.Segment(id), ApiQuery.For(options), null, options?.Token, ct);
        await ApiTransport.EnsureStatusAsync(response, ct);
    }
}
