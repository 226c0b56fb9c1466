using System.Text.Json.Serialization;

namespace Praetor.Cli.Kv;

/// <summary>One key in <c>kv export</c>/<c>kv import</c> JSON: <c>{"key":"a","flags":0,"value":"&lt;base64&gt;"}</c>.</summary>
public sealed record KvExportEntry
{
    [JsonPropertyName("key")]
    public string Key { get; init; } = string.Empty;

    [JsonPropertyName("flags")]
    public ulong Flags { get; init; }

    [JsonPropertyName("value")]
    public string? Value { get; init; }

    /// <summary>Enterprise-only in Consul; accepted on import and ignored.</summary>
    [JsonPropertyName("namespace")]
    public string? Namespace { get; init; }

    /// <summary>Enterprise-only in Consul; accepted on import and ignored.</summary>
    [JsonPropertyName("partition")]
    public string? Partition { get; init; }
}
