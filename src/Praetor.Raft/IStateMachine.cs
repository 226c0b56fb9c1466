namespace Praetor.Raft;

/// <summary>
/// The replicated state machine (Raft's FSM) that committed log entries are applied to.
/// </summary>
/// <remarks>
/// Contract: the log's apply loop calls these methods from one thread at a time, in log order,
/// each committed entry exactly once. <see cref="Apply"/> must be deterministic: the same entries
/// in the same order produce the same state on every server. The command buffer is only valid
/// during the call. An exception from <see cref="Apply"/> means the entry cannot be decoded,
/// which is a broken invariant: the log stops.
/// </remarks>
public interface IStateMachine
{
    /// <summary>Applies one committed command stamped with its log index and returns its response.</summary>
    object? Apply(ulong index, ReadOnlyMemory<byte> command);

    /// <summary>
    /// Captures the whole state as of the last applied index, cheaply (an immutable view, not a
    /// serialization), and returns what writes that state to a stream. The log captures on its
    /// loop and writes later, off the loop, on another thread, while later entries are applied (or
    /// a snapshot restored): the writer must write the captured state, never the current one.
    /// </summary>
    Action<Stream> CaptureSnapshot();

    /// <summary>Replaces the whole state with the one read from <paramref name="source"/>.</summary>
    void Restore(Stream source);
}
