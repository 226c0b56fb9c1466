using System.Collections.Concurrent;
using System.Text;
using Praetor.Raft.Core;

namespace Praetor.Raft.Tests;

/// <summary>Delivers each message straight to its addressee's log, unless either end is isolated or gone.</summary>
internal sealed class InMemoryTransport : IRaftTransport
{
    public ConcurrentDictionary<ulong, RaftLog> Servers { get; } = new();

    public ConcurrentDictionary<ulong, bool> Isolated { get; } = new();

    public void Send(RaftMessage message)
    {
        if (Isolated.ContainsKey(message.From) || Isolated.ContainsKey(message.To)) return;
        if (Servers.TryGetValue(message.To, out var to)) to.Deliver(message);
    }
}

/// <summary>Records the commands applied to it; its response is "index:payload"; its snapshot is its list, one "index payload" line each.</summary>
internal sealed class ListStateMachine : IStateMachine
{
    private readonly Lock _lock = new();
    private readonly List<(ulong Index, string Payload)> _applied = [];
    private int _restores;
    private int _snapshotWritersWaiting;

    public IReadOnlyList<(ulong Index, string Payload)> Applied
    {
        get
        {
            lock (_lock) return [.. _applied];
        }
    }

    public IReadOnlyList<string> Payloads => [.. Applied.Select(a => a.Payload)];

    /// <summary>How many times the state was replaced from a snapshot.</summary>
    public int Restores => Volatile.Read(ref _restores);

    public object? Apply(ulong index, ReadOnlyMemory<byte> command)
    {
        var payload = Encoding.UTF8.GetString(command.Span);
        lock (_lock) _applied.Add((index, payload));
        return $"{index}:{payload}";
    }

    /// <summary>When set, a snapshot's writer blocks until it is set (a slow snapshot write); the count of writers waiting there.</summary>
    public ManualResetEventSlim? SnapshotGate { get; set; }

    /// <summary>How many snapshot writers are blocked on <see cref="SnapshotGate"/>.</summary>
    public int SnapshotWritersWaiting => Volatile.Read(ref _snapshotWritersWaiting);

    public Action<Stream> CaptureSnapshot()
    {
        var captured = Applied;
        var gate = SnapshotGate;
        return destination =>
        {
            if (gate is not null)
            {
                Interlocked.Increment(ref _snapshotWritersWaiting);
                gate.Wait();
                Interlocked.Decrement(ref _snapshotWritersWaiting);
            }
            using var writer = new StreamWriter(destination, new UTF8Encoding(false), leaveOpen: true);
            foreach (var (index, payload) in captured) writer.Write($"{index} {payload}\n");
        };
    }

    public void Restore(Stream source)
    {
        using var reader = new StreamReader(source, Encoding.UTF8);
        var restored = new List<(ulong, string)>();
        while (reader.ReadLine() is { } line)
        {
            var space = line.IndexOf(' ', StringComparison.Ordinal);
            restored.Add((ulong.Parse(line[..space], System.Globalization.CultureInfo.InvariantCulture), line[(space + 1)..]));
        }
        lock (_lock)
        {
            _applied.Clear();
            _applied.AddRange(restored);
        }
        Interlocked.Increment(ref _restores);
    }
}

/// <summary>Waits on conditions with a deadline.</summary>
internal static class Eventually
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(15);

    public static async Task True(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Deadline;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"timed out waiting for {what}");
            await Task.Delay(5);
        }
    }

    /// <summary>Waits for one leader among <paramref name="ids"/> that the others follow, and returns its id.</summary>
    public static async Task<ulong> LeaderAmong(IReadOnlyDictionary<ulong, RaftLog> logs, Func<ulong, string> address, params ulong[] ids)
    {
        ulong leader = 0;
        await True(() =>
        {
            var leaders = ids.Where(id => logs[id].Leader.IsLeader).ToArray();
            if (leaders.Length != 1) return false;
            leader = leaders[0];
            return ids.All(id => logs[id].Leader.LeaderAddress == address(leader));
        }, "a leader that every server follows");
        return leader;
    }
}
