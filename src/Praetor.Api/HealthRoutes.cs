using Praetor.State.Catalog;

namespace Praetor.Api;

/// <summary>`/v1/health/*`: node/:node, checks/:service, service/:service (`passing`, `tag`), state/:state.</summary>
internal static class HealthRoutes
{
    public static void Map(WebApplication app, Agent.Agent agent)
    {
        app.MapGet("/v1/health/node/{node}", async context =>
        {
            var result = await agent.Health.NodeChecksAsync((string)context.Request.RouteValues["node"]!, QueryParameters.Options(context.Request), context.RequestAborted);
            ResponseWriter.SetQueryHeaders(context.Response, result.Meta);
            await ResponseWriter.JsonAsync(context, result.Value, CatalogJson.WriteChecks);
        });
        app.MapGet("/v1/health/checks/{service}", async context =>
        {
            var result = await agent.Health.ServiceChecksAsync((string)context.Request.RouteValues["service"]!, QueryParameters.Options(context.Request), context.RequestAborted);
            ResponseWriter.SetQueryHeaders(context.Response, result.Meta);
            await ResponseWriter.JsonAsync(context, result.Value, CatalogJson.WriteChecks);
        });
        app.MapGet("/v1/health/state/{state}", async context =>
        {
            var state = (string)context.Request.RouteValues["state"]!;
            if (state != HealthStatus.Any && !HealthStatus.IsCheckStatus(state))
            {
                throw HttpApiException.BadRequest("Invalid check state");
            }
            var result = await agent.Health.ChecksInStateAsync(state, QueryParameters.Options(context.Request), context.RequestAborted);
            ResponseWriter.SetQueryHeaders(context.Response, result.Meta);
            await ResponseWriter.JsonAsync(context, result.Value, CatalogJson.WriteChecks);
        });
        app.MapGet("/v1/health/service/{service}", async context =>
        {
            var request = context.Request;
            var result = await agent.Health.ServiceHealthAsync(
                (string)request.RouteValues["service"]!, CatalogRoutes.Tags(request), CatalogRoutes.NodeMeta(request), Passing(request),
                QueryParameters.Options(request), context.RequestAborted);
            var entries = await CoordinateRoutes.SortByDistanceAsync(context, agent, result.Value, static e => e.Node.Node);
            ResponseWriter.SetQueryHeaders(context.Response, result.Meta);
            await ResponseWriter.JsonAsync(context, entries, static (w, entries) =>
            {
                w.WriteStartArray();
                foreach (var entry in entries)
                {
                    w.WriteStartObject();
                    w.WritePropertyName("Node"u8);
                    CatalogJson.WriteNode(w, entry.Node);
                    w.WritePropertyName("Service"u8);
                    CatalogJson.WriteService(w, entry.Service, "");
                    w.WritePropertyName("Checks"u8);
                    CatalogJson.WriteChecks(w, entry.Checks);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            });
        });
    }

    /// <summary>`?passing` given bare or as a Go bool (`1`, `true`, `false`...).</summary>
    private static bool Passing(HttpRequest request)
    {
        var value = QueryParameters.Get(request, "passing");
        if (value is null)
        {
            return false;
        }
        if (value.Length == 0)
        {
            return true;
        }
        return Praetor.Agent.GoStrconv.TryParseBool(value, out var passing)
            ? passing
            : throw HttpApiException.BadRequest($"Invalid value for ?passing: \"{value}\"");
    }
}
