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

/// <summary>One server of the Raft configuration (Go's <c>api.RaftServer</c>).</summary>
public sealed record RaftServer
{
    /// <summary>The server's Raft ID (its node ID).</summary>
    [JsonPropertyName("ID")]
    public string Id { get; init; } = "";

    /// <summary>The server's node name, as gossip knows it.</summary>
    public string Node { get; init; } = "";

    /// <summary>The server's Raft address, <c>IP:port</c>.</summary>
    public string Address { get; init; } = "";

    /// <summary>True for the current leader.</summary>
    public bool Leader { get; init; }

    /// <summary>The Raft protocol version the server speaks ("" when unknown, before version 2).</summary>
    public string ProtocolVersion { get; init; } = "";

    /// <summary>True when the server votes; false for a non-voter catching up.</summary>
    public bool Voter { get; init; }

    /// <summary>The last log index the server holds, as the answering server knows it.</summary>
    public ulong LastIndex { get; init; }
}

/// <summary>The Raft configuration (Go's <c>api.RaftConfiguration</c>).</summary>
public sealed record RaftConfiguration
{
    /// <summary>The servers of the configuration.</summary>
    public List<RaftServer> Servers { get; init; } = [];

    /// <summary>The Raft index of this configuration.</summary>
    public ulong Index { get; init; }
}

/// <summary><c>/v1/operator</c> (Go's <c>client.Operator()</c>): the Raft configuration and the gossip keyring.</summary>
public sealed class OperatorEndpoint
{
    private readonly ApiTransport _transport;

    internal OperatorEndpoint(ApiTransport transport)
    {
        _transport = transport;
    }

    /// <summary>The servers of the Raft configuration (<c>GET /v1/operator/raft/configuration</c>; <c>AllowStale</c>: any server answers).</summary>
    public async Task<RaftConfiguration> RaftGetConfigurationAsync(QueryOptions? options = null, CancellationToken ct = default)
    {
        using var response = await _transport.SendAsync(HttpMethod.Get, "operator/raft/configuration", ApiQuery.For(options), null, options?.Token, ct);
        await ApiTransport.EnsureStatusAsync(response, ct);
        return await response.Content.ReadFromJsonAsync(OperatorJsonContext.Default.RaftConfiguration, ct) ?? new RaftConfiguration();
    }

    /// <summary>Removes the server with Raft ID <paramref name="id"/> from the Raft configuration (<c>DELETE /v1/operator/raft/peer?id=</c>).</summary>
    public Task RaftRemovePeerByIdAsync(string id, WriteOptions? options = null, CancellationToken ct = default) => RaftRemovePeerAsync("id", id, options, ct);

    /// <summary>Removes the server at <paramref name="address"/> (<c>IP:port</c>) from the Raft configuration (<c>DELETE /v1/operator/raft/peer?address=</c>).</summary>
    public Task RaftRemovePeerByAddressAsync(string address, WriteOptions? options = null, CancellationToken ct = default) => RaftRemovePeerAsync("address", address, options, ct);

    private async Task RaftRemovePeerAsync(string parameter, string value, WriteOptions? options, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(value);
        using var response = await _transport.SendAsync(HttpMethod.Delete, "operator/raft/peer", ApiQuery.For(options).Add(parameter, value), null, options?.Token, ct);
        await ApiTransport.EnsureStatusAsync(response, ct);
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
[JsonSerializable(typeof(RaftConfiguration))]
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
