using System.Buffers;
using Praetor.Gossip.Msgpack;
using Praetor.Gossip.Serf.Wire;

namespace Praetor.Gossip.Serf;

/// <summary>
/// A query filter as it travels in <see cref="QueryMessage.Filters"/> (messages.go encodeFilter):
/// a filter-type byte, then msgpack — a node list (<see cref="NodeQueryFilter"/>) or a tag name with
/// a regular expression its value must match (<see cref="TagQueryFilter"/>).
/// </summary>
public abstract record QueryFilter
{
    public const byte NodeType = 0;
    public const byte TagType = 1;

    public abstract byte[] Encode();

    /// <summary>Decodes one filter; an unknown type byte is <see cref="SerfDecodeErrorKind.UnknownType"/> (Serf then skips the query).</summary>
    public static bool TryDecode(ReadOnlySpan<byte> filter, out QueryFilter? decoded, out SerfDecodeError error)
    {
        decoded = null;
        if (filter.IsEmpty)
        {
            error = new SerfDecodeError(SerfDecodeErrorKind.Empty, "filter");
            return false;
        }
        var reader = new GoMsgpackReader(filter[1..]);
        switch (filter[0])
        {
            case NodeType:
                if (!reader.TryReadArrayHeader(out var count)) break;
                var nodes = new List<string>(Math.Max(count, 0));
                var ok = true;
                for (var i = 0; i < count && ok; i++)
                {
                    ok = reader.TryReadString(out var node);
                    nodes.Add(node);
                }
                if (!ok) break;
                decoded = new NodeQueryFilter(nodes);
                error = SerfDecodeError.None;
                return true;
            case TagType:
                if (!reader.TryReadMapHeader(out var fields)) break;
                string tag = "", expr = "";
                var fieldsOk = true;
                for (var i = 0; i < fields && fieldsOk; i++)
                {
                    fieldsOk = reader.TryReadRaw(out var field, out _) && field switch
                    {
                        _ when field.SequenceEqual("Tag"u8) => reader.TryReadString(out tag),
                        _ when field.SequenceEqual("Expr"u8) => reader.TryReadString(out expr),
                        _ => reader.TrySkip(),
                    };
                }
                if (!fieldsOk) break;
                decoded = new TagQueryFilter(tag, expr);
                error = SerfDecodeError.None;
                return true;
            default:
                error = new SerfDecodeError(SerfDecodeErrorKind.UnknownType, "filter type");
                return false;
        }
        error = new SerfDecodeError(SerfDecodeErrorKind.Malformed, filter[0] == NodeType ? "filterNode" : "filterTag");
        return false;
    }

    private protected static byte[] Encode(byte type, Action<ArrayBufferWriter<byte>> body)
    {
        var buffer = new ArrayBufferWriter<byte>(32);
        buffer.GetSpan(1)[0] = type;
        buffer.Advance(1);
        body(buffer);
        return buffer.WrittenSpan.ToArray();
    }
}

/// <summary>filterNode: only the named nodes process the query.</summary>
public sealed record NodeQueryFilter(IReadOnlyList<string> Nodes) : QueryFilter
{
    public override byte[] Encode() => Encode(NodeType, buffer =>
    {
        var writer = GoMsgpackWriter.Create(buffer);
        writer.WriteArrayHeader(Nodes.Count);
        foreach (var node in Nodes) writer.Write(node);
        writer.Flush();
    });
}

/// <summary>filterTag {Expr, Tag}: only nodes whose tag <see cref="Tag"/> matches the Go regular expression <see cref="Expr"/>.</summary>
public sealed record TagQueryFilter(string Tag, string Expr) : QueryFilter
{
    public override byte[] Encode() => Encode(TagType, buffer =>
    {
        var writer = GoMsgpackWriter.Create(buffer);
        writer.WriteMapHeader(2);
        GoMsgpackWriter.WriteField(ref writer, "Expr"u8);
        writer.Write(Expr);
        GoMsgpackWriter.WriteField(ref writer, "Tag"u8);
        writer.Write(Tag);
        writer.Flush();
    });
}
