namespace Praetor.Raft;

/// <summary>One entry of the log: the term it was created in, its index, its type, and the encoded command.</summary>
public sealed record LogEntry(ulong Term, ulong Index, LogEntryType Type, byte[] Command);

/// <summary>What an entry carries. Part of the log format: never renumber, only append.</summary>
public enum LogEntryType : byte
{
    /// <summary>A command for the state machine.</summary>
    Command = 1,

    /// <summary>
    /// The empty entry a new leader commits at the start of its term (Raft §8); the state
    /// machine never sees it. It also keeps the first command's index above 1, so that index 1,
    /// which Consul reports for an untouched table, never belongs to a real change.
    /// </summary>
    Noop = 2,

    /// <summary>
    /// A single-server membership change (<see cref="Core.ConfigChange"/>, encoded); the core
    /// takes it into effect when it is appended (Raft thesis §4.1), the state machine never sees it.
    /// </summary>
    ConfigChange = 3,
}
