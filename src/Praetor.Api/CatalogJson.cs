using System.Text.Json;
using Praetor.Agent;
using Praetor.State.Catalog;

namespace Praetor.Api;

/// <summary>Consul's JSON for catalog records: nodes, services (AgentService and the flattened CatalogService) and HealthChecks.</summary>
internal static class CatalogJson
{
    public static void WriteNode(Utf8JsonWriter writer, CatalogNode node)
    {
        writer.WriteStartObject();
        WriteNodeFields(writer, node, "Meta"u8);
        writer.WriteNumber("CreateIndex"u8, node.CreateIndex);
        writer.WriteNumber("ModifyIndex"u8, node.ModifyIndex);
        writer.WriteEndObject();
    }

    /// <summary>A service as an agent or a node listing shows it (Consul's AgentService / NodeService).</summary>
    public static void WriteService(Utf8JsonWriter writer, ServiceInstance service, string datacenter)
    {
        writer.WriteStartObject();
        writer.WriteString("ID"u8, service.Id);
        writer.WriteString("Service"u8, service.Service);
        JsonValues.WriteStrings(writer, "Tags"u8, service.Tags);
        JsonValues.WriteMap(writer, "Meta"u8, service.Meta);
        writer.WriteNumber("Port"u8, service.Port);
        writer.WriteString("Address"u8, service.Address);
        WriteWeights(writer, "Weights"u8, service);
        writer.WriteBoolean("EnableTagOverride"u8, service.EnableTagOverride);
        if (datacenter.Length > 0)
        {
            writer.WriteString("Datacenter"u8, datacenter);
        }
        if (service.ModifyIndex > 0)
        {
            writer.WriteNumber("CreateIndex"u8, service.CreateIndex);
            writer.WriteNumber("ModifyIndex"u8, service.ModifyIndex);
        }
        writer.WriteEndObject();
    }

    /// <summary>An instance flattened with its node, as `/v1/catalog/service/:name` shows it (Consul's CatalogService).</summary>
    public static void WriteCatalogService(Utf8JsonWriter writer, CatalogNode node, ServiceInstance service)
    {
        writer.WriteStartObject();
        WriteNodeFields(writer, node, "NodeMeta"u8);
        writer.WriteString("ServiceKind"u8, "");
        writer.WriteString("ServiceID"u8, service.Id);
        writer.WriteString("ServiceName"u8, service.Service);
        JsonValues.WriteStrings(writer, "ServiceTags"u8, service.Tags);
        writer.WriteString("ServiceAddress"u8, service.Address);
        WriteWeights(writer, "ServiceWeights"u8, service);
        JsonValues.WriteMap(writer, "ServiceMeta"u8, service.Meta);
        writer.WriteNumber("ServicePort"u8, service.Port);
        writer.WriteBoolean("ServiceEnableTagOverride"u8, service.EnableTagOverride);
        writer.WriteNumber("CreateIndex"u8, service.CreateIndex);
        writer.WriteNumber("ModifyIndex"u8, service.ModifyIndex);
        writer.WriteEndObject();
    }

    public static void WriteCheck(Utf8JsonWriter writer, HealthCheck check)
    {
        writer.WriteStartObject();
        writer.WriteString("Node"u8, check.Node);
        writer.WriteString("CheckID"u8, check.CheckId);
        writer.WriteString("Name"u8, check.Name);
        writer.WriteString("Status"u8, check.Status);
        writer.WriteString("Notes"u8, check.Notes);
        writer.WriteString("Output"u8, check.Output);
        writer.WriteString("ServiceID"u8, check.ServiceId);
        writer.WriteString("ServiceName"u8, check.ServiceName);
        JsonValues.WriteStrings(writer, "ServiceTags"u8, check.ServiceTags);
        writer.WriteString("Type"u8, check.Type);
        writer.WriteStartObject("Definition"u8);
        var d = check.Definition;
        if (d.Http.Length > 0)
        {
            writer.WriteString("HTTP"u8, d.Http);
            writer.WriteString("Method"u8, d.Method);
            writer.WriteString("Body"u8, d.Body);
            writer.WriteBoolean("TLSSkipVerify"u8, d.TlsSkipVerify);
            writer.WriteStartObject("Header"u8);
            foreach (var (name, values) in d.Header)
            {
                JsonValues.WriteStrings(writer, System.Text.Encoding.UTF8.GetBytes(name), values);
            }
            writer.WriteEndObject();
        }
        if (d.Tcp.Length > 0)
        {
            writer.WriteString("TCP"u8, d.Tcp);
        }
        writer.WriteString("Interval"u8, GoDuration.Format(d.Interval));
        writer.WriteString("Timeout"u8, GoDuration.Format(d.Timeout));
        writer.WriteString("DeregisterCriticalServiceAfter"u8, GoDuration.Format(d.DeregisterCriticalServiceAfter));
        writer.WriteEndObject();
        writer.WriteNumber("CreateIndex"u8, check.CreateIndex);
        writer.WriteNumber("ModifyIndex"u8, check.ModifyIndex);
        writer.WriteEndObject();
    }

    public static void WriteChecks(Utf8JsonWriter writer, IReadOnlyList<HealthCheck> checks)
    {
        writer.WriteStartArray();
        foreach (var check in checks)
        {
            WriteCheck(writer, check);
        }
        writer.WriteEndArray();
    }

    /// <summary>A node's identity fields, shared by node records and flattened catalog services (which call the meta `NodeMeta`).</summary>
    private static void WriteNodeFields(Utf8JsonWriter writer, CatalogNode node, ReadOnlySpan<byte> metaName)
    {
        writer.WriteString("ID"u8, node.Id);
        writer.WriteString("Node"u8, node.Node);
        writer.WriteString("Address"u8, node.Address);
        writer.WriteString("Datacenter"u8, node.Datacenter);
        JsonValues.WriteMap(writer, "TaggedAddresses"u8, node.TaggedAddresses);
        JsonValues.WriteMap(writer, metaName, node.Meta);
    }

    private static void WriteWeights(Utf8JsonWriter writer, ReadOnlySpan<byte> name, ServiceInstance service)
    {
        writer.WriteStartObject(name);
        writer.WriteNumber("Passing"u8, service.WeightPassing);
        writer.WriteNumber("Warning"u8, service.WeightWarning);
        writer.WriteEndObject();
    }


}
