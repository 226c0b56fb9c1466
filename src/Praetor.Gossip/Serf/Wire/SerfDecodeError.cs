namespace Praetor.Gossip.Serf.Wire;

/// <summary>Why a Serf message (or tags, or a ping payload) could not be decoded; the receiver drops it and counts it.</summary>
public enum SerfDecodeErrorKind
{
    None = 0,

    /// <summary>No bytes at all (Serf ignores empty user messages).</summary>
    Empty,

    /// <summary>The leading type byte names no Serf message (or not the one expected).</summary>
    UnknownType,

    /// <summary>The msgpack is truncated, not msgpack, or a field holds a type or value its Go field cannot take.</summary>
    Malformed,

    /// <summary>The ping payload's version byte is not Serf's PingVersion.</summary>
    UnsupportedVersion,
}

/// <summary>
/// A decode failure: the kind and where it was found (a constant such as "messageQuery.Port", for logs;
/// never built from the input).
/// </summary>
public readonly record struct SerfDecodeError(SerfDecodeErrorKind Kind, string Where)
{
    public static readonly SerfDecodeError None = new(SerfDecodeErrorKind.None, "");

    public override string ToString() => Kind == SerfDecodeErrorKind.None ? "none" : $"{Kind} at {Where}";
}
