namespace Praetor.Api;

/// <summary>`/v1/status/leader` (a JSON string, `""` without a leader) and `/v1/status/peers`.</summary>
internal static class StatusRoutes
{
    public static void Map(WebApplication app, Agent.Agent agent)
    {
        app.MapGet("/v1/status/leader", async context =>
            await ResponseWriter.JsonAsync(context, await agent.Status.LeaderAsync(context.RequestAborted), static (w, leader) => w.WriteStringValue(leader)));
        app.MapGet("/v1/status/peers", async context =>
            await ResponseWriter.JsonAsync(context, await agent.Status.PeersAsync(context.RequestAborted), JsonValues.WriteStrings));
    }
}
