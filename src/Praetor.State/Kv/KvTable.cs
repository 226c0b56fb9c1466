using System.Collections.Immutable;

namespace Praetor.State.Kv;

/// <summary>
/// The KV table: entries and tombstones, each kept sorted by key in a persistent (immutable)
/// AVL tree, so a snapshot is a reference copy and a write costs O(log n). Keys compare
/// ordinally, which matches the byte order of Consul's radix tree for all keys that contain no
/// characters outside the Basic Multilingual Plane.
/// </summary>
public sealed class KvTable
{
    public static readonly KvTable Empty = new([], [], 0);

    private static readonly IComparer<KvEntry> EntryByKey =
        Comparer<KvEntry>.Create(static (a, b) => string.CompareOrdinal(a.Key, b.Key));

    private static readonly IComparer<KvTombstone> TombstoneByKey =
        Comparer<KvTombstone>.Create(static (a, b) => string.CompareOrdinal(a.Key, b.Key));

    private readonly ImmutableList<KvEntry> _entries;
    private readonly ImmutableList<KvTombstone> _tombstones;

    private KvTable(ImmutableList<KvEntry> entries, ImmutableList<KvTombstone> tombstones, ulong index)
    {
        _entries = entries;
        _tombstones = tombstones;
        Index = index;
    }

    /// <summary>The last log index at which anything in the table changed, deletions included (Consul's kvs + tombstones index).</summary>
    public ulong Index { get; }

    public int Count => _entries.Count;

    public IReadOnlyList<KvEntry> Entries => _entries;

    public IReadOnlyList<KvTombstone> Tombstones => _tombstones;

    public KvEntry? Get(string key)
    {
        var at = FindEntry(key);
        return at >= 0 ? _entries[at] : null;
    }

    /// <summary>The entries whose key starts with <paramref name="prefix"/>, in key order.</summary>
    public IReadOnlyList<KvEntry> List(string prefix)
    {
        var (from, count) = PrefixRange(_entries, prefix, EntryByKey, static p => new KvEntry(p, null, 0, 0, 0, 0, null), static e => e.Key);
        return count == 0 ? [] : count == _entries.Count ? _entries : _entries.GetRange(from, count);
    }

    /// <summary>
    /// The index a prefix query reports: the highest ModifyIndex of the entries and tombstones
    /// under <paramref name="prefix"/>, or the table index when there are none or the prefix is empty.
    /// </summary>
    public ulong IndexOfPrefix(string prefix)
    {
        if (prefix.Length == 0)
        {
            return Index;
        }
        ulong max = 0;
        foreach (var entry in List(prefix))
        {
            max = Math.Max(max, entry.ModifyIndex);
        }
        var (from, count) = PrefixRange(_tombstones, prefix, TombstoneByKey, static p => new KvTombstone(p, 0), static t => t.Key);
        for (var i = from; i < from + count; i++)
        {
            max = Math.Max(max, _tombstones[i].Index);
        }
        return max != 0 ? max : Index;
    }

    internal KvTable Set(KvEntry entry, ulong index)
    {
        var at = FindEntry(entry.Key);
        var entries = at >= 0 ? _entries.SetItem(at, entry) : _entries.Insert(~at, entry);
        return new KvTable(entries, WithoutTombstone(entry.Key), index);
    }

    /// <summary>Deletes one key, leaving a tombstone; a missing key changes nothing.</summary>
    internal KvTable Delete(string key, ulong index)
    {
        var at = FindEntry(key);
        if (at < 0)
        {
            return this;
        }
        return new KvTable(_entries.RemoveAt(at), WithTombstone(new KvTombstone(key, index)), index);
    }

    /// <summary>Deletes every key under <paramref name="prefix"/>, leaving tombstones.</summary>
    internal KvTable DeleteTree(string prefix, ulong index)
    {
        var (from, count) = PrefixRange(_entries, prefix, EntryByKey, static p => new KvEntry(p, null, 0, 0, 0, 0, null), static e => e.Key);
        if (count == 0)
        {
            return this;
        }
        var tombstones = _tombstones;
        for (var i = from; i < from + count; i++)
        {
            tombstones = Upsert(tombstones, new KvTombstone(_entries[i].Key, index));
        }
        return new KvTable(_entries.RemoveRange(from, count), tombstones, index);
    }

    /// <summary>Drops tombstones stamped at or before <paramref name="upToIndex"/>.</summary>
    internal KvTable ReapTombstones(ulong upToIndex)
    {
        var kept = _tombstones.RemoveAll(t => t.Index <= upToIndex);
        return kept.Count == _tombstones.Count ? this : new KvTable(_entries, kept, Index);
    }

    internal static KvTable Restore(IEnumerable<KvEntry> entries, IEnumerable<KvTombstone> tombstones, ulong index) =>
        new([.. entries.OrderBy(e => e.Key, StringComparer.Ordinal)], [.. tombstones.OrderBy(t => t.Key, StringComparer.Ordinal)], index);

    private int FindEntry(string key) => _entries.BinarySearch(new KvEntry(key, null, 0, 0, 0, 0, null), EntryByKey);

    private ImmutableList<KvTombstone> WithoutTombstone(string key)
    {
        if (_tombstones.IsEmpty)
        {
            return _tombstones;
        }
        var at = _tombstones.BinarySearch(new KvTombstone(key, 0), TombstoneByKey);
        return at >= 0 ? _tombstones.RemoveAt(at) : _tombstones;
    }

    private ImmutableList<KvTombstone> WithTombstone(KvTombstone tombstone) => Upsert(_tombstones, tombstone);

    private static ImmutableList<KvTombstone> Upsert(ImmutableList<KvTombstone> tombstones, KvTombstone tombstone)
    {
        var at = tombstones.BinarySearch(tombstone, TombstoneByKey);
        return at >= 0 ? tombstones.SetItem(at, tombstone) : tombstones.Insert(~at, tombstone);
    }

    /// <summary>The position and length of the run of items whose key starts with <paramref name="prefix"/>.</summary>
    private static (int From, int Count) PrefixRange<T>(
        ImmutableList<T> items, string prefix, IComparer<T> comparer, Func<string, T> probe, Func<T, string> keyOf)
    {
        if (prefix.Length == 0)
        {
            return (0, items.Count);
        }
        var from = items.BinarySearch(probe(prefix), comparer);
        if (from < 0)
        {
            from = ~from;
        }
        // Every key with the prefix sorts at or after the prefix itself and before the first key
        // that lacks it, so the run ends at the first such key.
        var lo = from;
        var hi = items.Count;
        while (lo < hi)
        {
            var mid = lo + ((hi - lo) / 2);
            if (keyOf(items[mid]).StartsWith(prefix, StringComparison.Ordinal))
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }
        return (from, lo - from);
    }
}
