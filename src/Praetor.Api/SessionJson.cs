using System.Text.Json;
using Praetor.State.Sessions;

namespace Praetor.Api;

/// <summary>Sessions as Consul writes them: <c>ID, Name, Node, LockDelay</c> (nanoseconds), <c>Behavior, TTL, NodeChecks, ServiceChecks, CreateIndex, ModifyIndex</c>.</summary>
internal static class SessionJson
{
    public static void WriteSessions(Utf8JsonWriter writer, IReadOnlyList<Session> sessions)
    {
        writer.WriteStartArray();
        foreach (var session in sessions)
        {
            WriteSession(writer, session);
        }
        writer.WriteEndArray();
    }

    public static void WriteSession(Utf8JsonWriter writer, Session session)
    {
        writer.WriteStartObject();
        writer.WriteString("ID"u8, session.Id);
        writer.WriteString("Name"u8, session.Name);
        writer.WriteString("Node"u8, session.Node);
        writer.WriteNumber("LockDelay"u8, session.LockDelay.Ticks * 100);
        writer.WriteString("Behavior"u8, session.Behavior);
        writer.WriteString("TTL"u8, session.Ttl);
        // Go's nil slices: null when empty, as Consul writes them.
        if (session.NodeChecks.Count == 0)
        {
            writer.WriteNull("NodeChecks"u8);
        }
        else
        {
            JsonValues.WriteStrings(writer, "NodeChecks"u8, session.NodeChecks);
        }
        if (session.ServiceChecks.Count == 0)
        {
            writer.WriteNull("ServiceChecks"u8);
        }
        else
        {
            writer.WriteStartArray("ServiceChecks"u8);
            foreach (var id in session.ServiceChecks)
            {
                writer.WriteStartObject();
                writer.WriteString("ID"u8, id);
                writer.WriteString("Namespace"u8, "");
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
        }
        writer.WriteNumber("CreateIndex"u8, session.CreateIndex);
        writer.WriteNumber("ModifyIndex"u8, session.ModifyIndex);
        writer.WriteEndObject();
    }
}
