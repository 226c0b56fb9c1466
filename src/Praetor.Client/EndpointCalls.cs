using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Praetor.Client;

/// <summary>The request shapes the agent, catalog and health endpoints share: a read with its
/// query metadata, and a write whose answer is only its status.</summary>
internal static class EndpointCalls
{
    /// <summary>A GET whose JSON body is <typeparamref name="T"/>; a <c>null</c> body reads as <paramref name="empty"/>.</summary>
    public static async Task<QueryResult<T>> QueryAsync<T>(
        ApiTransport transport, string path, ApiQuery query, JsonTypeInfo<T> typeInfo, T empty, string? token, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        using var response = await transport.SendAsync(HttpMethod.Get, path, query, null, token, ct);
        var meta = ApiTransport.ReadQueryMeta(response, started);
        await ApiTransport.EnsureStatusAsync(response, ct);
        var value = await response.Content.ReadFromJsonAsync(typeInfo, ct);
        return new(value ?? empty, meta);
    }

    /// <summary>
    /// A GET whose JSON body is kept as read, for callers that pass it on unchanged (watches); a
    /// null document when the agent answers 404 (a missing key, as Go's client reads it).
    /// </summary>
    public static async Task<(JsonDocument? Body, QueryMeta Meta)> QueryDocumentAsync(
        ApiTransport transport, string path, ApiQuery query, string? token, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        using var response = await transport.SendAsync(HttpMethod.Get, path, query, null, token, ct);
        var meta = ApiTransport.ReadQueryMeta(response, started);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return (null, meta);
        }

        await ApiTransport.EnsureStatusAsync(response, ct);
        await using var body = await response.Content.ReadAsStreamAsync(ct);
        return (await JsonDocument.ParseAsync(body, default, ct), meta);
    }

    /// <summary>A PUT that succeeds with 200 (the body, if any, is ignored).</summary>
    public static async Task PutAsync(ApiTransport transport, string path, ApiQuery query, HttpContent? body, string? token, CancellationToken ct)
    {
        using var response = await transport.SendAsync(HttpMethod.Put, path, query, body, token, ct);
        await ApiTransport.EnsureStatusAsync(response, ct);
    }

    /// <summary>One path segment, escaped (<c>web/a b</c> → <c>web%2Fa%20b</c>).</summary>
    public static string Segment(string value) => Uri.EscapeDataString(value);

    /// <summary>Adds <c>?node-meta=key:value</c> for each pair, in key order.</summary>
    public static ApiQuery AddNodeMeta(ApiQuery query, IReadOnlyDictionary<string, string>? nodeMeta)
    {
        if (nodeMeta is null)
        {
            return query;
        }

        var keys = new List<string>(nodeMeta.Keys);
        keys.Sort(StringComparer.Ordinal);
        foreach (var key in keys)
        {
            query.Add("node-meta", key + ":" + nodeMeta[key]);
        }

        return query;
    }
}
