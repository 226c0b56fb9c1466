using System.Text.Encodings.Web;
using System.Text.Json;

namespace Praetor.Client.Watch;

/// <summary>The JSON forms of a watch result: compact for handlers, indented by four spaces as <c>consul watch</c> prints it.</summary>
public static class WatchJson
{
    // Go's encoder leaves '+', '/' and non-ASCII text as they are; so do these.
    private static readonly JsonWriterOptions CompactOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static readonly JsonWriterOptions IndentedOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = true,
        IndentCharacter = ' ',
        IndentSize = 4,
        NewLine = "\n",
    };

    /// <summary><paramref name="value"/> as compact JSON (<c>null</c> when absent); of an array, the items from <paramref name="skip"/> on.</summary>
    public static byte[] Compact(JsonElement? value, int skip = 0)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, CompactOptions))
        {
            if (value is not { } element)
            {
                writer.WriteNullValue();
            }
            else if (skip > 0 && element.ValueKind == JsonValueKind.Array)
            {
                writer.WriteStartArray();
                foreach (var item in element.EnumerateArray().Skip(skip))
                {
                    item.WriteTo(writer);
                }

                writer.WriteEndArray();
            }
            else
            {
                element.WriteTo(writer);
            }
        }

        return buffer.ToArray();
    }

    /// <summary>Compact JSON re-written with four-space indentation (Go's <c>json.MarshalIndent(v, "", "    ")</c>), without a final newline.</summary>
    public static string Indent(ReadOnlyMemory<byte> json)
    {
        using var document = JsonDocument.Parse(json);
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, IndentedOptions))
        {
            document.RootElement.WriteTo(writer);
        }

        return System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }
}
