using System.Net.Http.Json;
using System.Text.Json.Serialization;

namespace Praetor.Client;

/// <summary>One gossip pool's answer to a keyring list (Go's <c>api.KeyringResponse</c>).</summary>
public sealed record KeyringResponse
{
    /// <summary>True for the WAN pool, false for a datacenter's LAN pool.</summary>
    [JsonPropertyName("WAN")]
    public bool Wan { get; init; }

    /// <summary>The datacenter of a LAN pool.</summary>
    public string Datacenter { get; init; } = "";

    /// <summary>The network segment of a LAN pool ("" for the default one).</summary>
    public string Segment { get; init; } = "";

    /// <summary>Messages from nodes, by node name (errors, warnings such as a truncated key list).</summary>
    public Dictionary<string, string> Messages { get; init; } = [];

    /// <summary>Each installed key (base64) with the number of nodes that hold it.</summary>
    public Dictionary<string, int> Keys { get; init; } = [];

    /// <summary>Each primary key (base64) with the number of nodes that use it.</summary>
    public Dictionary<string, int> PrimaryKeys { get; init; } = [];

    /// <summary>How many members the pool had.</summary>
    public int NumNodes { get; init; }
}

/// <summary><c>/v1/operator</c> (Go's <c>client.Operator()</c>): the gossip keyring.</summary>
public sealed class OperatorEndpoint
{
    private readonly ApiTransport _transport;

    internal OperatorEndpoint(ApiTransport transport)
    {
        _transport = transport;
    }

    /// <summary>The keys installed in every pool, with how many nodes hold each (<c>GET /v1/operator/keyring</c>).</summary>
    public async Task<IReadOnlyList<KeyringResponse>> KeyringListAsync(QueryOptions? options = null, CancellationToken ct = default)
    {
        using var response = await _transport.SendAsync(HttpMethod.Get, "operator/keyring", ApiQuery.For(options), null, options?.Token, ct);
        await ApiTransport.EnsureStatusAsync(response, ct);
        return await response.Content.ReadFromJsonAsync(OperatorJsonContext.Default.ListKeyringResponse, ct) ?? [];
    }

    /// <summary>Installs <paramref name="key"/> (base64) on every member (<c>POST /v1/operator/keyring</c>).</summary>
    public Task KeyringInstallAsync(string key, WriteOptions? options = null, CancellationToken ct = default) => KeyringWriteAsync(HttpMethod.Post, key, options, ct);

    /// <summary>Makes <paramref name="key"/> the primary (encrypting) key on every member (<c>PUT /v1/operator/keyring</c>).</summary>
    public Task KeyringUseAsync(string key, WriteOptions? options = null, CancellationToken ct = default) => KeyringWriteAsync(HttpMethod.Put, key, options, ct);

    /// <summary>Removes <paramref name="key"/> from every member (<c>DELETE /v1/operator/keyring</c>).</summary>
    public Task KeyringRemoveAsync(string key, WriteOptions? options = null, CancellationToken ct = default) => KeyringWriteAsync(HttpMethod.Delete, key, options, ct);

    private async Task KeyringWriteAsync(HttpMethod method, string key, WriteOptions? options, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(key);
        using var body = JsonContent.Create(new KeyringRequest(key), OperatorJsonContext.Default.KeyringRequest);
        using var response = await _transport.SendAsync(method, "operator/keyring", ApiQuery.For(options), body, options?.Token, ct);
        await ApiTransport.EnsureStatusAsync(response, ct);
    }
}

/// <summary>The body of a keyring write: <c>{"Key": "&lt;base64&gt;"}</c>.</summary>
internal sealed record KeyringRequest(string Key);

/// <summary>Source-generated JSON for the operator endpoints.</summary>
[JsonSerializable(typeof(List<KeyringResponse>))]
[JsonSerializable(typeof(KeyringRequest))]
internal sealed partial class OperatorJsonContext : JsonSerializerContext;

/// <summary>The operator endpoint group of a <see cref="PraetorClient"/>, as Go's <c>client.Operator()</c>.</summary>
public static class PraetorClientOperator
{
    extension(PraetorClient client)
    {
        /// <summary><c>/v1/operator</c>.</summary>
        public OperatorEndpoint Operator => new(client.Agent.Transport);
    }
}
