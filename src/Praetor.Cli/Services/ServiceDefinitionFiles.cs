using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Praetor.Cli.Services;

/// <summary>
/// Reads service definitions from Consul config files, as <c>consul services register</c> and
/// <c>deregister</c> take them: each file a JSON object whose <c>service</c> (one definition) and
/// <c>services</c> (a list) keys hold definitions; other config keys are left alone. A directory
/// contributes its <c>*.json</c> files in name order. The definitions stay raw JSON objects, so
/// every key reaches the agent, which validates them.
/// </summary>
public static class ServiceDefinitionFiles
{
    private static readonly JsonDocumentOptions GoJson = new() { AllowTrailingCommas = false, CommentHandling = JsonCommentHandling.Disallow };

    /// <summary>The definitions in <paramref name="paths"/>, in file order; or the first problem, naming its file.</summary>
    public static bool TryRead(IReadOnlyList<string> paths, [NotNullWhen(true)] out List<JsonObject>? services, [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(paths);
        services = [];
        foreach (var path in paths)
        {
            if (!TryExpand(path, out var files, out error))
            {
                services = null;
                return false;
            }

            foreach (var file in files)
            {
                if (!TryReadFile(file, services, out error))
                {
                    services = null;
                    return false;
                }
            }
        }

        error = null;
        return true;
    }

    /// <summary>The name of the key of <paramref name="definition"/> that is <paramref name="key"/> in any case, with or without underscores.</summary>
    public static string? FindKey(JsonObject definition, string key)
    {
        ArgumentNullException.ThrowIfNull(definition);
        foreach (var (name, _) in definition)
        {
            if (Normalize(name) == key)
            {
                return name;
            }
        }

        return null;
    }

    /// <summary>A string field (<c>name</c>, <c>id</c>...) of a definition, or empty.</summary>
    public static string StringField(JsonObject definition, string key) =>
        FindKey(definition, key) is { } name && definition[name] is JsonValue value && value.TryGetValue<string>(out var text) ? text : string.Empty;

    private static string Normalize(string name) => name.Replace("_", "", StringComparison.Ordinal).ToLowerInvariant();

    private static bool TryExpand(string path, out List<string> files, [NotNullWhen(false)] out string? error)
    {
        files = [];
        try
        {
            if (Directory.Exists(path))
            {
                foreach (var file in Directory.EnumerateFiles(path))
                {
                    if (file.EndsWith(".json", StringComparison.Ordinal) || file.EndsWith(".hcl", StringComparison.Ordinal))
                    {
                        files.Add(file);
                    }
                }

                files.Sort(static (a, b) => string.CompareOrdinal(Path.GetFileName(a), Path.GetFileName(b)));
                error = null;
                return true;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error = $"cannot read the directory {path}: {e.Message}";
            return false;
        }

        files.Add(path);
        error = null;
        return true;
    }

    private static bool TryReadFile(string file, List<JsonObject> services, [NotNullWhen(false)] out string? error)
    {
        if (file.EndsWith(".hcl", StringComparison.Ordinal))
        {
            error = $"{file}: HCL config files are not supported yet; write the service definition as JSON";
            return false;
        }

        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(file);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            error = $"cannot read {file}: no such file or directory";
            return false;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error = $"cannot read {file}: {e.Message}";
            return false;
        }

        JsonNode? root;
        try
        {
            root = JsonNode.Parse(bytes, documentOptions: GoJson);
        }
        catch (JsonException e)
        {
            error = $"{file}: invalid JSON: {e.Message}";
            return false;
        }

        if (root is not JsonObject config)
        {
            error = $"{file}: expected a JSON object with a \"service\" or \"services\" key";
            return false;
        }

        var found = 0;
        foreach (var (key, value) in config)
        {
            var normalized = Normalize(key);
            if (normalized is not ("service" or "services") || value is null)
            {
                continue;
            }

            // Consul reads "service" as one definition and "services" as a list, and takes either shape for either key.
            var items = value is JsonArray array ? [.. array] : new List<JsonNode?> { value };
            for (var i = 0; i < items.Count; i++)
            {
                if (items[i] is not JsonObject definition)
                {
                    error = value is JsonArray
                        ? $"{file}: {key}[{i}]: expected a service definition (a JSON object)"
                        : $"{file}: {key}: expected a service definition (a JSON object)";
                    return false;
                }

                services.Add((JsonObject)definition.DeepClone());
                found++;
            }
        }

        if (found == 0)
        {
            error = $"{file}: no service definition (a \"service\" or \"services\" key)";
            return false;
        }

        error = null;
        return true;
    }
}
