using System.Text.Json;

namespace Praetor.Api;

/// <summary>
/// Reads fields of a request's JSON object leniently, as Consul's decoder does: names match
/// case-insensitively and with or without underscores (`ServiceID`, `service_id`). A field of
/// the wrong type is a 400 naming it.
/// </summary>
internal readonly struct JsonBody(JsonElement element, string path)
{
    public JsonElement Element => element;

    public static JsonDocument Parse(ReadOnlyMemory<byte> body)
    {
        try
        {
            var document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 16 });
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                document.Dispose();
                throw HttpApiException.BadRequest("Request decode failed: expected a JSON object");
            }
            return document;
        }
        catch (JsonException ex)
        {
            throw HttpApiException.BadRequest($"Request decode failed: {ex.Message}");
        }
    }

    public bool TryGet(string name, out JsonElement value)
    {
        foreach (var property in element.EnumerateObject())
        {
            if (Normalize(property.Name) == Normalize(name))
            {
                value = property.Value;
                return value.ValueKind != JsonValueKind.Null;
            }
        }
        value = default;
        return false;
    }

    public string String(string name, string fallback = "")
    {
        if (!TryGet(name, out var value))
        {
            return fallback;
        }
        return value.ValueKind == JsonValueKind.String ? value.GetString()! : throw Wrong(name, "a string");
    }

    public bool Bool(string name)
    {
        if (!TryGet(name, out var value))
        {
            return false;
        }
        return value.ValueKind is JsonValueKind.True or JsonValueKind.False ? value.GetBoolean() : throw Wrong(name, "a boolean");
    }

    public int Int(string name, int fallback = 0)
    {
        if (!TryGet(name, out var value))
        {
            return fallback;
        }
        return value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number) ? number : throw Wrong(name, "an integer");
    }

    public IReadOnlyList<string> Strings(string name)
    {
        if (!TryGet(name, out var value))
        {
            return [];
        }
        if (value.ValueKind != JsonValueKind.Array)
        {
            throw Wrong(name, "an array of strings");
        }
        var list = new List<string>();
        foreach (var item in value.EnumerateArray())
        {
            list.Add(item.ValueKind == JsonValueKind.String ? item.GetString()! : throw Wrong(name, "an array of strings"));
        }
        return list;
    }

    public IReadOnlyDictionary<string, string> Map(string name)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!TryGet(name, out var value))
        {
            return map;
        }
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw Wrong(name, "an object of strings");
        }
        foreach (var property in value.EnumerateObject())
        {
            map[property.Name] = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString()! : throw Wrong($"{name}.{property.Name}", "a string");
        }
        return map;
    }

    public JsonBody? Object(string name)
    {
        if (!TryGet(name, out var value))
        {
            return null;
        }
        return value.ValueKind == JsonValueKind.Object ? new JsonBody(value, Key(name)) : throw Wrong(name, "an object");
    }

    public IReadOnlyList<JsonBody> Objects(string name)
    {
        if (!TryGet(name, out var value))
        {
            return [];
        }
        if (value.ValueKind != JsonValueKind.Array)
        {
            throw Wrong(name, "an array of objects");
        }
        var list = new List<JsonBody>();
        var i = 0;
        foreach (var item in value.EnumerateArray())
        {
            list.Add(item.ValueKind == JsonValueKind.Object ? new JsonBody(item, $"{Key(name)}[{i}]") : throw Wrong(name, "an array of objects"));
            i++;
        }
        return list;
    }

    private string Key(string name) => path.Length == 0 ? name : $"{path}.{name}";

    private HttpApiException Wrong(string name, string expected) =>
        HttpApiException.BadRequest($"Request decode failed: {Key(name)} must be {expected}");

    private static string Normalize(string name) => name.Replace("_", "", StringComparison.Ordinal).ToLowerInvariant();
}
