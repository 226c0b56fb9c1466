using MessagePack;
using Praetor.Gossip.Msgpack;

namespace Praetor.Gossip.Serf.Wire;

public static partial class SerfCodec
{
    // keyRequest {Key}
    private static void WriteKeyRequest(ref MessagePackWriter writer, KeyRequest request)
    {
        writer.WriteMapHeader(1);
        GoMsgpackWriter.WriteField(ref writer, "Key"u8);
        GoMsgpackWriter.WriteBytes(ref writer, request.Key);
    }

    private static bool ReadKeyRequest(ref GoMsgpackReader reader, out KeyRequest? request, out string where)
    {
        request = null;
        byte[]? key = null;
        if (!ReadStructHeader(ref reader, out var fields, out where, "keyRequest")) return false;
        for (var i = 0; i < fields; i++)
        {
            if (!ReadFieldName(ref reader, out var field, out where, "keyRequest")) return false;
            var ok = field.SequenceEqual("Key"u8)
                ? Field(reader.TryReadBytes(out key), "keyRequest.Key", out where)
                : Field(reader.TrySkip(), "keyRequest", out where);
            if (!ok) return false;
        }
        request = new KeyRequest(key);
        return true;
    }

    // nodeKeyResponse {Keys, Message, PrimaryKey, Result}
    private static void WriteKeyResponse(ref MessagePackWriter writer, KeyResponse response)
    {
        writer.WriteMapHeader(4);
        GoMsgpackWriter.WriteField(ref writer, "Keys"u8);
        WriteStringList(ref writer, response.Keys);
        GoMsgpackWriter.WriteField(ref writer, "Message"u8);
        writer.Write(response.Message);
        GoMsgpackWriter.WriteField(ref writer, "PrimaryKey"u8);
        writer.Write(response.PrimaryKey);
        GoMsgpackWriter.WriteField(ref writer, "Result"u8);
        writer.Write(response.Result);
    }

    private static bool ReadKeyResponse(ref GoMsgpackReader reader, out KeyResponse? response, out string where)
    {
        response = null;
        var result = false;
        var message = "";
        var primaryKey = "";
        List<string>? keys = null;
        if (!ReadStructHeader(ref reader, out var fields, out where, "nodeKeyResponse")) return false;
        for (var i = 0; i < fields; i++)
        {
            if (!ReadFieldName(ref reader, out var field, out where, "nodeKeyResponse")) return false;
            var ok = field switch
            {
                _ when field.SequenceEqual("Result"u8) => Field(reader.TryReadBool(out result), "nodeKeyResponse.Result", out where),
                _ when field.SequenceEqual("Message"u8) => Field(reader.TryReadString(out message), "nodeKeyResponse.Message", out where),
                _ when field.SequenceEqual("Keys"u8) => Field(ReadStringList(ref reader, out keys), "nodeKeyResponse.Keys", out where),
                _ when field.SequenceEqual("PrimaryKey"u8) => Field(reader.TryReadString(out primaryKey), "nodeKeyResponse.PrimaryKey", out where),
                _ => Field(reader.TrySkip(), "nodeKeyResponse", out where),
            };
            if (!ok) return false;
        }
        response = new KeyResponse(result, message, keys, primaryKey);
        return true;
    }

    // *Member {Addr, DelegateCur, DelegateMax, DelegateMin, Name, Port, ProtocolCur, ProtocolMax, ProtocolMin, Status, Tags}; nil when unknown.
    private static void WriteConflictResponse(ref MessagePackWriter writer, ConflictResponse response)
    {
        var member = response.Member;
        if (member is null)
        {
            writer.WriteNil();
            return;
        }
        writer.WriteMapHeader(11);
        GoMsgpackWriter.WriteField(ref writer, "Addr"u8);
        GoMsgpackWriter.WriteBytes(ref writer, member.Addr);
        GoMsgpackWriter.WriteField(ref writer, "DelegateCur"u8);
        writer.Write(member.DelegateCur);
        GoMsgpackWriter.WriteField(ref writer, "DelegateMax"u8);
        writer.Write(member.DelegateMax);
        GoMsgpackWriter.WriteField(ref writer, "DelegateMin"u8);
        writer.Write(member.DelegateMin);
        GoMsgpackWriter.WriteField(ref writer, "Name"u8);
        writer.Write(member.Name);
        GoMsgpackWriter.WriteField(ref writer, "Port"u8);
        writer.Write(member.Port);
        GoMsgpackWriter.WriteField(ref writer, "ProtocolCur"u8);
        writer.Write(member.ProtocolCur);
        GoMsgpackWriter.WriteField(ref writer, "ProtocolMax"u8);
        writer.Write(member.ProtocolMax);
        GoMsgpackWriter.WriteField(ref writer, "ProtocolMin"u8);
        writer.Write(member.ProtocolMin);
        GoMsgpackWriter.WriteField(ref writer, "Status"u8);
        writer.Write((long)member.Status);
        GoMsgpackWriter.WriteField(ref writer, "Tags"u8);
        GoMsgpackWriter.WriteStringMap(ref writer, member.Tags);
    }

    private static bool ReadConflictResponse(ref GoMsgpackReader reader, out ConflictResponse? response, out string where)
    {
        response = null;
        where = "Member";
        if (reader.TryReadNil())
        {
            response = new ConflictResponse(null);
            return true;
        }
        var name = "";
        byte[]? addr = null;
        ushort port = 0;
        Dictionary<string, string>? tags = null;
        long status = 0;
        byte pMin = 0, pMax = 0, pCur = 0, dMin = 0, dMax = 0, dCur = 0;
        if (!ReadStructHeader(ref reader, out var fields, out where, "Member")) return false;
        for (var i = 0; i < fields; i++)
        {
            if (!ReadFieldName(ref reader, out var field, out where, "Member")) return false;
            var ok = field switch
            {
                _ when field.SequenceEqual("Name"u8) => Field(reader.TryReadString(out name), "Member.Name", out where),
                _ when field.SequenceEqual("Addr"u8) => Field(reader.TryReadBytes(out addr), "Member.Addr", out where),
                _ when field.SequenceEqual("Port"u8) => Field(reader.TryReadUInt16(out port), "Member.Port", out where),
                _ when field.SequenceEqual("Tags"u8) => Field(ReadStringMap(ref reader, out tags), "Member.Tags", out where),
                _ when field.SequenceEqual("Status"u8) => Field(reader.TryReadInt64(out status) && status is >= int.MinValue and <= int.MaxValue, "Member.Status", out where),
                _ when field.SequenceEqual("ProtocolMin"u8) => Field(reader.TryReadByteValue(out pMin), "Member.ProtocolMin", out where),
                _ when field.SequenceEqual("ProtocolMax"u8) => Field(reader.TryReadByteValue(out pMax), "Member.ProtocolMax", out where),
                _ when field.SequenceEqual("ProtocolCur"u8) => Field(reader.TryReadByteValue(out pCur), "Member.ProtocolCur", out where),
                _ when field.SequenceEqual("DelegateMin"u8) => Field(reader.TryReadByteValue(out dMin), "Member.DelegateMin", out where),
                _ when field.SequenceEqual("DelegateMax"u8) => Field(reader.TryReadByteValue(out dMax), "Member.DelegateMax", out where),
                _ when field.SequenceEqual("DelegateCur"u8) => Field(reader.TryReadByteValue(out dCur), "Member.DelegateCur", out where),
                _ => Field(reader.TrySkip(), "Member", out where),
            };
            if (!ok) return false;
        }
        response = new ConflictResponse(new ConflictMember(name, addr, port, tags, (MemberStatus)status, pMin, pMax, pCur, dMin, dMax, dCur));
        return true;
    }
}
