using System.Text.Json;
using Praetor.State.Commands;

namespace Praetor.Api;

/// <summary>`PUT /v1/txn`: 200 with the results when committed, 409 with the errors when rolled back.</summary>
internal static class TxnRoutes
{
    public static void Map(WebApplication app, Agent.Agent agent) =>
        app.Map("/v1/txn", context => context.Request.Method == "PUT"
            ? ApplyAsync(context, agent)
            : Routes.MethodNotAllowedAsync(context, "PUT"));

    private static async Task ApplyAsync(HttpContext context, Agent.Agent agent)
    {
        var consistency = QueryParameters.Consistency(context.Request);
        var body = await RequestBody.ReadAsync(context.Request, agent.Config.TxnMaxRequestBytes, context.RequestAborted);
        var operations = TxnRequestParser.Parse(body, agent.Config.KvMaxValueSizeBytes);
        var (result, meta) = await agent.Txn.ApplyAsync(operations, consistency, context.RequestAborted);
        if (meta is { } readMeta)
        {
            ResponseWriter.SetQueryHeaders(context.Response, readMeta);
        }
        await ResponseWriter.JsonAsync(context, result, WriteResult, result.Committed ? StatusCodes.Status200OK : StatusCodes.Status409Conflict);
    }

    private static void WriteResult(Utf8JsonWriter writer, TxnResult result)
    {
        writer.WriteStartObject();
        if (result.Committed)
        {
            writer.WriteStartArray("Results"u8);
            foreach (var entry in result.Results)
            {
                writer.WriteStartObject();
                writer.WritePropertyName("KV"u8);
                KvJson.WriteEntry(writer, entry);
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
            writer.WriteNull("Errors"u8);
        }
        else
        {
            writer.WriteNull("Results"u8);
            writer.WriteStartArray("Errors"u8);
            foreach (var error in result.Errors)
            {
                writer.WriteStartObject();
                writer.WriteNumber("OpIndex"u8, error.OpIndex);
                writer.WriteString("What"u8, error.What);
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
        }
        writer.WriteEndObject();
    }
}
