using System.Text.Json;
using Praetor.Agent;

namespace Praetor.Api;

/// <summary>`/v1/agent/self` and `/v1/agent/members`: what clients ask an agent first.</summary>
internal static class AgentRoutes
{
    public static void Map(WebApplication app, Agent.Agent agent)
    {
        app.MapGet("/v1/agent/self", context => ResponseWriter.JsonAsync(context, agent, WriteSelf));
        app.MapGet("/v1/agent/members", context => ResponseWriter.JsonAsync(context, agent.Member(), static (w, m) =>
        {
            w.WriteStartArray();
            WriteMember(w, m);
            w.WriteEndArray();
        }));
    }

    private static void WriteSelf(Utf8JsonWriter writer, Agent.Agent agent)
    {
        var config = agent.Config;
        writer.WriteStartObject();
        writer.WriteStartObject("Config"u8);
        writer.WriteString("Datacenter"u8, config.Datacenter);
        writer.WriteString("PrimaryDatacenter"u8, config.Datacenter);
        writer.WriteString("NodeName"u8, config.NodeName);
        writer.WriteString("NodeID"u8, agent.NodeId);
        writer.WriteBoolean("Server"u8, config.Server || config.DevMode);
        writer.WriteString("Revision"u8, BuildInfo.Revision);
        writer.WriteString("Version"u8, BuildInfo.ConsulVersion);
        writer.WriteString("PraetorVersion"u8, BuildInfo.PraetorVersion);
        writer.WriteEndObject();
        writer.WriteStartObject("DebugConfig"u8);
        writer.WriteBoolean("DevMode"u8, config.DevMode);
        writer.WriteString("ClientAddrs"u8, config.ClientAddr);
        writer.WriteNumber("HTTPPort"u8, config.HttpPort);
        writer.WriteString("DataDir"u8, config.DataDir ?? "");
        writer.WriteEndObject();
        writer.WritePropertyName("Member"u8);
        WriteMember(writer, agent.Member());
        writer.WriteStartObject("Meta"u8);
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static void WriteMember(Utf8JsonWriter writer, AgentMember member)
    {
        writer.WriteStartObject();
        writer.WriteString("Name"u8, member.Name);
        writer.WriteString("Addr"u8, member.Addr);
        writer.WriteNumber("Port"u8, member.Port);
        writer.WriteStartObject("Tags"u8);
        foreach (var (key, value) in member.Tags)
        {
            writer.WriteString(key, value);
        }
        writer.WriteEndObject();
        writer.WriteNumber("Status"u8, member.Status);
        writer.WriteNumber("ProtocolMin"u8, member.ProtocolMin);
        writer.WriteNumber("ProtocolMax"u8, member.ProtocolMax);
        writer.WriteNumber("ProtocolCur"u8, member.ProtocolCur);
        writer.WriteNumber("DelegateMin"u8, member.DelegateMin);
        writer.WriteNumber("DelegateMax"u8, member.DelegateMax);
        writer.WriteNumber("DelegateCur"u8, member.DelegateCur);
        writer.WriteEndObject();
    }
}
