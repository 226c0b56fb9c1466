using System.Text.Json;
using Praetor.State.Kv;

namespace Praetor.Api;

/// <summary>Consul's JSON for KV entries (DirEntry): field names and order as Consul writes them.</summary>
internal static class KvJson
{
    public static void WriteEntry(Utf8JsonWriter writer, KvEntry entry)
    {
        writer.WriteStartObject();
        writer.WriteNumber("LockIndex"u8, entry.LockIndex);
        writer.WriteString("Key"u8, entry.Key);
        writer.WriteNumber("Flags"u8, entry.Flags);
        if (entry.Value is null || entry.Value.Length == 0)
        {
            writer.WriteNull("Value"u8);
        }
        else
        {
            writer.WriteBase64String("Value"u8, entry.Value);
        }
        if (!string.IsNullOrEmpty(entry.Session))
        {
            writer.WriteString("Session"u8, entry.Session);
        }
        writer.WriteNumber("CreateIndex"u8, entry.CreateIndex);
        writer.WriteNumber("ModifyIndex"u8, entry.ModifyIndex);
        writer.WriteEndObject();
    }

    public static void WriteEntries(Utf8JsonWriter writer, IReadOnlyList<KvEntry> entries)
    {
        writer.WriteStartArray();
        foreach (var entry in entries)
        {
            WriteEntry(writer, entry);
        }
        writer.WriteEndArray();
    }
}
