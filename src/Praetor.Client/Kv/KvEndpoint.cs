using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Serialization.Metadata;

namespace Praetor.Client.Kv;

/// <summary><c>/v1/kv</c> and <c>/v1/txn</c> (Go's <c>client.KV()</c>).</summary>
public sealed class KvEndpoint
{
    private readonly ApiTransport _transport;

    internal KvEndpoint(ApiTransport transport)
    {
        _transport = transport;
    }

    /// <summary>One key, or a null response when it does not exist (404).</summary>
    public async Task<QueryResult<KvEntry?>> GetAsync(string key, QueryOptions? options = null, CancellationToken ct = default)
    {
        var (entries, meta) = await ReadAsync(key, ApiQuery.For(options), ClientJsonContext.Default.ListKvEntry, options, ct);
        return new(entries is { Count: > 0 } ? entries[0] : null, meta);
    }

    /// <summary>Every key under <paramref name="prefix"/> (<c>?recurse</c>), empty when there are none.</summary>
    public async Task<QueryResult<IReadOnlyList<KvEntry>>> ListAsync(string prefix, QueryOptions? options = null, CancellationToken ct = default)
    {
        var query = ApiQuery.For(options).Add("recurse", string.Empty);
        var (entries, meta) = await ReadAsync(prefix, query, ClientJsonContext.Default.ListKvEntry, options, ct);
        return new(entries ?? [], meta);
    }

    /// <summary>Key names under <paramref name="prefix"/> (<c>?keys</c>); with a separator, deeper keys
    /// collapse to their "directory" ending in the separator.</summary>
    public async Task<QueryResult<IReadOnlyList<string>>> KeysAsync(string prefix, string? separator = null, QueryOptions? options = null, CancellationToken ct = default)
    {
        var query = ApiQuery.For(options).Add("keys", string.Empty);
        if (!string.IsNullOrEmpty(separator))
        {
            query.Add("separator", separator);
        }

        var (keys, meta) = await ReadAsync(prefix, query, ClientJsonContext.Default.ListString, options, ct);
        return new(keys ?? [], meta);
    }

    /// <summary>A GET of <c>/v1/kv/</c><paramref name="key"/>: its JSON body, or null when the agent answers 404 (no such key).</summary>
    private async Task<QueryResult<T?>> ReadAsync<T>(string key, ApiQuery query, JsonTypeInfo<T> typeInfo, QueryOptions? options, CancellationToken ct)
        where T : class
    {
        var started = Stopwatch.GetTimestamp();
        using var response = await _transport.SendAsync(HttpMethod.Get, KvPath(key), query, null, options?.Token, ct);
        var meta = ApiTransport.ReadQueryMeta(response, started);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return new(null, meta);
        }

        await ApiTransport.EnsureStatusAsync(response, ct);
        return new(await ReadJsonAsync(response, typeInfo, ct), meta);
    }

    /// <summary>Writes a value unconditionally; the agent answers true.</summary>
    public Task<bool> PutAsync(string key, ReadOnlyMemory<byte> value, ulong flags = 0, WriteOptions? options = null, CancellationToken ct = default) =>
        WriteAsync(key, value, flags, options, null, null, ct);

    /// <summary>Check-and-set: writes only if the key's ModifyIndex is still <paramref name="modifyIndex"/>
    /// (0 = only if the key does not exist). False when the check failed.</summary>
    public Task<bool> CasAsync(string key, ReadOnlyMemory<byte> value, ulong modifyIndex, ulong flags = 0, WriteOptions? options = null, CancellationToken ct = default) =>
        WriteAsync(key, value, flags, options, "cas", modifyIndex.ToString(System.Globalization.CultureInfo.InvariantCulture), ct);

    /// <summary>Writes and takes the key's lock for <paramref name="session"/>; false when another session holds it.</summary>
    public Task<bool> AcquireAsync(string key, ReadOnlyMemory<byte> value, string session, ulong flags = 0, WriteOptions? options = null, CancellationToken ct = default) =>
        WriteAsync(key, value, flags, options, "acquire", session, ct);

    /// <summary>Writes and releases the key's lock held by <paramref name="session"/>; false when it does not hold it.</summary>
    public Task<bool> ReleaseAsync(string key, ReadOnlyMemory<byte> value, string session, ulong flags = 0, WriteOptions? options = null, CancellationToken ct = default) =>
        WriteAsync(key, value, flags, options, "release", session, ct);

    /// <summary>Deletes one key (true even when it did not exist).</summary>
    public Task<bool> DeleteAsync(string key, WriteOptions? options = null, CancellationToken ct = default) =>
        DeleteAsync(key, ApiQuery.For(options), options, ct);

    /// <summary>Deletes every key under <paramref name="prefix"/> (<c>?recurse</c>).</summary>
    public Task<bool> DeleteTreeAsync(string prefix, WriteOptions? options = null, CancellationToken ct = default) =>
        DeleteAsync(prefix, ApiQuery.For(options).Add("recurse", string.Empty), options, ct);

    /// <summary>Deletes the key only if its ModifyIndex is still <paramref name="modifyIndex"/>; false when the check failed.</summary>
    public Task<bool> DeleteCasAsync(string key, ulong modifyIndex, WriteOptions? options = null, CancellationToken ct = default) =>
        DeleteAsync(key, ApiQuery.For(options).Add("cas", modifyIndex), options, ct);

    /// <summary>Runs KV operations atomically (<c>PUT /v1/txn</c>): committed (200) or rolled back with errors (409).</summary>
    public async Task<TxnResult> TxnAsync(IReadOnlyList<TxnOp> operations, QueryOptions? options = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(operations);
        var started = Stopwatch.GetTimestamp();
        var body = JsonContent.Create(new List<TxnOp>(operations), ClientJsonContext.Default.ListTxnOp);
        using var response = await _transport.SendAsync(HttpMethod.Put, "txn", ApiQuery.For(options), body, options?.Token, ct);
        var meta = ApiTransport.ReadQueryMeta(response, started);
        await ApiTransport.EnsureStatusAsync(response, ct, HttpStatusCode.Conflict);
        var answer = await ReadJsonAsync(response, ClientJsonContext.Default.TxnResponse, ct) ?? new TxnResponse();
        return new TxnResult(response.StatusCode == HttpStatusCode.OK, answer, meta);
    }

    /// <summary>The URL path of a key: each segment escaped, slashes kept.</summary>
    internal static string KvPath(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var builder = new StringBuilder("kv/", key.Length + 8);
        var start = 0;
        while (true)
        {
            var slash = key.IndexOf('/', start);
            var end = slash < 0 ? key.Length : slash;
            builder.Append(Uri.EscapeDataString(key[start..end]));
            if (slash < 0)
            {
                return builder.ToString();
            }

            builder.Append('/');
            start = slash + 1;
        }
    }

    private async Task<bool> WriteAsync(string key, ReadOnlyMemory<byte> value, ulong flags, WriteOptions? options, string? condition, string? conditionValue, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.StartsWith('/'))
        {
            throw new ArgumentException($"Invalid key. Key must not begin with a '/': {key}");
        }

        var query = ApiQuery.For(options);
        if (flags != 0)
        {
            query.Add("flags", flags);
        }

        if (condition is not null)
        {
            query.Add(condition, conditionValue ?? string.Empty);
        }

        using var content = new ReadOnlyMemoryContent(value);
        using var response = await _transport.SendAsync(HttpMethod.Put, KvPath(key), query, content, options?.Token, ct);
        await ApiTransport.EnsureStatusAsync(response, ct);
        return await ReadTrueAsync(response, ct);
    }

    private async Task<bool> DeleteAsync(string key, ApiQuery query, WriteOptions? options, CancellationToken ct)
    {
        using var response = await _transport.SendAsync(HttpMethod.Delete, KvPath(key), query, null, options?.Token, ct);
        await ApiTransport.EnsureStatusAsync(response, ct);
        return await ReadTrueAsync(response, ct);
    }

    // Go's client decides a write's outcome with strings.Contains(body, "true").
    private static async Task<bool> ReadTrueAsync(HttpResponseMessage response, CancellationToken ct) =>
        (await response.Content.ReadAsStringAsync(ct)).Contains("true", StringComparison.Ordinal);

    private static Task<T?> ReadJsonAsync<T>(HttpResponseMessage response, JsonTypeInfo<T> typeInfo, CancellationToken ct) =>
        response.Content.ReadFromJsonAsync(typeInfo, ct);
}
