namespace Praetor.State.Kv;

/// <summary>
/// The mark a deleted key leaves so that a prefix's index never slides backwards while
/// blocking queries watch it. Reaped after the tombstone TTL by a <c>ReapTombstones</c> command.
/// </summary>
public readonly record struct KvTombstone(string Key, ulong Index);
