using System.Text.Json.Serialization;

namespace Praetor.Client;

/// <summary>Source-generated JSON for the user event endpoints.</summary>
[JsonSerializable(typeof(UserEvent))]
[JsonSerializable(typeof(List<UserEvent>))]
internal sealed partial class EventJsonContext : JsonSerializerContext;
