using System.Text.Json.Serialization;
using Praetor.Client.Kv;

namespace Praetor.Client;

/// <summary>Source-generated (reflection-free) JSON for every body this client reads or writes.</summary>
[JsonSerializable(typeof(List<KvEntry>))]
[JsonSerializable(typeof(List<string>))]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(List<TxnOp>))]
[JsonSerializable(typeof(TxnResponse))]
[JsonSerializable(typeof(AgentSelf))]
[JsonSerializable(typeof(List<AgentMember>))]
[JsonSerializable(typeof(MetricsInfo))]
[JsonSerializable(typeof(SessionRequest))]
[JsonSerializable(typeof(SessionCreated))]
internal sealed partial class ClientJsonContext : JsonSerializerContext;
