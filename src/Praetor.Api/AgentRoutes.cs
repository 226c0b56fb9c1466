using System.Text.Json;
using Praetor.Agent;
using Praetor.Agent.Config;
using Praetor.Agent.Endpoints;
using Praetor.State.Catalog;

namespace Praetor.Api;

/// <summary>
/// `/v1/agent/*`: self, the gossip pool (members, join, leave, force-leave), and this agent's
/// services and checks — listing, registration, TTL updates and maintenance mode.
/// </summary>
internal static class AgentRoutes
{
    public static void Map(WebApplication app, Agent.Agent agent)
    {
        app.MapGet("/v1/agent/self", context => ResponseWriter.JsonAsync(context, agent, WriteSelf));
        app.MapGet("/v1/agent/members", context =>
        {
            // Consul: any non-empty ?wan asks for the WAN pool; ?segment names a segment ("_all": every one).
            var wan = !string.IsNullOrEmpty(QueryParameters.Get(context.Request, "wan"));
            var members = agent.Members(wan, QueryParameters.Get(context.Request, "segment"));
            return ResponseWriter.JsonAsync(context, members, static (w, list) =>
            {
                w.WriteStartArray();
                foreach (var member in list)
                {
                    WriteMember(w, member);
                }
                w.WriteEndArray();
            });
        });
        app.MapPut("/v1/agent/join/{**address}", async context =>
        {
            var address = (string?)context.Request.RouteValues["address"] ?? "";
            // Consul: any non-empty ?wan joins the WAN pool.
            if (!string.IsNullOrEmpty(QueryParameters.Get(context.Request, "wan")))
            {
                await agent.JoinWanAsync([address], context.RequestAborted);
                return;
            }
            await agent.JoinAsync([address], context.RequestAborted);
        });
        app.MapPut("/v1/agent/leave", async context =>
        {
            // Consul leaves gracefully, then shuts the agent down; the answer goes out first.
            await agent.LeaveAsync(context.RequestAborted);
        });
        app.MapPut("/v1/agent/force-leave/{**node}", context =>
        {
            var node = (string?)context.Request.RouteValues["node"] ?? "";
            var prune = QueryParameters.Has(context.Request, "prune");
            // Consul: ?wan present (with any value) force-leaves on the WAN pool, the node named node.dc.
            if (QueryParameters.Has(context.Request, "wan"))
            {
                agent.ForceLeaveWan(node, prune);
            }
            else
            {
                agent.ForceLeave(node, prune);
            }
            return Task.CompletedTask;
        });
        app.MapPut("/v1/agent/reload", context =>
        {
            agent.Reload();
            return Task.CompletedTask;
        });
        app.MapGet("/v1/agent/services", context => ResponseWriter.JsonAsync(context, agent, static (w, a) =>
        {
            w.WriteStartObject();
            foreach (var service in a.AgentLocal.Services())
            {
                w.WritePropertyName(service.Id);
                CatalogJson.WriteService(w, service, a.Config.Datacenter);
            }
            w.WriteEndObject();
        }));
        app.MapGet("/v1/agent/service/{id}", context =>
        {
            var id = (string)context.Request.RouteValues["id"]!;
            var service = agent.AgentLocal.Service(id) ?? throw EndpointException.NotFound($"unknown service ID: {id}");
            return ResponseWriter.JsonAsync(context, service, (w, s) => CatalogJson.WriteService(w, s, agent.Config.Datacenter));
        });
        app.MapGet("/v1/agent/checks", context => ResponseWriter.JsonAsync(context, agent.AgentLocal.Checks(), static (w, checks) =>
        {
            w.WriteStartObject();
            foreach (var check in checks)
            {
                w.WritePropertyName(check.CheckId);
                CatalogJson.WriteCheck(w, check);
            }
            w.WriteEndObject();
        }));
        app.MapPut("/v1/agent/service/register", async context =>
        {
            using var document = await ReadBodyAsync(context, agent);
            var service = DefinitionJson.ReadService(document.RootElement, out var problems)
                ?? throw HttpApiException.BadRequest("Invalid service definition: " + string.Join("; ", problems));
            var replace = Flag(context.Request, "replace-existing-checks");
            agent.AgentLocal.RegisterService(service, RegistrationSource.Remote, replace);
        });
        // GET as well as PUT on these three: python-consul 0.7 (Debian's python3-consul) still
        // sends GET, as Consul before 1.0 accepted.
        app.MapMethods("/v1/agent/service/deregister/{id}", LegacyGetOrPut, context =>
        {
            var id = (string)context.Request.RouteValues["id"]!;
            return agent.AgentLocal.DeregisterService(id) ? Task.CompletedTask : throw EndpointException.NotFound($"Unknown service ID \"{id}\". Ensure that the service ID is passed, not the service name.");
        });
        app.MapPut("/v1/agent/check/register", async context =>
        {
            using var document = await ReadBodyAsync(context, agent);
            var check = DefinitionJson.ReadCheck(document.RootElement, out var problems)
                ?? throw HttpApiException.BadRequest("Invalid check definition: " + string.Join("; ", problems));
            agent.AgentLocal.RegisterCheck(check, RegistrationSource.Remote);
        });
        app.MapMethods("/v1/agent/check/deregister/{id}", LegacyGetOrPut, context =>
        {
            var id = (string)context.Request.RouteValues["id"]!;
            return agent.AgentLocal.DeregisterCheck(id) ? Task.CompletedTask : throw EndpointException.NotFound($"Unknown check ID \"{id}\"");
        });
        MapTtl(app, agent, "pass", HealthStatus.Passing);
        MapTtl(app, agent, "warn", HealthStatus.Warning);
        MapTtl(app, agent, "fail", HealthStatus.Critical);
        app.MapPut("/v1/agent/check/update/{id}", async context =>
        {
            using var document = await ReadBodyAsync(context, agent);
            var update = new JsonBody(document.RootElement, "");
            var status = update.String("Status");
            if (!HealthStatus.IsCheckStatus(status))
            {
                throw HttpApiException.BadRequest($"Invalid check status: \"{status}\"");
            }
            agent.AgentLocal.UpdateTtl((string)context.Request.RouteValues["id"]!, status, update.String("Output"));
        });
        app.MapPut("/v1/agent/service/maintenance/{id}", context =>
        {
            agent.AgentLocal.SetServiceMaintenance((string)context.Request.RouteValues["id"]!, Enable(context.Request), QueryParameters.Get(context.Request, "reason") ?? "");
            return Task.CompletedTask;
        });
        app.MapPut("/v1/agent/maintenance", context =>
        {
            agent.AgentLocal.SetNodeMaintenance(Enable(context.Request), QueryParameters.Get(context.Request, "reason") ?? "");
            return Task.CompletedTask;
        });
    }

    private static readonly string[] LegacyGetOrPut = ["GET", "PUT"];

    private static void MapTtl(WebApplication app, Agent.Agent agent, string verb, string status) =>
        app.MapMethods($"/v1/agent/check/{verb}/{{id}}", LegacyGetOrPut, context =>
        {
            agent.AgentLocal.UpdateTtl((string)context.Request.RouteValues["id"]!, status, QueryParameters.Get(context.Request, "note") ?? "");
            return Task.CompletedTask;
        });

    private static async Task<JsonDocument> ReadBodyAsync(HttpContext context, Agent.Agent agent)
    {
        var body = await RequestBody.ReadAsync(context.Request, agent.Config.TxnMaxRequestBytes, context.RequestAborted);
        return JsonBody.Parse(body);
    }

    /// <summary>`?enable=true|false`, required (Consul: "Missing value for enable").</summary>
    private static bool Enable(HttpRequest request)
    {
        var value = QueryParameters.Get(request, "enable");
        if (string.IsNullOrEmpty(value))
        {
            throw HttpApiException.BadRequest("Missing value for enable");
        }
        return GoStrconv.TryParseBool(value, out var enable) ? enable : throw HttpApiException.BadRequest("Invalid value for enable");
    }

    /// <summary>A presence flag that may also carry a Go bool (`?replace-existing-checks`, `=true`, `=0`).</summary>
    private static bool Flag(HttpRequest request, string name)
    {
        var value = QueryParameters.Get(request, name);
        return value is not null && (value.Length == 0 || (GoStrconv.TryParseBool(value, out var on) ? on : throw HttpApiException.BadRequest($"Invalid value for {name}")));
    }

    private static void WriteSelf(Utf8JsonWriter writer, Agent.Agent agent)
    {
        var config = agent.Config;
        writer.WriteStartObject();
        writer.WriteStartObject("Config"u8);
        writer.WriteString("Datacenter"u8, config.Datacenter);
        writer.WriteString("PrimaryDatacenter"u8, config.Datacenter);
        writer.WriteString("NodeName"u8, config.NodeName);
        writer.WriteString("NodeID"u8, agent.NodeId);
        writer.WriteBoolean("Server"u8, config.Server || config.DevMode);
        writer.WriteString("Revision"u8, BuildInfo.Revision);
        writer.WriteString("Version"u8, BuildInfo.ConsulVersion);
        writer.WriteString("PraetorVersion"u8, BuildInfo.PraetorVersion);
        writer.WriteEndObject();
        writer.WriteStartObject("DebugConfig"u8);
        writer.WriteBoolean("DevMode"u8, config.DevMode);
        writer.WriteString("ClientAddrs"u8, config.ClientAddr);
        writer.WriteNumber("HTTPPort"u8, config.HttpPort);
        writer.WriteString("DataDir"u8, config.DataDir ?? "");
        writer.WriteBoolean("DisableRemoteExec"u8, config.DisableRemoteExec);
        writer.WriteEndObject();
        writer.WritePropertyName("Member"u8);
        WriteMember(writer, agent.Member());
        JsonValues.WriteMap(writer, "Meta"u8, config.NodeMeta);
        writer.WriteEndObject();
    }

    private static void WriteMember(Utf8JsonWriter writer, AgentMember member)
    {
        writer.WriteStartObject();
        writer.WriteString("Name"u8, member.Name);
        writer.WriteString("Addr"u8, member.Addr);
        writer.WriteNumber("Port"u8, member.Port);
        JsonValues.WriteMap(writer, "Tags"u8, member.Tags);
        writer.WriteNumber("Status"u8, member.Status);
        writer.WriteNumber("ProtocolMin"u8, member.ProtocolMin);
        writer.WriteNumber("ProtocolMax"u8, member.ProtocolMax);
        writer.WriteNumber("ProtocolCur"u8, member.ProtocolCur);
        writer.WriteNumber("DelegateMin"u8, member.DelegateMin);
        writer.WriteNumber("DelegateMax"u8, member.DelegateMax);
        writer.WriteNumber("DelegateCur"u8, member.DelegateCur);
        writer.WriteEndObject();
    }
}
