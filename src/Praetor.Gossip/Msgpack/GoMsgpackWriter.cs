using System.Buffers;
using MessagePack;

namespace Praetor.Gossip.Msgpack;

/// <summary>
/// Writes msgpack as hashicorp/go-msgpack's <c>codec.MsgpackHandle{}</c> does: old-spec raw
/// (fixstr/str16/str32, never str8 or bin) for both strings and byte slices, Go's nil slices and
/// maps as nil, integers in their smallest form, struct fields as a map keyed by field name.
/// The one writer helper of both the memberlist codec and Serf's.
/// </summary>
internal static class GoMsgpackWriter
{
    /// <summary>A MessagePack-CSharp writer in old-spec mode, which is what Go's handle writes.</summary>
    public static MessagePackWriter Create(IBufferWriter<byte> output) => new(output) { OldSpec = true };

    /// <summary>Writes the one byte gossip puts before a msgpack body (a message type, a version, a magic byte), then <see cref="Create(IBufferWriter{byte})"/>.</summary>
    public static MessagePackWriter Create(IBufferWriter<byte> output, byte leadingByte)
    {
        output.GetSpan(1)[0] = leadingByte;
        output.Advance(1);
        return Create(output);
    }

    /// <summary>A Go []byte: nil as nil, anything else as raw.</summary>
    public static void WriteBytes(ref MessagePackWriter writer, byte[]? value)
    {
        if (value is null)
        {
            writer.WriteNil();
            return;
        }
        writer.Write(value.AsSpan());
    }

    /// <summary>A struct field name (a Go field name, ASCII).</summary>
    public static void WriteField(ref MessagePackWriter writer, ReadOnlySpan<byte> utf8Name) => writer.WriteString(utf8Name);

    /// <summary>A Go map[string]string with its keys in ordinal order (Go's order is random; any order decodes).</summary>
    public static void WriteStringMap(ref MessagePackWriter writer, IReadOnlyDictionary<string, string>? map)
    {
        if (map is null)
        {
            writer.WriteNil();
            return;
        }
        var keys = SortedKeys(map.Keys, map.Count);
        writer.WriteMapHeader(keys.Length);
        foreach (var key in keys)
        {
            writer.Write(key);
            writer.Write(map[key]);
        }
    }

    public static string[] SortedKeys(IEnumerable<string> keys, int count)
    {
        var sorted = new string[count];
        var i = 0;
        foreach (var key in keys) sorted[i++] = key;
        Array.Sort(sorted, StringComparer.Ordinal);
        return sorted;
    }
}
