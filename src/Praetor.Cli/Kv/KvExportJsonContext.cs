using System.Text.Json.Serialization;

namespace Praetor.Cli.Kv;

/// <summary>Reads <c>kv import</c> data; field names match case-insensitively, as Go's <c>json.Unmarshal</c> does.</summary>
[JsonSourceGenerationOptions(PropertyNameCaseInsensitive = true, AllowTrailingCommas = false)]
[JsonSerializable(typeof(List<KvExportEntry>))]
internal sealed partial class KvExportJsonContext : JsonSerializerContext;
