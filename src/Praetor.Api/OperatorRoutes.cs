using System.Globalization;
using System.Text.Json;
using Praetor.Agent;
using Praetor.Agent.Cluster;
using Praetor.Agent.Gossip;
using Praetor.Gossip.Serf;

namespace Praetor.Api;

/// <summary>
/// `/v1/operator/raft/configuration`: GET the Raft servers with their node, role and last index
/// (`?stale` accepted). `/v1/operator/raft/peer`: DELETE `?id=` or `?address=` removes a server,
/// 200 and no body. `/v1/operator/keyring`: GET lists the gossip keys (`?local-only`: the LAN pool
/// alone), POST installs, PUT makes primary, DELETE removes the body's `{"Key": "<base64>"}` across
/// the pool; `?relay-factor` (0-5). Consul's answers: the list as JSON, the others empty; a pool
/// that reported failure makes a 500 with every node's message.
/// </summary>
internal static class OperatorRoutes
{
    private const int BodyReadMaxBytes = 4096;

    public static void Map(IEndpointRouteBuilder app, Agent.Agent agent)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(agent);
        app.Map("/v1/operator/keyring", context => context.Request.Method is "GET" or "POST" or "PUT" or "DELETE"
            ? KeyringAsync(context, agent)
            : Routes.MethodNotAllowedAsync(context, "GET, POST, PUT, DELETE"));
        app.Map("/v1/operator/raft/configuration", context => context.Request.Method == "GET"
            ? RaftConfigurationAsync(context, agent)
            : Routes.MethodNotAllowedAsync(context, "GET"));
        app.Map("/v1/operator/raft/peer", context => context.Request.Method == "DELETE"
            ? RaftRemovePeerAsync(context, agent)
            : Routes.MethodNotAllowedAsync(context, "DELETE"));
    }

    private static async Task RaftConfigurationAsync(HttpContext context, Agent.Agent agent)
    {
        var configuration = await agent.RaftOperator.ConfigurationAsync(QueryParameters.Consistency(context.Request), context.RequestAborted);
        await ResponseWriter.JsonAsync(context, configuration, WriteRaftConfiguration);
    }

    /// <summary>
    /// Consul's checks on the parameters, by presence as Go's <c>params["id"]</c> reads them: both
    /// given is refused here, the rest (neither, no such server) by <see cref="IRaftOperator"/>.
    /// </summary>
    private static async Task RaftRemovePeerAsync(HttpContext context, Agent.Agent agent)
    {
        var id = QueryParameters.Get(context.Request, "id");
        var address = QueryParameters.Get(context.Request, "address");
        if (id is not null && address is not null)
        {
            throw HttpApiException.BadRequest("Must specify only one of ?id or ?address");
        }
        await agent.RaftOperator.RemovePeerAsync(id, address, context.RequestAborted);
        context.Response.StatusCode = StatusCodes.Status200OK;
    }

    /// <summary>structs.RaftConfigurationResponse: <c>{"Servers": [...], "Index": n}</c>, fields in Consul's order.</summary>
    private static void WriteRaftConfiguration(Utf8JsonWriter writer, RaftConfigurationInfo configuration)
    {
        writer.WriteStartObject();
        writer.WriteStartArray("Servers");
        foreach (var server in configuration.Servers)
        {
            writer.WriteStartObject();
            writer.WriteString("ID", server.Id);
            writer.WriteString("Node", server.Node);
            writer.WriteString("Address", server.Address);
            writer.WriteBoolean("Leader", server.Leader);
            writer.WriteString("ProtocolVersion", server.ProtocolVersion);
            writer.WriteBoolean("Voter", server.Voter);
            writer.WriteNumber("LastIndex", server.LastIndex);
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
        writer.WriteNumber("Index", configuration.Index);
        writer.WriteEndObject();
    }

    private static async Task KeyringAsync(HttpContext context, Agent.Agent agent)
    {
        var request = context.Request;
        var operation = request.Method switch
        {
            "POST" => KeyringOperation.Install,
            "PUT" => KeyringOperation.Use,
            "DELETE" => KeyringOperation.Remove,
            _ => KeyringOperation.List,
        };
        string? key = null;
        if (operation != KeyringOperation.List)
        {
            var body = await RequestBody.ReadAsync(request, BodyReadMaxBytes, context.RequestAborted);
            using var document = JsonBody.Parse(body);
            var fields = new JsonBody(document.RootElement, "");
            if (fields.TryGet("Key", out var value))
            {
                key = value.ValueKind == JsonValueKind.String ? value.GetString() : throw HttpApiException.BadRequest("Request decode failed: Key must be a string");
            }
        }
        var relayFactor = RelayFactor(request);
        var localOnly = false;
        if (QueryParameters.Get(request, "local-only") is { Length: > 0 } localText)
        {
            if (!GoStrconv.TryParseBool(localText, out localOnly))
            {
                throw HttpApiException.BadRequest($"Error parsing local-only: strconv.ParseBool: parsing \"{localText}\": invalid syntax");
            }
            if (localOnly && operation != KeyringOperation.List)
            {
                throw HttpApiException.BadRequest("Invalid use of local-only: local-only can only be set for list requests");
            }
        }

        var responses = await agent.KeyringAsync(operation, key, relayFactor, localOnly, context.RequestAborted);
        if (KeyringPoolResponse.ErrorsOrNull(responses) is { } errors)
        {
            await ResponseWriter.TextAsync(context, StatusCodes.Status500InternalServerError, errors);
            return;
        }
        if (operation == KeyringOperation.List)
        {
            await ResponseWriter.JsonAsync(context, responses, WriteResponses);
            return;
        }
        context.Response.StatusCode = StatusCodes.Status200OK;
    }

    /// <summary>Consul's ParseRelayFactor: an integer from 0 to 5.</summary>
    private static byte RelayFactor(HttpRequest request)
    {
        if (QueryParameters.Get(request, "relay-factor") is not { Length: > 0 } text) return 0;
        if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n))
        {
            throw HttpApiException.BadRequest($"Error parsing relay factor: strconv.Atoi: parsing \"{text}\": invalid syntax");
        }
        if (n is < 0 or > 5)
        {
            throw HttpApiException.BadRequest("Invalid relay-factor: Relay factor must be in range: [0, 5]");
        }
        return (byte)n;
    }

    private static void WriteResponses(Utf8JsonWriter writer, IReadOnlyList<KeyringPoolResponse> responses)
    {
        writer.WriteStartArray();
        foreach (var pool in responses)
        {
            var r = pool.Response;
            writer.WriteStartObject();
            writer.WriteBoolean("WAN", pool.Wan);
            writer.WriteString("Datacenter", pool.Datacenter);
            writer.WriteString("Segment", pool.Segment);
            JsonValues.WriteMap(writer, "Messages"u8, r.Messages.OrderBy(m => m.Key, StringComparer.Ordinal));
            WriteCounts(writer, "Keys"u8, r.Keys);
            WriteCounts(writer, "PrimaryKeys"u8, r.PrimaryKeys);
            writer.WriteNumber("NumNodes", r.NumNodes);
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
    }

    private static void WriteCounts(Utf8JsonWriter writer, ReadOnlySpan<byte> name, IReadOnlyDictionary<string, int> counts)
    {
        writer.WriteStartObject(name);
        foreach (var (key, count) in counts.OrderBy(c => c.Key, StringComparer.Ordinal)) writer.WriteNumber(key, count);
        writer.WriteEndObject();
    }
}
