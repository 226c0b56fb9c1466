using System.Diagnostics;

namespace Praetor.Simulation.Linearizability;

/// <summary>The verdict on a history.</summary>
public enum CheckOutcome : byte
{
    /// <summary>Some order of the operations respects real time and the KV specification.</summary>
    Linearizable,

    /// <summary>No such order exists.</summary>
    NotLinearizable,

    /// <summary>The search ran out of time before deciding.</summary>
    Unknown,
}

/// <summary>The verdict, and for a history that is not linearizable the key whose operations are not.</summary>
public sealed record CheckResult(CheckOutcome Outcome, string? Key = null, IReadOnlyList<KvOperation>? Operations = null)
{
    /// <summary>The failing key's operations, one a line, sorted by call (empty when linearizable).</summary>
    public string Describe() =>
        Operations is null ? Outcome.ToString() : $"{Outcome} on key {Key}:\n  " + string.Join("\n  ", Operations.OrderBy(o => o.Call));
}

/// <summary>
/// A linearizability checker for KV histories: the Wing–Gong search with Lowe's and Porcupine's
/// improvements. A KV history is linearizable iff each key's sub-history is (P-compositionality),
/// so keys are checked one by one. Per key, the call and return events form a doubly linked list
/// in time order (calls before returns at equal times, so touching operations count as
/// concurrent); the search linearizes a call whose operation the specification accepts in the
/// current state by lifting it and its return out of the list, and backtracks when it meets a
/// return whose call is not linearized yet. Each (set of linearized operations, state) reached
/// is memoized, so an equivalent prefix is never explored twice. Operations that never returned
/// return at +infinity.
/// </summary>
public static class LinearizabilityChecker
{
    /// <summary>Checks <paramref name="history"/>; gives up with <see cref="CheckOutcome.Unknown"/> after <paramref name="timeout"/> (default: none).</summary>
    public static CheckResult Check(IReadOnlyList<KvOperation> history, TimeSpan? timeout = null)
    {
        var deadline = timeout is { } t ? Stopwatch.GetTimestamp() + (long)(t.TotalSeconds * Stopwatch.Frequency) : long.MaxValue;
        var unknown = false;
        foreach (var group in history.GroupBy(o => o.Key, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var operations = group.ToList();
            switch (CheckKey(operations, deadline))
            {
                case CheckOutcome.NotLinearizable:
                    return new CheckResult(CheckOutcome.NotLinearizable, group.Key, operations);
                case CheckOutcome.Unknown:
                    unknown = true;
                    break;
            }
        }
        return new CheckResult(unknown ? CheckOutcome.Unknown : CheckOutcome.Linearizable);
    }

    private sealed class Entry
    {
        public required int Id { get; init; }

        public required long Time { get; init; }

        /// <summary>Set on a call entry: its operation and its return entry.</summary>
        public KvOperation? Operation { get; init; }

        public Entry? Match { get; set; }

        public Entry? Previous { get; set; }

        public Entry? Next { get; set; }
    }

    private static CheckOutcome CheckKey(List<KvOperation> operations, long deadline)
    {
        var head = BuildList(operations);
        var linearized = new Bitset(operations.Count);
        var cache = new Dictionary<ulong, List<(Bitset Set, string? State)>>();
        var calls = new Stack<(Entry Call, string? State)>();
        string? state = null;
        var entry = head.Next;
        var steps = 0;
        while (head.Next is not null)
        {
            if ((++steps & 0x3FF) == 0 && Stopwatch.GetTimestamp() > deadline) return CheckOutcome.Unknown;
            if (entry!.Operation is { } operation)
            {
                if (operation.Step(state, out var next))
                {
                    var candidate = linearized.With(entry.Id);
                    if (Remember(cache, candidate, next))
                    {
                        calls.Push((entry, state));
                        state = next;
                        linearized = candidate;
                        Lift(entry);
                        entry = head.Next;
                        continue;
                    }
                }
                entry = entry.Next;
            }
            else
            {
                // A return whose call is not linearized: undo the last linearization and try the next call after it.
                if (calls.Count == 0) return CheckOutcome.NotLinearizable;
                var (call, previous) = calls.Pop();
                state = previous;
                linearized = linearized.Without(call.Id);
                Unlift(call);
                entry = call.Next;
            }
        }
        return CheckOutcome.Linearizable;
    }

    /// <summary>The sentinel head of the list of call and return events sorted by time, calls first at equal times.</summary>
    private static Entry BuildList(List<KvOperation> operations)
    {
        var events = new List<Entry>(operations.Count * 2);
        for (var i = 0; i < operations.Count; i++)
        {
            var call = new Entry { Id = i, Time = operations[i].Call, Operation = operations[i] };
            var @return = new Entry { Id = i, Time = operations[i].Return };
            call.Match = @return;
            events.Add(call);
            events.Add(@return);
        }
        events.Sort((a, b) => a.Time != b.Time ? a.Time.CompareTo(b.Time) : (a.Operation is null).CompareTo(b.Operation is null));
        var head = new Entry { Id = -1, Time = long.MinValue };
        var last = head;
        foreach (var e in events)
        {
            last.Next = e;
            e.Previous = last;
            last = e;
        }
        return head;
    }

    private static bool Remember(Dictionary<ulong, List<(Bitset Set, string? State)>> cache, Bitset set, string? state)
    {
        var hash = set.Hash() ^ (ulong)StringComparer.Ordinal.GetHashCode(state ?? "\0nil");
        if (!cache.TryGetValue(hash, out var bucket)) cache[hash] = bucket = [];
        foreach (var (seen, seenState) in bucket)
        {
            if (seenState == state && seen.SameAs(set)) return false;
        }
        bucket.Add((set, state));
        return true;
    }

    /// <summary>Takes a call and its return out of the list.</summary>
    private static void Lift(Entry call)
    {
        call.Previous!.Next = call.Next;
        call.Next!.Previous = call.Previous;
        var match = call.Match!;
        match.Previous!.Next = match.Next;
        if (match.Next is not null) match.Next.Previous = match.Previous;
    }

    /// <summary>Puts a lifted call and its return back where they were.</summary>
    private static void Unlift(Entry call)
    {
        var match = call.Match!;
        match.Previous!.Next = match;
        if (match.Next is not null) match.Next.Previous = match;
        call.Previous!.Next = call;
        call.Next!.Previous = call;
    }

    /// <summary>An immutable set of operation ids (each change copies: the cache keeps the old ones).</summary>
    private sealed class Bitset
    {
        private readonly ulong[] _words;

        public Bitset(int size) => _words = new ulong[(size + 63) / 64];

        private Bitset(ulong[] words) => _words = words;

        public Bitset With(int id)
        {
            var words = (ulong[])_words.Clone();
            words[id / 64] |= 1UL << (id % 64);
            return new Bitset(words);
        }

        public Bitset Without(int id)
        {
            var words = (ulong[])_words.Clone();
            words[id / 64] &= ~(1UL << (id % 64));
            return new Bitset(words);
        }

        public ulong Hash()
        {
            var hash = 14695981039346656037UL;
            foreach (var word in _words) hash = (hash ^ word) * 1099511628211UL;
            return hash;
        }

        public bool SameAs(Bitset other) => _words.AsSpan().SequenceEqual(other._words);
    }
}
