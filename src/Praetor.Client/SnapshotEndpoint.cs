using System.Diagnostics;
using System.Net.Http.Headers;

namespace Praetor.Client;

/// <summary><c>/v1/snapshot</c> (Go's <c>client.Snapshot()</c>): save and restore the servers' whole state as an archive.</summary>
public sealed class SnapshotEndpoint
{
    private readonly ApiTransport _transport;

    internal SnapshotEndpoint(ApiTransport transport)
    {
        _transport = transport;
    }

    /// <summary>
    /// Copies a snapshot archive of the state to <paramref name="destination"/> (<c>GET /v1/snapshot</c>);
    /// <see cref="QueryMeta.LastIndex"/> is the index it was taken at. <see cref="QueryOptions.AllowStale"/>
    /// lets any server answer.
    /// </summary>
    public async Task<QueryMeta> SaveAsync(Stream destination, QueryOptions? options = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var start = Stopwatch.GetTimestamp();
        using var response = await _transport.SendAsync(HttpMethod.Get, "snapshot", ApiQuery.For(options), null, options?.Token, ct);
        await ApiTransport.EnsureStatusAsync(response, ct);
        await response.Content.CopyToAsync(destination, ct);
        return ApiTransport.ReadQueryMeta(response, start);
    }

    /// <summary>Replaces the servers' state with the archive read from <paramref name="archive"/> (<c>PUT /v1/snapshot</c>).</summary>
    public async Task RestoreAsync(Stream archive, WriteOptions? options = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(archive);
        using var body = new StreamContent(archive);
        body.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        using var response = await _transport.SendAsync(HttpMethod.Put, "snapshot", ApiQuery.For(options), body, options?.Token, ct);
        await ApiTransport.EnsureStatusAsync(response, ct);
    }
}

/// <summary>The snapshot endpoint group of a <see cref="PraetorClient"/>, as Go's <c>client.Snapshot()</c>.</summary>
public static class PraetorClientSnapshot
{
    extension(PraetorClient client)
    {
        /// <summary><c>/v1/snapshot</c>.</summary>
        public SnapshotEndpoint Snapshot => new(client.Agent.Transport);
    }
}
