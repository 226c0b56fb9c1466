namespace Praetor.Raft.Transport;

/// <summary>
/// A stream on the server port that cannot be read as frames: it ended inside a frame, announced a
/// frame larger than the limit, or failed underneath (reset, closed). The connection is unusable
/// afterwards; the reader closes it. Malformed content inside a well-formed frame is not this: the
/// codecs report it as a value.
/// </summary>
public sealed class RaftWireException(string message, Exception? inner = null) : Exception(message, inner);
