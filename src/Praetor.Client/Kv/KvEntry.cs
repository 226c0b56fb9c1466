using System.Text.Json.Serialization;

namespace Praetor.Client.Kv;

/// <summary>
/// One key as <c>/v1/kv</c> returns it (Go's <c>api.KVPair</c>):
/// <c>{"LockIndex":0,"Key":"zip","Flags":0,"Value":"&lt;base64&gt;","Session":"...","CreateIndex":100,"ModifyIndex":200}</c>.
/// </summary>
public sealed record KvEntry
{
    public ulong LockIndex { get; init; }

    public string Key { get; init; } = string.Empty;

    /// <summary>Opaque to the agent; applications use it as they like.</summary>
    public ulong Flags { get; init; }

    /// <summary>The raw value; base64 on the wire; null when the key has no value.</summary>
    public byte[]? Value { get; init; }

    /// <summary>The session holding the key's lock, if any.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Session { get; init; }

    public ulong CreateIndex { get; init; }

    public ulong ModifyIndex { get; init; }
}
