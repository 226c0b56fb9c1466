namespace Praetor.Raft.Core;

/// <summary>
/// The core's view of the log: the host's stable storage followed by the unstable part —
/// entries (and a snapshot received from the leader) that a <see cref="Ready"/> has handed out
/// for persisting but that <see cref="RaftNode.Advance"/> has not yet confirmed. Also holds the
/// commit and applied indexes.
/// </summary>
internal sealed class RaftLog
{
    private readonly IRaftStorage _storage;
    private readonly List<LogEntry> _unstable = [];
    private ulong _unstableOffset;

    /// <summary>The log over <paramref name="storage"/>, with the persisted commit index; everything up to the snapshot counts as applied (the host restores its state machine from it).</summary>
    public RaftLog(IRaftStorage storage, ulong commit)
    {
        _storage = storage;
        _unstableOffset = storage.LastIndex + 1;
        Applied = storage.SnapshotIndex;
        Committed = Math.Max(commit, Applied);
    }

    /// <summary>A snapshot received from the leader, not yet persisted.</summary>
    public RaftSnapshot? UnstableSnapshot { get; private set; }

    /// <summary>The highest index known committed.</summary>
    public ulong Committed { get; private set; }

    /// <summary>The highest index the host has applied (or restored from a snapshot).</summary>
    public ulong Applied { get; private set; }

    /// <summary>The first index still held (after the snapshot, received or stored).</summary>
    public ulong FirstIndex => UnstableSnapshot is { } s ? s.Metadata.Index + 1 : _storage.FirstIndex;

    /// <summary>The index of the last entry, unstable or stable (the snapshot's index when no entry follows it).</summary>
    public ulong LastIndex =>
        _unstable.Count > 0 ? _unstableOffset + (ulong)_unstable.Count - 1 :
        UnstableSnapshot is { } s ? s.Metadata.Index : _storage.LastIndex;

    /// <summary>The last index the host has confirmed durable (the leader counts only these toward commit).</summary>
    public ulong LastStableIndex => _unstableOffset - 1;

    /// <summary>Called with every batch of entries appended (replacing any suffix from the first one's index), so the node can follow configuration changes.</summary>
    public Action<IReadOnlyList<LogEntry>>? Appended { get; set; }

    /// <summary>The term of the last entry.</summary>
    public ulong LastTerm => TryGetTerm(LastIndex, out var term) ? term : throw new InvalidOperationException($"no term for the last index {LastIndex}");

    /// <summary>The entries handed to the host to persist and not yet confirmed stable.</summary>
    public IReadOnlyList<LogEntry> UnstableEntries => [.. _unstable];

    /// <summary>The term at <paramref name="index"/>, including the snapshot's own index; false when compacted away or beyond the end.</summary>
    public bool TryGetTerm(ulong index, out ulong term)
    {
        term = 0;
        if (index + 1 < FirstIndex || index > LastIndex) return false;
        if (_unstable.Count > 0 && index >= _unstableOffset)
        {
            term = _unstable[(int)(index - _unstableOffset)].Term;
            return true;
        }
        if (UnstableSnapshot is { } snapshot)
        {
            if (index != snapshot.Metadata.Index) return false;
            term = snapshot.Metadata.Term;
            return true;
        }
        return _storage.TryGetTerm(index, out term);
    }

    /// <summary>Whether the log holds an entry of <paramref name="term"/> at <paramref name="index"/>.</summary>
    public bool MatchTerm(ulong index, ulong term) => TryGetTerm(index, out var t) && t == term;

    /// <summary>§5.4.1's election restriction: is a log ending at (<paramref name="lastIndex"/>, <paramref name="lastTerm"/>) at least as up to date as this one?</summary>
    public bool IsUpToDate(ulong lastIndex, ulong lastTerm) => lastTerm > LastTerm || (lastTerm == LastTerm && lastIndex >= LastIndex);

    /// <summary>Appends entries that follow on from the log or replace a suffix of it (never a committed one).</summary>
    public void Append(IReadOnlyList<LogEntry> entries)
    {
        if (entries.Count == 0) return;
        var after = entries[0].Index;
        if (after <= Committed) throw new InvalidOperationException($"truncating committed entry {after} (commit {Committed})");
        if (after > LastIndex + 1) throw new InvalidOperationException($"log gap: appending {after} after {LastIndex}");
        if (after == _unstableOffset + (ulong)_unstable.Count)
        {
            _unstable.AddRange(entries);
        }
        else if (after <= _unstableOffset)
        {
            // Replaces stable entries too: the host truncates them when it persists these.
            _unstableOffset = after;
            _unstable.Clear();
            _unstable.AddRange(entries);
        }
        else
        {
            var keep = (int)(after - _unstableOffset);
            _unstable.RemoveRange(keep, _unstable.Count - keep);
            _unstable.AddRange(entries);
        }
        Appended?.Invoke(entries);
    }

    /// <summary>
    /// The follower's side of AppendEntries (§5.3): when the log holds (<paramref name="prevIndex"/>,
    /// <paramref name="prevTerm"/>), drop any conflicting suffix, append what is new, commit up to
    /// min(<paramref name="leaderCommit"/>, last new index), and return that last new index.
    /// The entries follow on from <paramref name="prevIndex"/> (the node checked the message).
    /// </summary>
    public bool TryAppend(ulong prevIndex, ulong prevTerm, ulong leaderCommit, IReadOnlyList<LogEntry> entries, out ulong lastNewIndex)
    {
        lastNewIndex = 0;
        if (!MatchTerm(prevIndex, prevTerm)) return false;
        lastNewIndex = prevIndex + (ulong)entries.Count;
        for (var i = 0; i < entries.Count; i++)
        {
            var entry = entries[i];
            if (!MatchTerm(entry.Index, entry.Term))
            {
                // The first entry that is new or conflicts: everything from it on is replaced (a
                // matching entry is kept, so a delayed, shorter AppendEntries never truncates).
                Append(i == 0 ? entries : [.. entries.Skip(i)]);
                break;
            }
        }
        CommitTo(Math.Min(leaderCommit, lastNewIndex));
        return true;
    }

    /// <summary>
    /// The last index ≤ <paramref name="index"/> whose term is ≤ <paramref name="term"/>, with
    /// that term (0 when it is unknown, compacted): where a log that has <paramref name="term"/> at
    /// <paramref name="index"/> can first agree with this one.
    /// </summary>
    public (ulong Index, ulong Term) FindConflictByTerm(ulong index, ulong term)
    {
        while (true)
        {
            if (!TryGetTerm(index, out var t)) return (index, 0);
            if (t <= term) return (index, t);
            index--;
        }
    }

    /// <summary>Raises the commit index (never lowers it; never past the last entry).</summary>
    public void CommitTo(ulong index)
    {
        if (index <= Committed) return;
        if (index > LastIndex) throw new InvalidOperationException($"commit {index} beyond the last index {LastIndex}");
        Committed = index;
    }

    /// <summary>Records that the host applied through <paramref name="index"/>.</summary>
    public void AppliedTo(ulong index)
    {
        if (index < Applied) throw new InvalidOperationException($"applied index going back from {Applied} to {index}");
        Applied = index;
    }

    /// <summary>Entries from <paramref name="low"/> on, at most <paramref name="countMax"/> and about <paramref name="bytesMax"/>; null when <paramref name="low"/> is compacted away.</summary>
    public IReadOnlyList<LogEntry>? Entries(ulong low, int countMax, long bytesMax)
    {
        if (low < FirstIndex) return null;
        var last = LastIndex;
        if (low > last) return [];
        var high = Math.Min(last + 1, low + (ulong)countMax);
        var candidates = new List<LogEntry>();
        if (low < _unstableOffset)
        {
            var stableHigh = Math.Min(high, _unstableOffset);
            var stable = _storage.Entries(low, stableHigh, bytesMax);
            candidates.AddRange(stable);
            if ((ulong)stable.Count < stableHigh - low) return candidates;
        }
        for (var index = Math.Max(low, _unstableOffset); index < high; index++)
        {
            candidates.Add(_unstable[(int)(index - _unstableOffset)]);
        }
        return LimitBytes(candidates, 0, candidates.Count, bytesMax);
    }

    /// <summary>Whether <see cref="NextToApply"/> has anything, without building it.</summary>
    public bool HasNextToApply(bool applyBeforeCommit) => Math.Max(Applied + 1, FirstIndex) <= (applyBeforeCommit ? LastIndex : Committed);

    /// <summary>Committed entries not yet applied (or, with the planted <see cref="RaftFaults.ApplyBeforeCommit"/>, every entry not yet applied).</summary>
    public IReadOnlyList<LogEntry> NextToApply(long bytesMax, bool applyBeforeCommit)
    {
        var high = applyBeforeCommit ? LastIndex : Committed;
        var low = Math.Max(Applied + 1, FirstIndex);
        if (low > high) return [];
        return Entries(low, (int)Math.Min(high - low + 1, int.MaxValue), bytesMax) ?? [];
    }

    /// <summary>The host persisted the entries through (<paramref name="index"/>, <paramref name="term"/>); a later truncation may have replaced them, then nothing is marked.</summary>
    public void StableTo(ulong index, ulong term)
    {
        if (index < _unstableOffset || index >= _unstableOffset + (ulong)_unstable.Count) return;
        if (_unstable[(int)(index - _unstableOffset)].Term != term) return;
        var drop = (int)(index - _unstableOffset + 1);
        _unstable.RemoveRange(0, drop);
        _unstableOffset = index + 1;
    }

    /// <summary>The host persisted the received snapshot at <paramref name="index"/>.</summary>
    public void StableSnapshotTo(ulong index)
    {
        if (UnstableSnapshot is { } s && s.Metadata.Index == index) UnstableSnapshot = null;
    }

    /// <summary>Replaces the log with a snapshot received from the leader.</summary>
    public void Restore(RaftSnapshot snapshot)
    {
        Committed = snapshot.Metadata.Index;
        _unstable.Clear();
        _unstableOffset = snapshot.Metadata.Index + 1;
        UnstableSnapshot = snapshot;
    }

    /// <summary>The bytes an entry counts for in batch limits: its command plus a fixed header estimate.</summary>
    public static long EntryBytes(LogEntry entry) => entry.Command.Length + 24;

    /// <summary>Up to <paramref name="count"/> entries from <paramref name="start"/>, stopping before the one that takes the total past <paramref name="bytesMax"/> (the first is always taken).</summary>
    public static IReadOnlyList<LogEntry> LimitBytes(IReadOnlyList<LogEntry> source, int start, int count, long bytesMax)
    {
        var result = new List<LogEntry>(Math.Min(count, 64));
        long total = 0;
        for (var i = start; i < start + count; i++)
        {
            total += EntryBytes(source[i]);
            if (result.Count > 0 && total > bytesMax) break;
            result.Add(source[i]);
        }
        return result;
    }
}
