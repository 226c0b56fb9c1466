using System.Text.Json;
using Praetor.Agent.Definitions;

namespace Praetor.Agent.Config;

/// <summary>
/// Service and check definitions from an API request body (`/v1/agent/service/register`,
/// `/v1/agent/check/register`), read by the same readers as config files, so both accept the
/// same keys (PascalCase or snake_case) and report the same problems, naming the key — except
/// that keys they do not know are ignored, as Consul ignores them in request bodies.
/// </summary>
public static class DefinitionJson
{
    /// <summary>The definition, or null with every problem found.</summary>
    public static ServiceDefinition? ReadService(JsonElement json, out IReadOnlyList<string> problems) =>
        Read(json, out problems, (reader, value) => ServiceDefinitionReader.Read(reader, value, ""));

    /// <summary>A standalone check definition, or null with every problem found.</summary>
    public static CheckDefinition? ReadCheck(JsonElement json, out IReadOnlyList<string> problems) =>
        Read(json, out problems, (reader, value) => CheckDefinitionReader.Read(reader, value, "", ofService: false));

    private static T? Read<T>(JsonElement json, out IReadOnlyList<string> problems, Func<ConfigValueReader, JsonElement, T?> read)
        where T : class
    {
        var found = new List<ConfigProblem>();
        var definition = read(new ConfigValueReader("request body", found, ignoreUnknownKeys: true), json);
        problems = [.. found.Select(p => p.KeyPath.Length == 0 ? p.Message : $"{p.KeyPath}: {p.Message}")];
        return problems.Count == 0 ? definition : null;
    }
}
