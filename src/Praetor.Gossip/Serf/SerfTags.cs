using System.Buffers;
using Praetor.Gossip.Msgpack;
using Praetor.Gossip.Serf.Wire;

namespace Praetor.Gossip.Serf;

/// <summary>
/// A member's tags as Serf carries them in memberlist's node meta (serf.go encodeTags/decodeTags):
/// from Serf protocol 3 on, the magic byte 255 then the tags as a msgpack map of strings; before
/// that, the bare value of the "role" tag. Meta that does not start with the magic byte is read
/// as an old-style role.
/// </summary>
public static class SerfTags
{
    /// <summary>tagMagicByte: marks node meta as msgpack-encoded tags rather than a bare role.</summary>
    public const byte MagicByte = 255;

    /// <summary>memberlist's MetaMaxSize: the most node meta a member may gossip, in bytes.</summary>
    public const int MetaSizeBytesMax = 512;

    /// <summary>The first Serf protocol version that carries tags (older ones carry only the role).</summary>
    public const byte TagsProtocolVersionMin = 3;

    /// <summary>Encodes <paramref name="tags"/> for <paramref name="protocolVersion"/>, without the size check (keys in ordinal order).</summary>
    public static byte[] Encode(IReadOnlyDictionary<string, string> tags, byte protocolVersion)
    {
        ArgumentNullException.ThrowIfNull(tags);
        if (protocolVersion < TagsProtocolVersionMin)
        {
            return tags.TryGetValue("role", out var role) ? System.Text.Encoding.UTF8.GetBytes(role) : [];
        }
        var buffer = new ArrayBufferWriter<byte>(64);
        var writer = GoMsgpackWriter.Create(buffer, MagicByte);
        GoMsgpackWriter.WriteStringMap(ref writer, tags);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// Encodes <paramref name="tags"/> and checks the result fits in node meta; otherwise false with
    /// an error naming the size and the limit (Serf refuses to start, or to change tags, then).
    /// </summary>
    public static bool TryEncode(IReadOnlyDictionary<string, string> tags, byte protocolVersion, out byte[] meta, out string? error)
    {
        meta = Encode(tags, protocolVersion);
        if (meta.Length > MetaSizeBytesMax)
        {
            error = $"encoded tags are {meta.Length} bytes, over the node meta limit of {MetaSizeBytesMax} bytes";
            meta = [];
            return false;
        }
        error = null;
        return true;
    }

    /// <summary>
    /// Decodes node meta into tags. False when the meta is marked as tags but is malformed; the tags
    /// decoded before the fault are still returned, as Serf keeps them (it logs and goes on).
    /// </summary>
    public static bool TryDecode(ReadOnlySpan<byte> meta, out Dictionary<string, string> tags, out SerfDecodeError error)
    {
        tags = new Dictionary<string, string>(StringComparer.Ordinal);
        error = SerfDecodeError.None;
        if (meta.IsEmpty || meta[0] != MagicByte)
        {
            tags["role"] = System.Text.Encoding.UTF8.GetString(meta);
            return true;
        }
        var reader = new GoMsgpackReader(meta[1..]);
        if (!reader.TryReadMapHeader(out var count))
        {
            error = new SerfDecodeError(SerfDecodeErrorKind.Malformed, "tags");
            return false;
        }
        for (var i = 0; i < count; i++)
        {
            if (!reader.TryReadString(out var key) || !reader.TryReadString(out var value))
            {
                error = new SerfDecodeError(SerfDecodeErrorKind.Malformed, "tags");
                return false;
            }
            tags[key] = value;
        }
        return true;
    }
}
