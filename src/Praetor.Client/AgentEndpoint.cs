using System.Net.Http.Json;

namespace Praetor.Client;

/// <summary><c>/v1/agent</c> (Go's <c>client.Agent()</c>); only what the CLI needs so far.</summary>
public sealed class AgentEndpoint
{
    private readonly ApiTransport _transport;

    internal AgentEndpoint(ApiTransport transport)
    {
        _transport = transport;
    }

    /// <summary>The local agent's configuration and member record (<c>GET /v1/agent/self</c>).</summary>
    public async Task<AgentSelf> SelfAsync(CancellationToken ct = default)
    {
        using var response = await _transport.SendAsync(HttpMethod.Get, "agent/self", new ApiQuery(), null, null, ct);
        await ApiTransport.EnsureStatusAsync(response, ct);
        return await response.Content.ReadFromJsonAsync(ClientJsonContext.Default.AgentSelf, ct) ?? new AgentSelf();
    }
}
