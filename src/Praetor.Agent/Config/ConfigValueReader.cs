using System.Text.Json;

namespace Praetor.Agent.Config;

/// <summary>
/// Reads typed values out of one config file's JSON, recording a <see cref="ConfigProblem"/> naming
/// the file and key path for every value of the wrong type or out of range, so that reading goes on
/// and every problem is reported. Each <c>Try…</c> returns false after recording the problem.
/// A JSON <c>null</c> means "not set" everywhere (Consul's decoder skips nil), so callers skip it
/// before asking for a value.
/// </summary>
internal sealed class ConfigValueReader
{
    private readonly List<ConfigProblem> _problems;

    public ConfigValueReader(string source, List<ConfigProblem> problems, bool ignoreUnknownKeys = false)
    {
        Source = source;
        _problems = problems;
        _ignoreUnknownKeys = ignoreUnknownKeys;
    }

    /// <summary>
    /// Config files refuse keys they do not know; API bodies ignore them, as Consul's JSON
    /// decoding of requests does (clients send fields such as <c>TaggedAddresses</c> or
    /// <c>Kind</c> that this agent does not use).
    /// </summary>
    private readonly bool _ignoreUnknownKeys;

    /// <summary>The file (or other source) being read, as named in problems.</summary>
    public string Source { get; }

    public void Problem(string path, string message) => _problems.Add(new ConfigProblem(Source, path, message));

    /// <summary>Records an unknown key; false when that makes the value invalid (config files), true when ignored (API bodies).</summary>
    public bool UnknownKey(string path)
    {
        if (_ignoreUnknownKeys)
        {
            return true;
        }
        Problem(path, "unknown key");
        return false;
    }

    public static string Key(string path, string key) => path.Length == 0 ? key : $"{path}.{key}";

    public static string Index(string path, int index) => $"{path}[{index}]";

    /// <summary>An object's members that are set (a JSON null means "not set" and is skipped), each with its key path.</summary>
    public static IEnumerable<(string Name, JsonElement Value, string Path)> SetMembers(JsonElement value, string path)
    {
        foreach (var property in value.EnumerateObject())
        {
            if (property.Value.ValueKind != JsonValueKind.Null)
            {
                yield return (property.Name, property.Value, Key(path, property.Name));
            }
        }
    }

    /// <summary>An array's elements that are set (nulls skipped), each with its index path (counting the nulls).</summary>
    public static IEnumerable<(JsonElement Value, string Path)> SetElements(JsonElement value, string path)
    {
        var index = 0;
        foreach (var element in value.EnumerateArray())
        {
            if (element.ValueKind != JsonValueKind.Null)
            {
                yield return (element, Index(path, index));
            }

            index++;
        }
    }

    /// <summary>
    /// A service or check definition key as Consul's decoder matches it: case-insensitively, with
    /// the API's camelCase spellings (<c>ServiceID</c>, <c>DeregisterCriticalServiceAfter</c>) equal
    /// to the snake_case ones (<c>service_id</c>): lower case, underscores dropped.
    /// </summary>
    public static string DefinitionKey(string name) => name.Replace("_", "", StringComparison.Ordinal).ToLowerInvariant();

    public bool TryObject(JsonElement value, string path) => Expect(value, JsonValueKind.Object, path, "an object");

    public bool TryArray(JsonElement value, string path) => Expect(value, JsonValueKind.Array, path, "an array");

    public bool TryString(JsonElement value, string path, out string result)
    {
        result = value.ValueKind == JsonValueKind.String ? value.GetString()! : "";
        return Expect(value, JsonValueKind.String, path, "a string");
    }

    public bool TryBool(JsonElement value, string path, out bool result)
    {
        result = value.ValueKind == JsonValueKind.True;
        if (value.ValueKind is JsonValueKind.True or JsonValueKind.False)
        {
            return true;
        }

        Problem(path, $"expected true or false, got {Describe(value)}");
        return false;
    }

    /// <summary>An integer in [<paramref name="min"/>, <paramref name="max"/>]; <paramref name="range"/> words the range in the message.</summary>
    public bool TryInt(JsonElement value, string path, long min, long max, string range, out int result)
    {
        result = 0;
        if (value.ValueKind != JsonValueKind.Number)
        {
            Problem(path, $"expected an integer, got {Describe(value)}");
            return false;
        }

        // Go decodes JSON numbers as float64 first, so 80.0 is as good as 80.
        long whole;
        if (!value.TryGetInt64(out whole))
        {
            if (!value.TryGetDouble(out var real) || real != Math.Floor(real) || Math.Abs(real) > long.MaxValue)
            {
                Problem(path, $"expected an integer, got {value.GetRawText()}");
                return false;
            }

            whole = (long)real;
        }

        if (whole < min || whole > max)
        {
            Problem(path, $"{whole} is out of range ({range})");
            return false;
        }

        result = (int)whole;
        return true;
    }

    /// <summary>A Go duration string (<c>10s</c>, <c>1m30s</c>), not negative.</summary>
    public bool TryDuration(JsonElement value, string path, out TimeSpan result)
    {
        result = TimeSpan.Zero;
        if (value.ValueKind != JsonValueKind.String)
        {
            Problem(path, $"expected a duration string such as \"10s\", got {Describe(value)}");
            return false;
        }

        var text = value.GetString()!;
        if (!GoDuration.TryParse(text, out result, out _))
        {
            Problem(path, $"invalid duration {GoStrconv.Quote(text)}");
            return false;
        }

        if (result < TimeSpan.Zero)
        {
            Problem(path, $"duration {GoStrconv.Quote(text)} must not be negative");
            return false;
        }

        return true;
    }

    /// <summary>An array of strings; every bad element is reported.</summary>
    public bool TryStringList(JsonElement value, string path, out List<string> result)
    {
        result = [];
        if (!TryArray(value, path))
        {
            return false;
        }

        var ok = true;
        var index = 0;
        foreach (var item in value.EnumerateArray())
        {
            if (TryString(item, Index(path, index), out var text))
            {
                result.Add(text);
            }
            else
            {
                ok = false;
            }

            index++;
        }

        return ok;
    }

    /// <summary>An object of string values; later duplicates win, as in Go.</summary>
    public bool TryStringMap(JsonElement value, string path, out Dictionary<string, string> result)
    {
        result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!TryObject(value, path))
        {
            return false;
        }

        var ok = true;
        foreach (var property in value.EnumerateObject())
        {
            if (TryString(property.Value, Key(path, property.Name), out var text))
            {
                result[property.Name] = text;
            }
            else
            {
                ok = false;
            }
        }

        return ok;
    }

    /// <summary>
    /// Consul's metadata rules (node_meta and service meta): at most 64 pairs, keys of letters,
    /// digits, '-' and '_' up to 128 characters and not starting with the reserved <c>consul-</c>,
    /// values up to 512 characters.
    /// </summary>
    public bool CheckMeta(IReadOnlyDictionary<string, string> meta, string path)
    {
        var ok = true;
        if (meta.Count > 64)
        {
            Problem(path, $"{meta.Count} pairs is more than the 64 allowed");
            ok = false;
        }

        foreach (var (key, value) in meta)
        {
            var keyPath = Key(path, key);
            if (key.Length == 0)
            {
                Problem(path, "keys must not be empty");
                ok = false;
            }
            else if (key.Length > 128)
            {
                Problem(keyPath, "key is longer than 128 characters");
                ok = false;
            }
            else if (!key.All(static c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            {
                Problem(keyPath, "keys may contain only letters, digits, '-' and '_'");
                ok = false;
            }
            else if (key.StartsWith("consul-", StringComparison.Ordinal))
            {
                Problem(keyPath, "the consul- prefix is reserved for internal use");
                ok = false;
            }

            if (value.Length > 512)
            {
                Problem(keyPath, "value is longer than 512 characters");
                ok = false;
            }
        }

        return ok;
    }

    /// <summary>The JSON type of a value, with the value itself when short: <c>string "80"</c>, <c>an object</c>.</summary>
    public static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString()!.Length <= 40 ? $"string {GoStrconv.Quote(value.GetString()!)}" : "a string",
        JsonValueKind.Number => $"number {value.GetRawText()}",
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.Null => "null",
        _ => value.ValueKind.ToString(),
    };

    private bool Expect(JsonElement value, JsonValueKind kind, string path, string expected)
    {
        if (value.ValueKind == kind)
        {
            return true;
        }

        Problem(path, $"expected {expected}, got {Describe(value)}");
        return false;
    }
}
