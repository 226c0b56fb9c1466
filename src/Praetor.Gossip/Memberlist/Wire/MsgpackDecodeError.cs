using Praetor.Gossip.Msgpack;

namespace Praetor.Gossip.Memberlist.Wire;

/// <summary>Maps the shared reader's failures to memberlist's <see cref="DecodeError"/> reasons.</summary>
internal static class MsgpackDecodeError
{
    public static DecodeError ToDecodeError(this MsgpackError error) => error switch
    {
        MsgpackError.None => DecodeError.None,
        MsgpackError.Truncated => DecodeError.Truncated,
        MsgpackError.WrongType => DecodeError.WrongType,
        MsgpackError.OutOfRange => DecodeError.InvalidValue,
        _ => DecodeError.MalformedMsgpack,
    };
}
