using System.Text.Json;
using Praetor.Agent.Events;

namespace Praetor.Api;

/// <summary>A user event as Consul's JSON has it: ID, Name, Payload (base64 or null), the three filters, Version, LTime.</summary>
internal static class EventJson
{
    public static void WriteEvent(Utf8JsonWriter writer, UserEvent userEvent)
    {
        writer.WriteStartObject();
        writer.WriteString("ID"u8, userEvent.Id);
        writer.WriteString("Name"u8, userEvent.Name);
        if (userEvent.Payload is null)
        {
            writer.WriteNull("Payload"u8);
        }
        else
        {
            writer.WriteBase64String("Payload"u8, userEvent.Payload);
        }
        writer.WriteString("NodeFilter"u8, userEvent.NodeFilter);
        writer.WriteString("ServiceFilter"u8, userEvent.ServiceFilter);
        writer.WriteString("TagFilter"u8, userEvent.TagFilter);
        writer.WriteNumber("Version"u8, userEvent.Version);
        writer.WriteNumber("LTime"u8, userEvent.LTime);
        writer.WriteEndObject();
    }

    public static void WriteEvents(Utf8JsonWriter writer, IReadOnlyList<UserEvent> events)
    {
        writer.WriteStartArray();
        foreach (var userEvent in events)
        {
            WriteEvent(writer, userEvent);
        }
        writer.WriteEndArray();
    }
}
