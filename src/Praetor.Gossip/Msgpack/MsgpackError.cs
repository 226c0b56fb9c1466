namespace Praetor.Gossip.Msgpack;

/// <summary>
/// Why a <see cref="GoMsgpackReader"/> read failed. Codecs map it to their own error type
/// (memberlist: <c>DecodeError</c>; Serf reports every failure as malformed).
/// </summary>
internal enum MsgpackError : byte
{
    /// <summary>Nothing wrong.</summary>
    None = 0,

    /// <summary>The input ends inside a value (or a length or count claims more bytes than are left), so a stream reader can wait for more.</summary>
    Truncated,

    /// <summary>Bytes that are not msgpack (the reserved code 0xc1), or nesting deeper than <see cref="GoMsgpackReader.SkipDepthMax"/>.</summary>
    Malformed,

    /// <summary>A msgpack value of a type the field cannot take (a string where an integer belongs).</summary>
    WrongType,

    /// <summary>A value of the right type out of the field's range (negative, or too large).</summary>
    OutOfRange,
}
