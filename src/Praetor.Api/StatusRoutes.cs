namespace Praetor.Api;

/// <summary>`/v1/status/leader` (a JSON string, `""` without a leader) and `/v1/status/peers`.</summary>
internal static class StatusRoutes
{
    public static void Map(WebApplication app, Agent.Agent agent)
    {
        app.MapGet("/v1/status/leader", context =>
            ResponseWriter.JsonAsync(context, agent.Status.Leader(), static (w, leader) => w.WriteStringValue(leader)));
        app.MapGet("/v1/status/peers", context =>
            ResponseWriter.JsonAsync(context, agent.Status.Peers(), JsonValues.WriteStrings));
    }
}
