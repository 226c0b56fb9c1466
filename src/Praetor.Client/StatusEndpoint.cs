using System.Net.Http.Json;

namespace Praetor.Client;

/// <summary><c>/v1/status</c> (Go's <c>client.Status()</c>).</summary>
public sealed class StatusEndpoint
{
    private readonly ApiTransport _transport;

    internal StatusEndpoint(ApiTransport transport)
    {
        _transport = transport;
    }

    /// <summary>The Raft leader's server address (<c>ip:port</c>), or empty when there is none.</summary>
    public async Task<string> LeaderAsync(QueryOptions? options = null, CancellationToken ct = default)
    {
        using var response = await _transport.SendAsync(HttpMethod.Get, "status/leader", ApiQuery.For(options), null, options?.Token, ct);
        await ApiTransport.EnsureStatusAsync(response, ct);
        return await response.Content.ReadFromJsonAsync(ClientJsonContext.Default.String, ct) ?? string.Empty;
    }

    /// <summary>The Raft peers' server addresses.</summary>
    public async Task<IReadOnlyList<string>> PeersAsync(QueryOptions? options = null, CancellationToken ct = default)
    {
        using var response = await _transport.SendAsync(HttpMethod.Get, "status/peers", ApiQuery.For(options), null, options?.Token, ct);
        await ApiTransport.EnsureStatusAsync(response, ct);
        return await response.Content.ReadFromJsonAsync(ClientJsonContext.Default.ListString, ct) ?? [];
    }
}
