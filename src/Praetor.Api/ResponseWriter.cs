using System.Buffers;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using Praetor.Agent.Endpoints;

namespace Praetor.Api;

/// <summary>
/// Writes API responses: Consul's query headers, and JSON built with a <see cref="Utf8JsonWriter"/>
/// into a buffer so the body goes out in one write with a Content-Length (`?pretty` indents
/// by four spaces and ends with a newline, as Consul does).
/// </summary>
internal static class ResponseWriter
{
    private static readonly JsonWriterOptions Compact = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true };
    private static readonly JsonWriterOptions Pretty = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, Indented = true, IndentSize = 4, SkipValidation = true };

    public static void SetQueryHeaders(HttpResponse response, QueryMeta meta)
    {
        var headers = response.Headers;
        headers["X-Consul-Index"] = meta.Index.ToString(CultureInfo.InvariantCulture);
        headers["X-Consul-KnownLeader"] = meta.KnownLeader ? "true" : "false";
        headers["X-Consul-LastContact"] = ((long)meta.LastContact.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
        headers["X-Consul-Effective-Consistency"] = meta.Consistency switch
        {
            ConsistencyMode.Stale => "stale",
            ConsistencyMode.Consistent => "consistent",
            _ => "leader",
        };
    }

    /// <summary>Writes a JSON body produced by <paramref name="write"/>.</summary>
    public static Task JsonAsync<TState>(HttpContext context, TState state, Action<Utf8JsonWriter, TState> write, int statusCode = StatusCodes.Status200OK)
    {
        var pretty = context.Request.Query.ContainsKey("pretty");
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, pretty ? Pretty : Compact))
        {
            write(writer, state);
        }
        if (pretty)
        {
            buffer.Write("\n"u8);
        }
        return BytesAsync(context, buffer.WrittenMemory, "application/json", statusCode);
    }

    public static Task BytesAsync(HttpContext context, ReadOnlyMemory<byte> body, string contentType, int statusCode = StatusCodes.Status200OK)
    {
        var response = context.Response;
        response.StatusCode = statusCode;
        response.ContentType = contentType;
        response.ContentLength = body.Length;
        return body.Length == 0 ? Task.CompletedTask : response.Body.WriteAsync(body).AsTask();
    }

    public static Task TextAsync(HttpContext context, int statusCode, string text)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(text);
        return BytesAsync(context, bytes, "text/plain; charset=utf-8", statusCode);
    }

    private static readonly byte[] True = "true"u8.ToArray();
    private static readonly byte[] False = "false"u8.ToArray();

    public static Task BooleanAsync(HttpContext context, bool value) =>
        BytesAsync(context, value ? True : False, "application/json");
}
