using System.Text;
using Praetor.Raft.Core;

namespace Praetor.Raft.Tests;

/// <summary>
/// An in-test deterministic network of <see cref="RaftNode"/>s: each server's host follows the
/// Ready contract against its storage (a <see cref="MemoryRaftStorage"/> unless the test passes
/// factories, e.g. for <c>FileRaftStorage</c>) and a state machine that records the
/// commands it applies; messages travel through one queue, delivered in order unless a link is
/// cut, a filter drops them, or they are held for a test to deliver one by one. Time is ticks.
/// </summary>
internal sealed class RaftCluster
{
    private readonly SortedDictionary<ulong, Server> _servers = [];
    private readonly List<RaftMessage> _inFlight = [];
    private readonly HashSet<(ulong From, ulong To)> _cut = [];
    private readonly Func<RaftOptions, RaftOptions> _configure;
    private readonly int _seed;
    private readonly Func<ulong, IWritableRaftStorage, IWritableRaftStorage>? _reopen;

    /// <summary>
    /// A cluster of voters 1..<paramref name="size"/>; each server's Random is seeded from
    /// <paramref name="seed"/> and its id. <paramref name="bootstrap"/> makes a first server's
    /// storage (default <see cref="MemoryRaftStorage.Bootstrap"/>); <paramref name="reopen"/> gives
    /// a restarted server its storage back (default: the same object, all of it durable).
    /// </summary>
    public RaftCluster(
        int size,
        int seed = 1,
        Func<RaftOptions, RaftOptions>? configure = null,
        Func<ulong, Configuration, IWritableRaftStorage>? bootstrap = null,
        Func<ulong, IWritableRaftStorage, IWritableRaftStorage>? reopen = null)
    {
        _seed = seed;
        _configure = configure ?? (o => o);
        _reopen = reopen;
        var voters = Enumerable.Range(1, size).Select(i => (ulong)i).ToArray();
        foreach (var id in voters) AddServer(id, bootstrap?.Invoke(id, Configuration.Of(voters)) ?? MemoryRaftStorage.Bootstrap(Configuration.Of(voters)));
    }

    /// <summary>When set, messages are queued but not delivered until <see cref="Deliver"/> lets them through.</summary>
    public bool Hold { get; set; }

    /// <summary>Drops any message it returns true for (in addition to cut links).</summary>
    public Func<RaftMessage, bool>? Drop { get; set; }

    /// <summary>When set, each delivery round is shuffled (reordering) and a message is duplicated with probability <see cref="DuplicateRate"/>.</summary>
    public Random? Chaos { get; set; }

    /// <summary>With <see cref="Chaos"/>: the chance a message is delivered twice.</summary>
    public double DuplicateRate { get; set; }

    /// <summary>With <see cref="Chaos"/>: the chance a message is held back for 1 to <see cref="DelayTicksMax"/> ticks.</summary>
    public double DelayRate { get; set; }

    /// <summary>The longest delay, in ticks.</summary>
    public int DelayTicksMax { get; set; } = 5;

    private readonly List<(long Due, RaftMessage Message)> _delayed = [];
    private long _ticks;

    /// <summary>Every message the servers handed out, in order (delivered or not).</summary>
    public List<RaftMessage> Sent { get; } = [];

    /// <summary>Messages queued and not yet delivered (with <see cref="Hold"/>).</summary>
    public IReadOnlyList<RaftMessage> InFlight => _inFlight;

    public RaftNode this[ulong id] => _servers[id].Node;

    public Server ServerOf(ulong id) => _servers[id];

    public IEnumerable<ulong> Ids => _servers.Keys;

    /// <summary>Starts a server on <paramref name="storage"/> (<see cref="MemoryRaftStorage.Empty"/>: a server for the leader to add).</summary>
    public Server AddServer(ulong id, IWritableRaftStorage storage)
    {
        var options = _configure(new RaftOptions { Id = id });
        var server = new Server(new RaftNode(options, storage, new Random((_seed * 1000) + (int)id)), storage);
        _servers[id] = server;
        return server;
    }

    /// <summary>
    /// Crashes <paramref name="id"/> and starts it again on its storage (all of it durable here):
    /// messages to and from the old instance are lost, the state machine restarts from the snapshot.
    /// </summary>
    public void Restart(ulong id)
    {
        _inFlight.RemoveAll(m => m.To == id || m.From == id);
        _delayed.RemoveAll(d => d.Message.To == id || d.Message.From == id);
        var storage = _reopen is null ? _servers[id].Storage : _reopen(id, _servers[id].Storage);
        var server = AddServer(id, storage);
        if (storage.Snapshot() is { } snapshot) server.Restore(snapshot);
    }

    /// <summary>The live leader of the highest term, or 0.</summary>
    public ulong Leader =>
        _servers.Values.Where(s => s.Node.Role == RaftRole.Leader).OrderByDescending(s => s.Node.Term).Select(s => s.Node.Id).FirstOrDefault();

    /// <summary>Cuts both directions between each of <paramref name="ids"/> and every other server.</summary>
    public void Isolate(params ulong[] ids)
    {
        foreach (var a in ids)
        {
            foreach (var b in _servers.Keys)
            {
                if (ids.Contains(b)) continue;
                _cut.Add((a, b));
                _cut.Add((b, a));
            }
        }
    }

    /// <summary>Cuts one direction.</summary>
    public void Cut(ulong from, ulong to) => _cut.Add((from, to));

    public void Heal() => _cut.Clear();

    /// <summary>Ticks every server <paramref name="ticks"/> times, settling the network after each.</summary>
    public void Tick(int ticks = 1)
    {
        for (var t = 0; t < ticks; t++)
        {
            _ticks++;
            _inFlight.AddRange(_delayed.Where(d => d.Due <= _ticks).Select(d => d.Message));
            _delayed.RemoveAll(d => d.Due <= _ticks);
            foreach (var server in _servers.Values) server.Node.Tick();
            Settle();
        }
    }

    /// <summary>Ticks until <paramref name="condition"/> holds; fails after <paramref name="ticksMax"/>.</summary>
    public int TickUntil(Func<bool> condition, int ticksMax = 200)
    {
        for (var t = 0; t <= ticksMax; t++)
        {
            if (condition()) return t;
            Tick();
        }
        throw new InvalidOperationException($"condition not met within {ticksMax} ticks (seed {_seed})");
    }

    /// <summary>Ticks until a leader is elected and has committed its no-op; returns it.</summary>
    public ulong ElectLeader()
    {
        TickUntil(() => Leader != 0 && this[Leader].CommitIndex >= this[Leader].LastIndex);
        return Leader;
    }

    /// <summary>Proposes a command on <paramref name="id"/>, then settles the network.</summary>
    public ulong Propose(ulong id, string command)
    {
        Assert.True(this[id].TryPropose(Encoding.UTF8.GetBytes(command), out var index), $"server {id} refused the proposal");
        Settle();
        return index;
    }

    /// <summary>Processes every server's Ready and delivers messages until nothing moves.</summary>
    public void Settle()
    {
        for (var round = 0; round < 10_000; round++)
        {
            var moved = false;
            foreach (var server in _servers.Values)
            {
                while (server.Node.HasReady)
                {
                    HandleReady(server);
                    moved = true;
                }
            }
            if (!Hold && _inFlight.Count > 0)
            {
                var batch = _inFlight.ToList();
                _inFlight.Clear();
                if (Chaos is { } chaos)
                {
                    chaos.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(batch));
                    foreach (var message in batch.ToList())
                    {
                        if (chaos.NextDouble() < DuplicateRate) batch.Add(message);
                        if (chaos.NextDouble() < DelayRate)
                        {
                            batch.Remove(message);
                            _delayed.Add((_ticks + chaos.Next(1, DelayTicksMax + 1), message));
                        }
                    }
                }
                foreach (var message in batch) DeliverOne(message);
                moved = true;
            }
            if (!moved) return;
        }
        throw new InvalidOperationException($"the network did not settle (seed {_seed})");
    }

    /// <summary>With <see cref="Hold"/>: delivers the held messages that <paramref name="which"/> selects (and what they cause, also held), keeping the rest.</summary>
    public int Deliver(Func<RaftMessage, bool> which)
    {
        var selected = _inFlight.Where(which).ToList();
        foreach (var message in selected) _inFlight.Remove(message);
        foreach (var message in selected) DeliverOne(message);
        Settle();
        return selected.Count;
    }

    private void DeliverOne(RaftMessage message)
    {
        if (_cut.Contains((message.From, message.To)) || (Drop?.Invoke(message) ?? false)) return;
        if (_servers.TryGetValue(message.To, out var to)) to.Node.Step(message);
    }

    private void HandleReady(Server server)
    {
        var ready = server.Node.Ready();
        if (ready.Snapshot is { } snapshot)
        {
            server.Storage.ApplySnapshot(snapshot);
            server.Restore(snapshot);
        }
        if (ready.HardState is { } hardState) server.Storage.SetHardState(hardState);
        server.Storage.Append(ready.Entries);
        Sent.AddRange(ready.Messages);
        _inFlight.AddRange(ready.Messages);
        foreach (var entry in ready.CommittedEntries) server.Apply(entry);
        server.ReadStates.AddRange(ready.ReadStates);
        server.Node.Advance(ready);
    }

    /// <summary>One server: its node, its storage, and the state machine (the applied commands).</summary>
    internal sealed class Server(RaftNode node, IWritableRaftStorage storage)
    {
        public RaftNode Node { get; } = node;

        public IWritableRaftStorage Storage { get; } = storage;

        /// <summary>Every command applied, in order (the state machine's state).</summary>
        public List<string> Applied { get; } = [];

        /// <summary>The index of the last entry applied.</summary>
        public ulong AppliedIndex { get; private set; }

        public List<ReadState> ReadStates { get; } = [];

        public void Apply(LogEntry entry)
        {
            Assert.Equal(AppliedIndex + 1, entry.Index);
            AppliedIndex = entry.Index;
            if (entry.Type == LogEntryType.Command) Applied.Add(Encoding.UTF8.GetString(entry.Command));
        }

        public void Restore(RaftSnapshot snapshot)
        {
            Applied.Clear();
            var text = Encoding.UTF8.GetString(snapshot.Data);
            if (text.Length > 0) Applied.AddRange(text.Split('\n'));
            AppliedIndex = snapshot.Metadata.Index;
        }

        /// <summary>Takes a snapshot of the applied state and compacts storage up to it, keeping <paramref name="trailingLogs"/> entries through it.</summary>
        public void TakeSnapshot(ulong trailingLogs = 0)
        {
            var index = AppliedIndex;
            Storage.CreateSnapshot(index, Node.ConfigurationAt(index), Encoding.UTF8.GetBytes(string.Join('\n', Applied)), trailingLogs);
            Node.SnapshotTaken(index);
        }
    }
}
