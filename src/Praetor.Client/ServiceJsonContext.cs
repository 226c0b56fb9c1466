using System.Text.Json.Serialization;

namespace Praetor.Client;

/// <summary>
/// Source-generated JSON for the agent, catalog and health bodies. Writes leave out null and
/// zero fields, as Go's <c>omitempty</c> does.
/// </summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingDefault)]
[JsonSerializable(typeof(List<CatalogNode>))]
[JsonSerializable(typeof(List<CatalogService>))]
[JsonSerializable(typeof(CatalogNodeServices))]
[JsonSerializable(typeof(Dictionary<string, List<string>>))]
[JsonSerializable(typeof(Dictionary<string, AgentService>))]
[JsonSerializable(typeof(AgentService))]
[JsonSerializable(typeof(Dictionary<string, HealthCheck>))]
[JsonSerializable(typeof(List<HealthCheck>))]
[JsonSerializable(typeof(List<ServiceEntry>))]
[JsonSerializable(typeof(List<string>))]
[JsonSerializable(typeof(AgentServiceRegistration))]
[JsonSerializable(typeof(AgentServiceCheck))]
[JsonSerializable(typeof(TtlUpdate))]
internal sealed partial class ServiceJsonContext : JsonSerializerContext;

/// <summary>The body of <c>PUT /v1/agent/check/update/:id</c>.</summary>
internal sealed record TtlUpdate(string Status, string Output);
