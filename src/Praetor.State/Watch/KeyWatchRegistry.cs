namespace Praetor.State.Watch;

/// <summary>
/// The watches on one keyed table: exact keys and key prefixes. A change to a key fires the
/// watches on that key and on every prefix of it; a change to a whole subtree fires everything
/// at or under its prefix and every prefix above it. Thread-safe; notification runs on the
/// applying thread and never blocks (continuations run asynchronously).
/// </summary>
public sealed class KeyWatchRegistry
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, HashSet<WatchSet>> _keys = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<WatchSet>> _prefixes = new(StringComparer.Ordinal);

    /// <summary>Number of registered watches, for metrics and tests.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return Sum(_keys) + Sum(_prefixes);
            }
        }
    }

    public void WatchKey(WatchSet set, string key) => Add(set, key, isPrefix: false);

    public void WatchPrefix(WatchSet set, string prefix) => Add(set, prefix, isPrefix: true);

    /// <summary>Fires the watches affected by a change to <paramref name="key"/>.</summary>
    public void KeyChanged(string key)
    {
        lock (_lock)
        {
            if (_keys.TryGetValue(key, out var exact))
            {
                FireAll(exact);
            }
            FirePrefixesOf(key);
        }
    }

    /// <summary>Fires the watches affected by a change to every key under <paramref name="prefix"/>.</summary>
    public void TreeChanged(string prefix)
    {
        lock (_lock)
        {
            FirePrefixesOf(prefix);
            foreach (var (key, sets) in _keys)
            {
                if (key.StartsWith(prefix, StringComparison.Ordinal))
                {
                    FireAll(sets);
                }
            }
            foreach (var (watched, sets) in _prefixes)
            {
                if (watched.StartsWith(prefix, StringComparison.Ordinal))
                {
                    FireAll(sets);
                }
            }
        }
    }

    /// <summary>Fires every watch (the whole table was replaced, as by a snapshot restore).</summary>
    public void AllChanged() => TreeChanged("");

    internal void Remove(WatchSet set, string key, bool isPrefix)
    {
        lock (_lock)
        {
            var map = isPrefix ? _prefixes : _keys;
            if (map.TryGetValue(key, out var sets) && sets.Remove(set) && sets.Count == 0)
            {
                map.Remove(key);
            }
        }
    }

    private void Add(WatchSet set, string key, bool isPrefix)
    {
        lock (_lock)
        {
            var map = isPrefix ? _prefixes : _keys;
            if (!map.TryGetValue(key, out var sets))
            {
                sets = [];
                map[key] = sets;
            }
            sets.Add(set);
        }
        set.Track(this, key, isPrefix);
    }

    private void FirePrefixesOf(string key)
    {
        if (_prefixes.Count == 0)
        {
            return;
        }
        // Look up each prefix of the key without allocating a substring per length.
        var lookup = _prefixes.GetAlternateLookup<ReadOnlySpan<char>>();
        for (var length = 0; length <= key.Length; length++)
        {
            if (lookup.TryGetValue(key.AsSpan(0, length), out var sets))
            {
                FireAll(sets);
            }
        }
    }

    private static void FireAll(HashSet<WatchSet> sets)
    {
        foreach (var set in sets)
        {
            set.Fire();
        }
    }

    private static int Sum(Dictionary<string, HashSet<WatchSet>> map)
    {
        var total = 0;
        foreach (var sets in map.Values)
        {
            total += sets.Count;
        }
        return total;
    }
}
