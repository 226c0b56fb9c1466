using MessagePack;
using Praetor.Gossip.Msgpack;

namespace Praetor.Gossip.Serf.Wire;

public static partial class SerfCodec
{
    // messageQuery {Addr, Filters, Flags, ID, LTime, Name, Payload, Port, RelayFactor, SourceNode, Timeout}
    private static void WriteQuery(ref MessagePackWriter writer, QueryMessage query)
    {
        writer.WriteMapHeader(11);
        GoMsgpackWriter.WriteField(ref writer, "Addr"u8);
        GoMsgpackWriter.WriteBytes(ref writer, query.Addr);
        GoMsgpackWriter.WriteField(ref writer, "Filters"u8);
        if (query.Filters is null)
        {
            writer.WriteNil();
        }
        else
        {
            writer.WriteArrayHeader(query.Filters.Count);
            for (var i = 0; i < query.Filters.Count; i++) GoMsgpackWriter.WriteBytes(ref writer, query.Filters[i]);
        }
        GoMsgpackWriter.WriteField(ref writer, "Flags"u8);
        writer.Write(query.Flags);
        GoMsgpackWriter.WriteField(ref writer, "ID"u8);
        writer.Write(query.Id);
        GoMsgpackWriter.WriteField(ref writer, "LTime"u8);
        writer.Write(query.LTime);
        GoMsgpackWriter.WriteField(ref writer, "Name"u8);
        writer.Write(query.Name);
        GoMsgpackWriter.WriteField(ref writer, "Payload"u8);
        GoMsgpackWriter.WriteBytes(ref writer, query.Payload);
        GoMsgpackWriter.WriteField(ref writer, "Port"u8);
        writer.Write(query.Port);
        GoMsgpackWriter.WriteField(ref writer, "RelayFactor"u8);
        writer.Write(query.RelayFactor);
        GoMsgpackWriter.WriteField(ref writer, "SourceNode"u8);
        writer.Write(query.SourceNode);
        GoMsgpackWriter.WriteField(ref writer, "Timeout"u8);
        writer.Write(query.TimeoutNanoseconds);
    }

    private static bool ReadQuery(ref GoMsgpackReader reader, out QueryMessage? query, out string where)
    {
        query = null;
        ulong ltime = 0;
        uint id = 0, flags = 0;
        byte[]? addr = null, payload = null;
        ushort port = 0;
        var sourceNode = "";
        var name = "";
        List<byte[]>? filters = null;
        byte relayFactor = 0;
        long timeout = 0;
        if (!ReadStructHeader(ref reader, out var fields, out where, "messageQuery")) return false;
        for (var i = 0; i < fields; i++)
        {
            if (!ReadFieldName(ref reader, out var field, out where, "messageQuery")) return false;
            var ok = field switch
            {
                _ when field.SequenceEqual("LTime"u8) => Field(reader.TryReadUInt64(out ltime), "messageQuery.LTime", out where),
                _ when field.SequenceEqual("ID"u8) => Field(reader.TryReadUInt32(out id), "messageQuery.ID", out where),
                _ when field.SequenceEqual("Addr"u8) => Field(reader.TryReadBytes(out addr), "messageQuery.Addr", out where),
                _ when field.SequenceEqual("Port"u8) => Field(reader.TryReadUInt16(out port), "messageQuery.Port", out where),
                _ when field.SequenceEqual("SourceNode"u8) => Field(reader.TryReadString(out sourceNode), "messageQuery.SourceNode", out where),
                _ when field.SequenceEqual("Filters"u8) => Field(ReadByteSlices(ref reader, out filters), "messageQuery.Filters", out where),
                _ when field.SequenceEqual("Flags"u8) => Field(reader.TryReadUInt32(out flags), "messageQuery.Flags", out where),
                _ when field.SequenceEqual("RelayFactor"u8) => Field(reader.TryReadByteValue(out relayFactor), "messageQuery.RelayFactor", out where),
                _ when field.SequenceEqual("Timeout"u8) => Field(reader.TryReadInt64(out timeout), "messageQuery.Timeout", out where),
                _ when field.SequenceEqual("Name"u8) => Field(reader.TryReadString(out name), "messageQuery.Name", out where),
                _ when field.SequenceEqual("Payload"u8) => Field(reader.TryReadBytes(out payload), "messageQuery.Payload", out where),
                _ => Field(reader.TrySkip(), "messageQuery", out where),
            };
            if (!ok) return false;
        }
        query = new QueryMessage(ltime, id, addr, port, sourceNode, filters, flags, relayFactor, timeout, name, payload);
        return true;
    }

    /// <summary>A Go [][]byte (nil: null; nil elements become empty arrays, as Go has no way to tell them apart when filtering).</summary>
    private static bool ReadByteSlices(ref GoMsgpackReader reader, out List<byte[]>? slices)
    {
        slices = null;
        if (!reader.TryReadArrayHeader(out var count)) return false;
        if (count < 0) return true;
        slices = new List<byte[]>(count);
        for (var i = 0; i < count; i++)
        {
            if (!reader.TryReadBytes(out var item)) return false;
            slices.Add(item ?? []);
        }
        return true;
    }

    // messageQueryResponse {Flags, From, ID, LTime, Payload}
    private static void WriteQueryResponse(ref MessagePackWriter writer, QueryResponseMessage response)
    {
        writer.WriteMapHeader(5);
        GoMsgpackWriter.WriteField(ref writer, "Flags"u8);
        writer.Write(response.Flags);
        GoMsgpackWriter.WriteField(ref writer, "From"u8);
        writer.Write(response.From);
        GoMsgpackWriter.WriteField(ref writer, "ID"u8);
        writer.Write(response.Id);
        GoMsgpackWriter.WriteField(ref writer, "LTime"u8);
        writer.Write(response.LTime);
        GoMsgpackWriter.WriteField(ref writer, "Payload"u8);
        GoMsgpackWriter.WriteBytes(ref writer, response.Payload);
    }

    private static bool ReadQueryResponse(ref GoMsgpackReader reader, out QueryResponseMessage? response, out string where)
    {
        response = null;
        ulong ltime = 0;
        uint id = 0, flags = 0;
        var from = "";
        byte[]? payload = null;
        if (!ReadStructHeader(ref reader, out var fields, out where, "messageQueryResponse")) return false;
        for (var i = 0; i < fields; i++)
        {
            if (!ReadFieldName(ref reader, out var field, out where, "messageQueryResponse")) return false;
            var ok = field switch
            {
                _ when field.SequenceEqual("LTime"u8) => Field(reader.TryReadUInt64(out ltime), "messageQueryResponse.LTime", out where),
                _ when field.SequenceEqual("ID"u8) => Field(reader.TryReadUInt32(out id), "messageQueryResponse.ID", out where),
                _ when field.SequenceEqual("From"u8) => Field(reader.TryReadString(out from), "messageQueryResponse.From", out where),
                _ when field.SequenceEqual("Flags"u8) => Field(reader.TryReadUInt32(out flags), "messageQueryResponse.Flags", out where),
                _ when field.SequenceEqual("Payload"u8) => Field(reader.TryReadBytes(out payload), "messageQueryResponse.Payload", out where),
                _ => Field(reader.TrySkip(), "messageQueryResponse", out where),
            };
            if (!ok) return false;
        }
        response = new QueryResponseMessage(ltime, id, from, flags, payload);
        return true;
    }

    // relayHeader {DestAddr net.UDPAddr{IP, Port, Zone}, DestName}; the relayed message follows it.
    private static void WriteRelayHeader(ref MessagePackWriter writer, RelayMessage relay)
    {
        writer.WriteMapHeader(2);
        GoMsgpackWriter.WriteField(ref writer, "DestAddr"u8);
        writer.WriteMapHeader(3);
        GoMsgpackWriter.WriteField(ref writer, "IP"u8);
        GoMsgpackWriter.WriteBytes(ref writer, relay.DestIp);
        GoMsgpackWriter.WriteField(ref writer, "Port"u8);
        writer.Write(relay.DestPort);
        GoMsgpackWriter.WriteField(ref writer, "Zone"u8);
        writer.Write(relay.DestZone);
        GoMsgpackWriter.WriteField(ref writer, "DestName"u8);
        writer.Write(relay.DestName);
    }

    private static bool ReadRelayHeader(ref GoMsgpackReader reader, out RelayMessage? relay, out string where)
    {
        relay = null;
        byte[]? ip = null;
        long port = 0;
        var zone = "";
        var destName = "";
        if (!ReadStructHeader(ref reader, out var fields, out where, "relayHeader")) return false;
        for (var i = 0; i < fields; i++)
        {
            if (!ReadFieldName(ref reader, out var field, out where, "relayHeader")) return false;
            if (field.SequenceEqual("DestName"u8))
            {
                if (!Field(reader.TryReadString(out destName), "relayHeader.DestName", out where)) return false;
                continue;
            }
            if (!field.SequenceEqual("DestAddr"u8))
            {
                if (!Field(reader.TrySkip(), "relayHeader", out where)) return false;
                continue;
            }
            if (!ReadStructHeader(ref reader, out var addrFields, out where, "relayHeader.DestAddr")) return false;
            for (var j = 0; j < addrFields; j++)
            {
                if (!ReadFieldName(ref reader, out var addrField, out where, "relayHeader.DestAddr")) return false;
                var ok = addrField switch
                {
                    _ when addrField.SequenceEqual("IP"u8) => Field(reader.TryReadBytes(out ip), "relayHeader.DestAddr.IP", out where),
                    _ when addrField.SequenceEqual("Port"u8) => Field(reader.TryReadInt64(out port) && port is >= int.MinValue and <= int.MaxValue, "relayHeader.DestAddr.Port", out where),
                    _ when addrField.SequenceEqual("Zone"u8) => Field(reader.TryReadString(out zone), "relayHeader.DestAddr.Zone", out where),
                    _ => Field(reader.TrySkip(), "relayHeader.DestAddr", out where),
                };
                if (!ok) return false;
            }
        }
        relay = new RelayMessage(ip, (int)port, zone, destName, []);
        return true;
    }
}
