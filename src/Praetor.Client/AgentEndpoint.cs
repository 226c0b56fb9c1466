using System.Net.Http.Headers;
using System.Net.Http.Json;

namespace Praetor.Client;

/// <summary>
/// <c>/v1/agent</c> (Go's <c>client.Agent()</c>): the local agent's identity, its services and
/// checks, TTL updates, maintenance mode and reload.
/// </summary>
public sealed class AgentEndpoint
{
    private readonly ApiTransport _transport;

    internal AgentEndpoint(ApiTransport transport)
    {
        _transport = transport;
    }

    /// <summary>The transport the other endpoint groups (catalog, health) share.</summary>
    internal ApiTransport Transport => _transport;

    /// <summary>The local agent's configuration and member record (<c>GET /v1/agent/self</c>).</summary>
    public async Task<AgentSelf> SelfAsync(CancellationToken ct = default)
    {
        using var response = await _transport.SendAsync(HttpMethod.Get, "agent/self", new ApiQuery(), null, null, ct);
        await ApiTransport.EnsureStatusAsync(response, ct);
        return await response.Content.ReadFromJsonAsync(ClientJsonContext.Default.AgentSelf, ct) ?? new AgentSelf();
    }

    /// <summary>The local agent's node name (Go's <c>Agent().NodeName()</c>, from <c>/v1/agent/self</c>).</summary>
    /// <summary><c>GET /v1/agent/metrics</c>: the agent's metrics, as its in-memory sink shows them (Go's <c>Agent.Metrics</c>).</summary>
    public async Task<MetricsInfo> MetricsAsync(CancellationToken ct = default)
    {
        using var response = await _transport.SendAsync(HttpMethod.Get, "agent/metrics", new ApiQuery(), null, null, ct);
        await ApiTransport.EnsureStatusAsync(response, ct);
        return await response.Content.ReadFromJsonAsync(ClientJsonContext.Default.MetricsInfo, ct) ?? new MetricsInfo();
    }

    /// <summary><c>GET /v1/agent/metrics?format=prometheus</c>: the agent's metrics as Prometheus text exposition (totals since start).</summary>
    public async Task<string> MetricsPrometheusAsync(CancellationToken ct = default)
    {
        var query = new ApiQuery();
        query.Add("format", "prometheus");
        using var response = await _transport.SendAsync(HttpMethod.Get, "agent/metrics", query, null, null, ct);
        await ApiTransport.EnsureStatusAsync(response, ct);
        return await response.Content.ReadAsStringAsync(ct);
    }

    public async Task<string> NodeNameAsync(CancellationToken ct = default) => (await SelfAsync(ct)).Config.NodeName;

    /// <summary>The services registered with this agent, by ID (<c>GET /v1/agent/services</c>).</summary>
    public async Task<IReadOnlyDictionary<string, AgentService>> ServicesAsync(CancellationToken ct = default) =>
        (await EndpointCalls.QueryAsync(_transport, "agent/services", new ApiQuery(), ServiceJsonContext.Default.DictionaryStringAgentService, [], null, ct)).Response;

    /// <summary>One local service (<c>GET /v1/agent/service/:id</c>), or null when the agent has no service with that ID.</summary>
    public async Task<AgentService?> ServiceAsync(string serviceId, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(serviceId);
        using var response = await _transport.SendAsync(HttpMethod.Get, "agent/service/" + EndpointCalls.Segment(serviceId), new ApiQuery(), null, null, ct);
        if (response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return null;
        }

        await ApiTransport.EnsureStatusAsync(response, ct);
        return await response.Content.ReadFromJsonAsync(ServiceJsonContext.Default.AgentService, ct);
    }

    /// <summary>The checks registered with this agent, by check ID (<c>GET /v1/agent/checks</c>).</summary>
    public async Task<IReadOnlyDictionary<string, HealthCheck>> ChecksAsync(CancellationToken ct = default) =>
        (await EndpointCalls.QueryAsync(_transport, "agent/checks", new ApiQuery(), ServiceJsonContext.Default.DictionaryStringHealthCheck, [], null, ct)).Response;

    /// <summary>Registers (or replaces) a service and its checks (<c>PUT /v1/agent/service/register</c>).
    /// The agent's validation errors come back as <see cref="ApiStatusException"/> with status 400.</summary>
    public Task ServiceRegisterAsync(AgentServiceRegistration service, bool replaceExistingChecks = false, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(service);
        return RegisterAsync(JsonContent.Create(service, ServiceJsonContext.Default.AgentServiceRegistration), replaceExistingChecks, ct);
    }

    /// <summary>Registers a service given as a JSON service definition, passed to the agent unchanged
    /// (Consul's keys in PascalCase or snake_case, as in a config file's <c>service</c> block).</summary>
    public Task ServiceRegisterJsonAsync(ReadOnlyMemory<byte> definition, bool replaceExistingChecks = false, CancellationToken ct = default)
    {
        var body = new ReadOnlyMemoryContent(definition);
        body.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return RegisterAsync(body, replaceExistingChecks, ct);
    }

    /// <summary>Removes a local service and its checks (<c>PUT /v1/agent/service/deregister/:id</c>); 404 when unknown.</summary>
    public Task ServiceDeregisterAsync(string serviceId, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(serviceId);
        return EndpointCalls.PutAsync(_transport, "agent/service/deregister/" + EndpointCalls.Segment(serviceId), new ApiQuery(), null, null, ct);
    }

    /// <summary>Registers a check (<c>PUT /v1/agent/check/register</c>).</summary>
    public Task CheckRegisterAsync(AgentServiceCheck check, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(check);
        var body = JsonContent.Create(check, ServiceJsonContext.Default.AgentServiceCheck);
        return EndpointCalls.PutAsync(_transport, "agent/check/register", new ApiQuery(), body, null, ct);
    }

    /// <summary>Removes a local check (<c>PUT /v1/agent/check/deregister/:id</c>).</summary>
    public Task CheckDeregisterAsync(string checkId, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(checkId);
        return EndpointCalls.PutAsync(_transport, "agent/check/deregister/" + EndpointCalls.Segment(checkId), new ApiQuery(), null, null, ct);
    }

    /// <summary>Sets a TTL check passing (<c>PUT /v1/agent/check/pass/:id?note=</c>).</summary>
    public Task PassTtlAsync(string checkId, string note = "", CancellationToken ct = default) => TtlAsync("pass", checkId, note, ct);

    /// <summary>Sets a TTL check warning (<c>PUT /v1/agent/check/warn/:id?note=</c>).</summary>
    public Task WarnTtlAsync(string checkId, string note = "", CancellationToken ct = default) => TtlAsync("warn", checkId, note, ct);

    /// <summary>Sets a TTL check critical (<c>PUT /v1/agent/check/fail/:id?note=</c>).</summary>
    public Task FailTtlAsync(string checkId, string note = "", CancellationToken ct = default) => TtlAsync("fail", checkId, note, ct);

    /// <summary>Sets a TTL check's status (<see cref="HealthStates"/>: passing, warning, critical) and output (<c>PUT /v1/agent/check/update/:id</c>).</summary>
    public Task UpdateTtlAsync(string checkId, string output, string status, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(checkId);
        var body = JsonContent.Create(new TtlUpdate(status, output), ServiceJsonContext.Default.TtlUpdate);
        return EndpointCalls.PutAsync(_transport, "agent/check/update/" + EndpointCalls.Segment(checkId), new ApiQuery(), body, null, ct);
    }

    /// <summary>Puts one local service in maintenance: a critical <c>_service_maintenance:&lt;id&gt;</c> check with <paramref name="reason"/> as its notes.</summary>
    public Task EnableServiceMaintenanceAsync(string serviceId, string reason = "", CancellationToken ct = default) =>
        ServiceMaintenanceAsync(serviceId, new ApiQuery().Add("enable", "true").Add("reason", reason), ct);

    /// <summary>Takes one local service out of maintenance.</summary>
    public Task DisableServiceMaintenanceAsync(string serviceId, CancellationToken ct = default) =>
        ServiceMaintenanceAsync(serviceId, new ApiQuery().Add("enable", "false"), ct);

    /// <summary>Puts the whole node in maintenance: a critical <c>_node_maintenance</c> check with <paramref name="reason"/> as its notes.</summary>
    public Task EnableNodeMaintenanceAsync(string reason = "", CancellationToken ct = default) =>
        EndpointCalls.PutAsync(_transport, "agent/maintenance", new ApiQuery().Add("enable", "true").Add("reason", reason), null, null, ct);

    /// <summary>Takes the node out of maintenance.</summary>
    public Task DisableNodeMaintenanceAsync(CancellationToken ct = default) =>
        EndpointCalls.PutAsync(_transport, "agent/maintenance", new ApiQuery().Add("enable", "false"), null, null, ct);

    /// <summary>Makes the agent reload its configuration files (<c>PUT /v1/agent/reload</c>), as SIGHUP does.</summary>
    public Task ReloadAsync(CancellationToken ct = default) =>
        EndpointCalls.PutAsync(_transport, "agent/reload", new ApiQuery(), null, null, ct);

    /// <summary>
    /// The members of the agent's LAN gossip pool (<c>GET /v1/agent/members</c>); <paramref name="wan"/>
    /// asks a server for the WAN pool, <paramref name="segment"/> for one network segment (<c>_all</c>: every one).
    /// </summary>
    public async Task<IReadOnlyList<AgentMember>> MembersAsync(bool wan = false, string? segment = null, CancellationToken ct = default)
    {
        var query = new ApiQuery();
        if (wan)
        {
            query.Add("wan", "1");
        }
        if (!string.IsNullOrEmpty(segment))
        {
            query.Add("segment", segment);
        }
        using var response = await _transport.SendAsync(HttpMethod.Get, "agent/members", query, null, null, ct);
        await ApiTransport.EnsureStatusAsync(response, ct);
        return await response.Content.ReadFromJsonAsync(ClientJsonContext.Default.ListAgentMember, ct) ?? [];
    }

    /// <summary>Makes the agent join a gossip pool through <paramref name="address"/> (<c>PUT /v1/agent/join/:address</c>); a failed join is an <see cref="ApiStatusException"/> (500).</summary>
    public Task JoinAsync(string address, bool wan = false, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(address);
        var query = new ApiQuery();
        if (wan)
        {
            query.Add("wan", "1");
        }
        return EndpointCalls.PutAsync(_transport, "agent/join/" + address, query, null, null, ct);
    }

    /// <summary>Makes the agent leave the cluster gracefully and shut down (<c>PUT /v1/agent/leave</c>).</summary>
    public Task LeaveAsync(CancellationToken ct = default) =>
        EndpointCalls.PutAsync(_transport, "agent/leave", new ApiQuery(), null, null, ct);

    /// <summary>
    /// Marks a failed node as left (<c>PUT /v1/agent/force-leave/:node</c>); <paramref name="prune"/>
    /// also forgets it at once; <paramref name="wan"/> acts on a server's WAN pool, where nodes are named <c>node.dc</c>.
    /// </summary>
    public Task ForceLeaveAsync(string node, bool prune = false, bool wan = false, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(node);
        var query = new ApiQuery();
        if (prune)
        {
            query.Add("prune", "1");
        }
        if (wan)
        {
            query.Add("wan", "1");
        }
        return EndpointCalls.PutAsync(_transport, "agent/force-leave/" + EndpointCalls.Segment(node), query, null, null, ct);
    }

    private Task RegisterAsync(HttpContent body, bool replaceExistingChecks, CancellationToken ct)
    {
        var query = new ApiQuery();
        if (replaceExistingChecks)
        {
            query.Add("replace-existing-checks", "true");
        }

        return EndpointCalls.PutAsync(_transport, "agent/service/register", query, body, null, ct);
    }

    private Task TtlAsync(string verb, string checkId, string note, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(checkId);
        var query = new ApiQuery();
        if (note.Length > 0)
        {
            query.Add("note", note);
        }

        return EndpointCalls.PutAsync(_transport, $"agent/check/{verb}/" + EndpointCalls.Segment(checkId), query, null, null, ct);
    }

    private Task ServiceMaintenanceAsync(string serviceId, ApiQuery query, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(serviceId);
        return EndpointCalls.PutAsync(_transport, "agent/service/maintenance/" + EndpointCalls.Segment(serviceId), query, null, null, ct);
    }
}
