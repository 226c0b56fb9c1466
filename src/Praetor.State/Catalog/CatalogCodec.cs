using MessagePack;

namespace Praetor.State.Catalog;

/// <summary>
/// The msgpack encoding of catalog records, shared by log commands, state snapshots and the
/// agent's RPC: each record is an array of its fields in a fixed order. Fields are only ever
/// appended; a reader skips fields it does not know, so an older build reads a newer record's
/// known prefix. A record of the wrong shape raises <see cref="InvalidDataException"/>; the
/// msgpack reader's own errors pass through, for the caller to report as malformed input.
/// </summary>
public static class CatalogCodec
{
    public static void WriteNode(ref MessagePackWriter writer, CatalogNode node)
    {
        writer.WriteArrayHeader(8);
        writer.Write(node.Node);
        writer.Write(node.Id);
        writer.Write(node.Address);
        writer.Write(node.Datacenter);
        WriteMap(ref writer, node.TaggedAddresses);
        WriteMap(ref writer, node.Meta);
        writer.Write(node.CreateIndex);
        writer.Write(node.ModifyIndex);
    }

    public static CatalogNode ReadNode(ref MessagePackReader reader)
    {
        var fields = Header(ref reader, 8, "node");
        var node = new CatalogNode
        {
            Node = String(ref reader),
            Id = String(ref reader),
            Address = String(ref reader),
            Datacenter = String(ref reader),
            TaggedAddresses = ReadMap(ref reader),
            Meta = ReadMap(ref reader),
            CreateIndex = reader.ReadUInt64(),
            ModifyIndex = reader.ReadUInt64(),
        };
        Skip(ref reader, fields - 8);
        return node;
    }

    public static void WriteService(ref MessagePackWriter writer, ServiceInstance service)
    {
        writer.WriteArrayHeader(12);
        writer.Write(service.Node);
        writer.Write(service.Id);
        writer.Write(service.Service);
        WriteList(ref writer, service.Tags);
        writer.Write(service.Address);
        writer.Write(service.Port);
        WriteMap(ref writer, service.Meta);
        writer.Write(service.WeightPassing);
        writer.Write(service.WeightWarning);
        writer.Write(service.EnableTagOverride);
        writer.Write(service.CreateIndex);
        writer.Write(service.ModifyIndex);
    }

    public static ServiceInstance ReadService(ref MessagePackReader reader)
    {
        var fields = Header(ref reader, 12, "service");
        var service = new ServiceInstance
        {
            Node = String(ref reader),
            Id = String(ref reader),
            Service = String(ref reader),
            Tags = ReadList(ref reader),
            Address = String(ref reader),
            Port = reader.ReadInt32(),
            Meta = ReadMap(ref reader),
            WeightPassing = reader.ReadInt32(),
            WeightWarning = reader.ReadInt32(),
            EnableTagOverride = reader.ReadBoolean(),
            CreateIndex = reader.ReadUInt64(),
            ModifyIndex = reader.ReadUInt64(),
        };
        Skip(ref reader, fields - 12);
        return service;
    }

    public static void WriteCheck(ref MessagePackWriter writer, HealthCheck check)
    {
        writer.WriteArrayHeader(13);
        writer.Write(check.Node);
        writer.Write(check.CheckId);
        writer.Write(check.Name);
        writer.Write(check.Status);
        writer.Write(check.Notes);
        writer.Write(check.Output);
        writer.Write(check.ServiceId);
        writer.Write(check.ServiceName);
        WriteList(ref writer, check.ServiceTags);
        writer.Write(check.Type);
        WriteRunSpec(ref writer, check.Definition);
        writer.Write(check.CreateIndex);
        writer.Write(check.ModifyIndex);
    }

    public static HealthCheck ReadCheck(ref MessagePackReader reader)
    {
        var fields = Header(ref reader, 13, "check");
        var check = new HealthCheck
        {
            Node = String(ref reader),
            CheckId = String(ref reader),
            Name = String(ref reader),
            Status = String(ref reader),
            Notes = String(ref reader),
            Output = String(ref reader),
            ServiceId = String(ref reader),
            ServiceName = String(ref reader),
            ServiceTags = ReadList(ref reader),
            Type = String(ref reader),
            Definition = ReadRunSpec(ref reader),
            CreateIndex = reader.ReadUInt64(),
            ModifyIndex = reader.ReadUInt64(),
        };
        if (!HealthStatus.IsCheckStatus(check.Status))
        {
            throw new InvalidDataException($"check \"{check.CheckId}\" has status \"{check.Status}\"");
        }
        Skip(ref reader, fields - 13);
        return check;
    }

    private static void WriteRunSpec(ref MessagePackWriter writer, CheckRunSpec spec)
    {
        writer.WriteArrayHeader(9);
        writer.Write(spec.Http);
        writer.Write(spec.Method);
        writer.Write(spec.Body);
        writer.Write(spec.TlsSkipVerify);
        writer.WriteMapHeader(spec.Header.Count);
        foreach (var (name, values) in spec.Header)
        {
            writer.Write(name);
            WriteList(ref writer, values);
        }
        writer.Write(spec.Tcp);
        writer.Write(spec.Interval.Ticks);
        writer.Write(spec.Timeout.Ticks);
        writer.Write(spec.DeregisterCriticalServiceAfter.Ticks);
    }

    private static CheckRunSpec ReadRunSpec(ref MessagePackReader reader)
    {
        var fields = Header(ref reader, 9, "check definition");
        var http = String(ref reader);
        var method = String(ref reader);
        var body = String(ref reader);
        var tlsSkipVerify = reader.ReadBoolean();
        var count = reader.ReadMapHeader();
        var header = new Dictionary<string, IReadOnlyList<string>>(count, StringComparer.Ordinal);
        for (var i = 0; i < count; i++)
        {
            header[String(ref reader)] = ReadList(ref reader);
        }
        var spec = new CheckRunSpec
        {
            Http = http,
            Method = method,
            Body = body,
            TlsSkipVerify = tlsSkipVerify,
            Header = header,
            Tcp = String(ref reader),
            Interval = TimeSpan.FromTicks(reader.ReadInt64()),
            Timeout = TimeSpan.FromTicks(reader.ReadInt64()),
            DeregisterCriticalServiceAfter = TimeSpan.FromTicks(reader.ReadInt64()),
        };
        Skip(ref reader, fields - 9);
        return spec;
    }

    private static void WriteMap(ref MessagePackWriter writer, IReadOnlyDictionary<string, string> map)
    {
        writer.WriteMapHeader(map.Count);
        foreach (var (key, value) in map)
        {
            writer.Write(key);
            writer.Write(value);
        }
    }

    private static Dictionary<string, string> ReadMap(ref MessagePackReader reader)
    {
        var count = reader.ReadMapHeader();
        var map = new Dictionary<string, string>(count, StringComparer.Ordinal);
        for (var i = 0; i < count; i++)
        {
            map[String(ref reader)] = String(ref reader);
        }
        return map;
    }

    private static void WriteList(ref MessagePackWriter writer, IReadOnlyList<string> list)
    {
        writer.WriteArrayHeader(list.Count);
        foreach (var item in list)
        {
            writer.Write(item);
        }
    }

    private static string[] ReadList(ref MessagePackReader reader)
    {
        var list = new string[reader.ReadArrayHeader()];
        for (var i = 0; i < list.Length; i++)
        {
            list[i] = String(ref reader);
        }
        return list;
    }

    private static string String(ref MessagePackReader reader) =>
        reader.ReadString() ?? throw new InvalidDataException("a catalog string field is nil");

    private static int Header(ref MessagePackReader reader, int known, string what)
    {
        var fields = reader.ReadArrayHeader();
        if (fields < known)
        {
            throw new InvalidDataException($"{what} record has {fields} fields, expected at least {known}");
        }
        return fields;
    }

    private static void Skip(ref MessagePackReader reader, int fields)
    {
        for (var i = 0; i < fields; i++)
        {
            reader.Skip();
        }
    }
}
