using Microsoft.AspNetCore.Http.Features;
using Praetor.State;

namespace Praetor.Api;

/// <summary>
/// <c>/v1/snapshot</c>: GET answers the state as a snapshot archive (<c>application/x-gzip</c>,
/// with Consul's query headers; <c>?stale</c> lets any server answer), PUT restores the archive in
/// the body (200 with an empty body; a bad archive is a 400 naming the fault, and nothing changes).
/// </summary>
internal static class SnapshotRoutes
{
    public static void Map(IEndpointRouteBuilder app, Agent.Agent agent)
    {
        app.Map("/v1/snapshot", context => context.Request.Method switch
        {
            "GET" => SaveAsync(context, agent),
            "PUT" => RestoreAsync(context, agent),
            _ => Routes.MethodNotAllowedAsync(context, "GET, PUT"),
        });
    }

    private static async Task SaveAsync(HttpContext context, Agent.Agent agent)
    {
        var (archive, meta) = await agent.Snapshot.SaveAsync(QueryParameters.Consistency(context.Request), context.RequestAborted);
        ResponseWriter.SetQueryHeaders(context.Response, meta);
        await ResponseWriter.BytesAsync(context, archive, "application/x-gzip");
    }

    private static async Task RestoreAsync(HttpContext context, Agent.Agent agent)
    {
        // Kestrel's own limit (30 MB by default) is below an archive's.
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodySize)
        {
            bodySize.MaxRequestBodySize = SnapshotArchive.ArchiveMaxBytes;
        }
        var archive = await RequestBody.ReadAsync(context.Request, SnapshotArchive.ArchiveMaxBytes, context.RequestAborted);
        await agent.Snapshot.RestoreAsync(archive, context.RequestAborted);
        context.Response.StatusCode = StatusCodes.Status200OK;
    }
}
