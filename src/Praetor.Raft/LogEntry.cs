namespace Praetor.Raft;

/// <summary>One entry of the log: the term it was created in, its index, and the encoded command.</summary>
public sealed record LogEntry(ulong Term, ulong Index, byte[] Command);
