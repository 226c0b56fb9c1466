namespace Praetor.Raft;

/// <summary>
/// The log's storage held in memory (the in-memory twin of the write-ahead log): entries
/// appended in index order, with the prefix that the state machine already holds trimmed away.
/// Not thread-safe: its owner serializes access.
/// </summary>
public sealed class InMemoryLogStore
{
    private readonly List<LogEntry> _entries = [];

    public ulong FirstIndex => _entries.Count == 0 ? 0 : _entries[0].Index;

    public ulong LastIndex { get; private set; }

    public int Count => _entries.Count;

    public void Append(LogEntry entry)
    {
        if (entry.Index != LastIndex + 1)
        {
            throw new InvalidOperationException($"log index gap: appending {entry.Index} after {LastIndex}");
        }
        _entries.Add(entry);
        LastIndex = entry.Index;
    }

    public LogEntry? Get(ulong index)
    {
        if (_entries.Count == 0 || index < FirstIndex || index > LastIndex)
        {
            return null;
        }
        return _entries[(int)(index - FirstIndex)];
    }

    /// <summary>Drops entries so that at most <paramref name="keepEntriesMax"/> remain (log compaction).</summary>
    public void TrimPrefix(int keepEntriesMax)
    {
        var drop = _entries.Count - keepEntriesMax;
        if (drop > 0)
        {
            _entries.RemoveRange(0, drop);
        }
    }
}
