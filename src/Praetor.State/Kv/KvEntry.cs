namespace Praetor.State.Kv;

/// <summary>
/// One key/value pair as stored and as Consul shows it (Consul's DirEntry). Immutable: a write
/// replaces the entry, so readers holding a snapshot never see it change.
/// </summary>
public sealed record KvEntry(
    string Key,
    byte[]? Value,
    ulong Flags,
    ulong CreateIndex,
    ulong ModifyIndex,
    ulong LockIndex,
    string? Session)
{
    /// <summary>Whether the user-visible contents equal another entry's (a write that changes nothing is skipped).</summary>
    public bool SameContents(byte[]? value, ulong flags, string? session) =>
        Flags == flags
        && string.Equals(Session, session, StringComparison.Ordinal)
        && (Value ?? []).AsSpan().SequenceEqual(value ?? []);
}
