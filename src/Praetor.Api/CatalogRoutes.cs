using System.Text.Json;
using Praetor.Agent.Endpoints;
using Praetor.State.Catalog;

namespace Praetor.Api;

/// <summary>`/v1/catalog/*`: register, deregister, datacenters, nodes, services, service/:name, node/:node.</summary>
internal static class CatalogRoutes
{
    public static void Map(WebApplication app, Agent.Agent agent)
    {
        app.MapPut("/v1/catalog/register", context => RegisterAsync(context, agent));
        app.MapPut("/v1/catalog/deregister", context => DeregisterAsync(context, agent));
        app.MapGet("/v1/catalog/datacenters", context =>
            ResponseWriter.JsonAsync(context, agent.Catalog.Datacenters(), JsonValues.WriteStrings));
        app.MapGet("/v1/catalog/nodes", NodesAsync);
        app.MapGet("/v1/catalog/services", ServicesAsync);
        app.MapGet("/v1/catalog/service/{name}", ServiceAsync);
        app.MapGet("/v1/catalog/node/{node}", NodeAsync);

        async Task NodesAsync(HttpContext context)
        {
            var result = await agent.Catalog.NodesAsync(NodeMeta(context.Request), QueryParameters.Options(context.Request), context.RequestAborted);
            var nodes = await CoordinateRoutes.SortByDistanceAsync(context, agent, result.Value, static n => n.Node);
            ResponseWriter.SetQueryHeaders(context.Response, result.Meta);
            await ResponseWriter.JsonAsync(context, nodes, static (w, nodes) =>
            {
                w.WriteStartArray();
                foreach (var node in nodes)
                {
                    CatalogJson.WriteNode(w, node);
                }
                w.WriteEndArray();
            });
        }

        async Task ServicesAsync(HttpContext context)
        {
            var result = await agent.Catalog.ServicesAsync(NodeMeta(context.Request), QueryParameters.Options(context.Request), context.RequestAborted);
            ResponseWriter.SetQueryHeaders(context.Response, result.Meta);
            await ResponseWriter.JsonAsync(context, result.Value, static (w, services) =>
            {
                w.WriteStartObject();
                foreach (var (name, tags) in services)
                {
                    w.WritePropertyName(name);
                    JsonValues.WriteStrings(w, tags);
                }
                w.WriteEndObject();
            });
        }

        async Task ServiceAsync(HttpContext context)
        {
            var name = (string)context.Request.RouteValues["name"]!;
            var result = await agent.Catalog.ServiceNodesAsync(name, Tags(context.Request), NodeMeta(context.Request), QueryParameters.Options(context.Request), context.RequestAborted);
            var instances = await CoordinateRoutes.SortByDistanceAsync(context, agent, result.Value, static i => i.Node.Node);
            ResponseWriter.SetQueryHeaders(context.Response, result.Meta);
            await ResponseWriter.JsonAsync(context, instances, static (w, instances) =>
            {
                w.WriteStartArray();
                foreach (var (node, service) in instances)
                {
                    CatalogJson.WriteCatalogService(w, node, service);
                }
                w.WriteEndArray();
            });
        }

        async Task NodeAsync(HttpContext context)
        {
            var name = (string)context.Request.RouteValues["node"]!;
            var result = await agent.Catalog.NodeServicesAsync(name, QueryParameters.Options(context.Request), context.RequestAborted);
            ResponseWriter.SetQueryHeaders(context.Response, result.Meta);
            await ResponseWriter.JsonAsync(context, result.Value, static (w, found) =>
            {
                if (found.Node is null)
                {
                    w.WriteNullValue();
                    return;
                }
                w.WriteStartObject();
                w.WritePropertyName("Node"u8);
                CatalogJson.WriteNode(w, found.Node);
                w.WriteStartObject("Services"u8);
                foreach (var service in found.Services)
                {
                    w.WritePropertyName(service.Id);
                    CatalogJson.WriteService(w, service, "");
                }
                w.WriteEndObject();
                w.WriteEndObject();
            });
        }
    }

    /// <summary>`?tag=` (repeatable): every tag must match.</summary>
    public static IReadOnlyList<string> Tags(HttpRequest request) =>
        request.Query.TryGetValue("tag", out var tags) ? [.. tags.Where(t => !string.IsNullOrEmpty(t)).Select(t => t!)] : [];

    /// <summary>`?node-meta=key:value` (repeatable).</summary>
    public static NodeMetaFilter NodeMeta(HttpRequest request)
    {
        if (!request.Query.TryGetValue("node-meta", out var values))
        {
            return NodeMetaFilter.None;
        }
        var pairs = new List<KeyValuePair<string, string>>();
        foreach (var value in values)
        {
            var colon = value?.IndexOf(':', StringComparison.Ordinal) ?? -1;
            if (colon <= 0)
            {
                throw HttpApiException.BadRequest($"Invalid node-meta \"{value}\": expected key:value");
            }
            pairs.Add(new(value![..colon], value[(colon + 1)..]));
        }
        return new NodeMetaFilter(pairs);
    }

    private static async Task RegisterAsync(HttpContext context, Agent.Agent agent)
    {
        var body = await RequestBody.ReadAsync(context.Request, agent.Config.TxnMaxRequestBytes, context.RequestAborted);
        using var document = JsonBody.Parse(body);
        var registration = ReadRegistration(new JsonBody(document.RootElement, ""), agent.Config.Datacenter);
        var error = await agent.Catalog.RegisterAsync(registration, context.RequestAborted);
        if (error is not null)
        {
            throw HttpApiException.BadRequest(error);
        }
        await ResponseWriter.BooleanAsync(context, true);
    }

    private static async Task DeregisterAsync(HttpContext context, Agent.Agent agent)
    {
        var body = await RequestBody.ReadAsync(context.Request, agent.Config.TxnMaxRequestBytes, context.RequestAborted);
        using var document = JsonBody.Parse(body);
        var request = new JsonBody(document.RootElement, "");
        var node = request.String("Node");
        if (node.Length == 0)
        {
            throw HttpApiException.BadRequest("Must provide node");
        }
        await agent.Catalog.DeregisterAsync(node, NullIfEmpty(request.String("ServiceID")), NullIfEmpty(request.String("CheckID")), context.RequestAborted);
        await ResponseWriter.BooleanAsync(context, true);
    }

    /// <summary>Consul's RegisterRequest, checked as Consul's Catalog.Register checks it.</summary>
    private static CatalogRegistration ReadRegistration(JsonBody request, string datacenter)
    {
        var nodeName = request.String("Node");
        var skipNodeUpdate = request.Bool("SkipNodeUpdate");
        var address = request.String("Address");
        if (nodeName.Length == 0)
        {
            throw HttpApiException.BadRequest("Must provide node");
        }
        if (address.Length == 0 && !skipNodeUpdate)
        {
            throw HttpApiException.BadRequest("Must provide address if SkipNodeUpdate is not set");
        }
        var node = new CatalogNode
        {
            Node = nodeName,
            Id = request.String("ID"),
            Address = address,
            Datacenter = request.String("Datacenter", datacenter),
            TaggedAddresses = request.Map("TaggedAddresses"),
            Meta = request.Map("NodeMeta"),
        };
        ServiceInstance? service = null;
        if (request.Object("Service") is { } s)
        {
            var name = s.String("Service");
            if (name.Length == 0)
            {
                throw HttpApiException.BadRequest("Must provide service name (Service.Service)");
            }
            var port = s.Int("Port");
            if (port is < 0 or > 65535)
            {
                throw HttpApiException.BadRequest($"Invalid service port {port}: must be 0-65535");
            }
            var weights = s.Object("Weights");
            service = new ServiceInstance
            {
                Node = nodeName,
                Id = s.String("ID", name) is { Length: > 0 } id ? id : name,
                Service = name,
                Tags = s.Strings("Tags"),
                Address = s.String("Address"),
                Port = port,
                Meta = s.Map("Meta"),
                WeightPassing = weights?.Int("Passing", 1) ?? 1,
                WeightWarning = weights?.Int("Warning", 1) ?? 1,
                EnableTagOverride = s.Bool("EnableTagOverride"),
            };
        }
        var checks = new List<HealthCheck>();
        if (request.Object("Check") is { } single)
        {
            checks.Add(ReadCheck(single, nodeName));
        }
        foreach (var check in request.Objects("Checks"))
        {
            checks.Add(ReadCheck(check, nodeName));
        }
        return new CatalogRegistration(node, service, checks, skipNodeUpdate);
    }

    private static HealthCheck ReadCheck(JsonBody check, string node)
    {
        var id = check.String("CheckID", check.String("ID"));
        var name = check.String("Name");
        if (id.Length == 0 && name.Length == 0)
        {
            throw HttpApiException.BadRequest("Must provide a CheckID or Name for each check");
        }
        var status = check.String("Status", HealthStatus.Critical);
        if (!HealthStatus.IsCheckStatus(status))
        {
            throw HttpApiException.BadRequest($"Invalid check status \"{status}\": must be passing, warning or critical");
        }
        var checkNode = check.String("Node", node);
        if (!string.Equals(checkNode, node, StringComparison.OrdinalIgnoreCase))
        {
            throw HttpApiException.BadRequest($"Check \"{id}\" is for node \"{checkNode}\", not \"{node}\"");
        }
        return new HealthCheck
        {
            Node = node,
            CheckId = id.Length > 0 ? id : name,
            Name = name.Length > 0 ? name : id,
            Status = status,
            Notes = check.String("Notes"),
            Output = check.String("Output"),
            ServiceId = check.String("ServiceID"),
            Type = check.String("Type"),
        };
    }

    private static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;

}
