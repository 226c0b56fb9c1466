using System.Text.Json;

namespace Praetor.Api;

/// <summary>The plain JSON values every response family writes: string arrays and string maps.</summary>
internal static class JsonValues
{
    public static void WriteStrings(Utf8JsonWriter writer, IReadOnlyList<string> values)
    {
        writer.WriteStartArray();
        foreach (var value in values)
        {
            writer.WriteStringValue(value);
        }
        writer.WriteEndArray();
    }

    public static void WriteStrings(Utf8JsonWriter writer, ReadOnlySpan<byte> name, IReadOnlyList<string> values)
    {
        writer.WritePropertyName(name);
        WriteStrings(writer, values);
    }

    public static void WriteMap(Utf8JsonWriter writer, ReadOnlySpan<byte> name, IEnumerable<KeyValuePair<string, string>> map)
    {
        writer.WriteStartObject(name);
        foreach (var (key, value) in map)
        {
            writer.WriteString(key, value);
        }
        writer.WriteEndObject();
    }
}
