using System.Text;
using Praetor.Raft;
using Praetor.Raft.Core;
using Praetor.Simulation.Linearizability;

namespace Praetor.Simulation.RaftKv;

/// <summary>What one simulated run does; everything random is drawn from <see cref="Seed"/>.</summary>
public sealed record KvSimulationOptions
{
    /// <summary>The seed of the run: the same seed replays the same run, event for event.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>3 or 5 servers.</summary>
    public int Servers { get; init; } = 3;

    /// <summary>Planted bugs in every server's core (none by default).</summary>
    public RaftFaults Faults { get; init; } = RaftFaults.None;

    /// <summary>
    /// Clock jumps beyond the lease's drift bound: a server's ticks run at half or 1.5 times
    /// the normal rate for a while. Lease reads are then not guaranteed, so such runs use
    /// read-index reads only (<c>?consistent</c>), whose safety does not depend on clocks.
    /// </summary>
    public bool ClockJumpsBeyondBound { get; init; }
}

/// <summary>The outcome of a run: the first violation found (null: none), the history and the tail of the trace.</summary>
public sealed record KvSimulationResult(int Seed, string? Violation, int Operations, IReadOnlyList<string> Trace)
{
    /// <summary>The seed, the violation and the last trace lines, for a test failure message.</summary>
    public string Describe() =>
        $"seed {Seed}: {Violation}\nreplay: PRAETOR_RAFT_SIM_SEED={Seed} dotnet test tests/Praetor.Simulation --filter Histories_are_linearizable\nlast events:\n  " + string.Join("\n  ", Trace);
}

/// <summary>
/// A deterministic simulation of a Raft-replicated KV store (issue 6): 3 or 5 servers, each a
/// <see cref="RaftNode"/> with a host that follows the Ready contract and a tiny KV state machine
/// (put, cas, de-duplicated by client and sequence number); clients that send get (lease or
/// read-index), put and cas to the server they believe leads, with timeouts and retries; and a
/// seeded scheduler on a virtual clock that loses, delays (so reorders), duplicates messages,
/// partitions servers, crashes and restarts them (losing what they had not fsynced) and makes their
/// clocks run fast or slow. The clients' history is checked for linearizability, and after every
/// step the run checks election safety (one leader per term) and state machine safety (one entry
/// per applied index); a core that throws on a broken invariant is a violation too.
/// </summary>
/// <remarks>
/// Time: 100 units make a tick at a normal clock rate (ElectionTicks 10, so an election timeout is
/// 1,000–2,000 units). Messages take 1–30 units, some 50–1,000 more; partitions cut servers (not
/// clients) apart for 1,000–5,000 units; faults stop at 30,000 and the run ends at 40,000. A clock jump within the
/// lease's bound changes a server's tick period to 98–102 units (±2%; the lease allows one tick of
/// drift in ten, and its tick-granular timing uses up most of that: see docs/architecture.md);
/// beyond it, to 50–150 units.
/// A host persists a Ready's snapshot, hard state and entries and fsyncs them before sending its
/// messages, so a crash loses nothing it acknowledged. With <see cref="RaftFaults.AcknowledgeBeforeFsync"/>
/// the host sends first and fsyncs 1–300 units later; a crash in between loses those writes.
/// </remarks>
public sealed class KvSimulation
{
    private const long TickUnits = 100;
    private const long ChaosEnd = 30_000;
    private const long OpsEnd = 38_000;
    private const long End = 40_000;
    private const long RequestTimeout = 400;
    private const long GiveUpAfter = 2_500;
    private const int Clients = 4;
    private const int ThinkTimeMax = 200;
    private const int TraceLines = 40;
    private static readonly string[] Keys = ["x", "y", "z"];

    private readonly KvSimulationOptions _options;
    private readonly Random _random;
    private readonly PriorityQueue<Action, (long Time, long Seq)> _events = new();
    private readonly Server[] _servers;
    private readonly Client[] _clients;
    private readonly HashSet<(ulong From, ulong To)> _cut = [];
    private readonly Dictionary<ulong, ulong> _leaders = [];
    private readonly Dictionary<ulong, string> _appliedAt = [];
    private readonly List<KvOperation> _history = [];
    private readonly Queue<string> _trace = new();
    private long _seq;
    private long _now;
    private double _lossRate;
    private int _partition;
    private string? _violation;

    private KvSimulation(KvSimulationOptions options)
    {
        _options = options;
        _random = new Random(options.Seed);
        var voters = Enumerable.Range(1, options.Servers).Select(i => (ulong)i).ToArray();
        _servers = [.. voters.Select(id => new Server(this, id, Configuration.Of(voters)))];
        _clients = [.. Enumerable.Range(0, Clients).Select(i => new Client(this, i))];
    }

    /// <summary>Runs one seed to the end (or its first violation) and checks its history.</summary>
    public static KvSimulationResult Run(KvSimulationOptions options)
    {
        var simulation = new KvSimulation(options);
        return simulation.RunToEnd();
    }

    private KvSimulationResult RunToEnd()
    {
        foreach (var server in _servers) server.Start();
        foreach (var client in _clients) At(_random.Next(500), client.StartNext);
        At(0, Chaos);
        At(ChaosEnd, Quiet);
        while (_violation is null && _events.TryDequeue(out var action, out var when) && when.Time <= End)
        {
            _now = when.Time;
            try
            {
                action();
            }
            catch (InvalidOperationException e)
            {
                Violate($"a core stopped on a broken invariant: {e.Message}");
            }
        }
        if (_violation is null)
        {
            foreach (var client in _clients) client.Abandon();
            var result = LinearizabilityChecker.Check(_history, TimeSpan.FromSeconds(20));
            if (result.Outcome == CheckOutcome.NotLinearizable) _violation = "history not linearizable: " + result.Describe();
            else if (result.Outcome == CheckOutcome.Unknown) _violation = "the linearizability check timed out";
        }
        return new KvSimulationResult(_options.Seed, _violation, _history.Count, [.. _trace]);
    }

    private void At(long time, Action action) => _events.Enqueue(action, (time, _seq++));

    private void Trace(string line)
    {
        _trace.Enqueue($"{_now,6} {line}");
        if (_trace.Count > TraceLines) _trace.Dequeue();
    }

    private void Violate(string violation)
    {
        _violation ??= $"{violation} (at {_now}, {_options.Servers} servers)";
    }

    /// <summary>One fault step every 200–800 units until the quiet phase.</summary>
    private void Chaos()
    {
        if (_now >= ChaosEnd) return;
        var server = _servers[_random.Next(_servers.Length)];
        switch (_random.Next(10))
        {
            case 0:
                Partition([server.Id]);
                break;
            case 1:
                Partition([.. _servers.OrderBy(_ => _random.Next()).Take((_servers.Length - 1) / 2).Select(s => s.Id)]);
                break;
            case 2 when _servers.FirstOrDefault(s => s.Up && s.Node!.Role == RaftRole.Leader) is { } leader:
                Partition([leader.Id]);
                break;
            case 3:
                _lossRate = _random.Next(3) == 0 ? 0 : _random.NextDouble() * 0.4;
                Trace($"loss rate {_lossRate:F2}");
                break;
            case 4 when server.Up:
                server.Crash();
                At(_now + 100 + _random.Next(1_500), server.Start);
                break;
            case 5:
                // A power failure: every server goes down at once and comes back.
                foreach (var s in _servers.Where(s => s.Up))
                {
                    s.Crash();
                    At(_now + 50 + _random.Next(500), s.Start);
                }
                break;
            case 6:
                var period = _options.ClockJumpsBeyondBound ? 50 + _random.Next(101) : 98 + _random.Next(5);
                server.TickPeriod = period;
                Trace($"clock: {server.Id} ticks every {period} units");
                At(_now + 500 + _random.Next(3_000), () => server.TickPeriod = TickUnits);
                break;
            case 7 when _servers.FirstOrDefault(s => s.Up && s.Node!.Role == RaftRole.Leader) is { } transferring:
                var target = _servers[_random.Next(_servers.Length)].Id;
                if (transferring.Node!.TryTransferLeadership(target, out _)) Trace($"leadership transfer {transferring.Id} -> {target}");
                transferring.HandleReadies();
                break;
        }
        At(_now + 200 + _random.Next(600), Chaos);
    }

    /// <summary>The end of the faults: links healed, no loss, normal clocks, every server up.</summary>
    private void Quiet()
    {
        Trace("quiet: faults end");
        _partition++;
        _cut.Clear();
        _lossRate = 0;
        foreach (var server in _servers)
        {
            server.TickPeriod = TickUnits;
            if (!server.Up) server.Start();
        }
    }

    /// <summary>Cuts <paramref name="minority"/> off from the other servers (clients still reach everyone) for 1,000–5,000 units, replacing any earlier partition.</summary>
    private void Partition(ulong[] minority)
    {
        _cut.Clear();
        foreach (var inside in minority)
        {
            foreach (var outside in _servers.Where(s => !minority.Contains(s.Id)))
            {
                _cut.Add((inside, outside.Id));
                _cut.Add((outside.Id, inside));
            }
        }
        var partition = ++_partition;
        Trace($"partition: [{string.Join(",", minority)}] cut off");
        At(_now + 1_000 + _random.Next(4_000), () =>
        {
            if (partition != _partition) return;
            _cut.Clear();
            Trace("partition healed");
        });
    }

    /// <summary>Sends over the network: lost at the current rate, delayed 1–30 units (sometimes 50–1,000 more), sometimes duplicated.</summary>
    private void Send(Action deliver)
    {
        var copies = _random.Next(20) == 0 ? 2 : 1;
        for (var i = 0; i < copies; i++)
        {
            if (_random.NextDouble() < _lossRate) continue;
            var delay = 1 + _random.Next(30);
            if (_random.Next(20) == 0) delay += 50 + _random.Next(950);
            At(_now + delay, deliver);
        }
    }

    private void SendRaft(RaftMessage message)
    {
        if (_cut.Contains((message.From, message.To))) return;
        Send(() =>
        {
            if (_cut.Contains((message.From, message.To))) return;
            _servers[message.To - 1].Receive(message);
        });
    }

    /// <summary>A client's request; <see cref="Seq"/> numbers the client's operations (a retry reuses it).</summary>
    private sealed record Request(int Client, long Seq, KvOperationKind Kind, bool Consistent, string Key, string? Value, string? Expected)
    {
        public byte[] Encode() => Encoding.UTF8.GetBytes($"{Client} {Seq} {(int)Kind} {Key} {Value ?? "-"} {Expected ?? "-"}");

        public static Request Decode(byte[] command)
        {
            var f = Encoding.UTF8.GetString(command).Split(' ');
            return new Request(int.Parse(f[0]), long.Parse(f[1]), (KvOperationKind)int.Parse(f[2]), false, f[3], f[4] == "-" ? null : f[4], f[5] == "-" ? null : f[5]);
        }
    }

    /// <summary>A server's answer: not the leader (with its hint), or the read value / whether a cas swapped.</summary>
    private sealed record Reply(int Client, long Seq, bool NotLeader, ulong LeaderHint, string? Read, bool Swapped);

    /// <summary>One server: its node and host, its "disk", and its KV state machine.</summary>
    private sealed class Server(KvSimulation sim, ulong id, Configuration bootstrap)
    {
        private MemoryRaftStorage _disk = MemoryRaftStorage.Bootstrap(bootstrap);
        private MemoryRaftStorage? _storage;
        private readonly List<Action<MemoryRaftStorage>> _unsynced = [];
        private readonly Dictionary<string, string> _kv = [];
        private readonly Dictionary<int, (long Seq, Reply Reply)> _lastApplied = [];
        private readonly HashSet<(int Client, long Seq)> _awaitingApply = [];
        private readonly List<(ulong Index, Request Request)> _awaitingReads = [];
        private readonly Dictionary<ulong, Request> _readIndexRequests = [];
        private ulong _applied;
        private ulong _nextReadId;
        private int _incarnation;
        private bool _stepFromStaleLeader;

        public ulong Id => id;

        public RaftNode? Node { get; private set; }

        public bool Up => Node is not null;

        public long TickPeriod { get; set; } = TickUnits;

        /// <summary>Starts from what the disk holds: the KV state machine is empty and the core hands the committed entries out again.</summary>
        public void Start()
        {
            if (Up) return;
            _storage = Copy(_disk);
            var faults = sim._options.Faults;
            Node = new RaftNode(new RaftOptions { Id = id, InflightAppendsMax = 8, AppendEntriesBatchEntriesMax = 4, Faults = faults }, _storage, new Random(sim._random.Next()));
            _kv.Clear();
            _lastApplied.Clear();
            _applied = _disk.SnapshotIndex;
            var incarnation = ++_incarnation;
            sim.Trace($"server {id} starts (term {Node.Term}, log to {_disk.LastIndex})");
            sim.At(sim._now + 1 + sim._random.Next((int)TickUnits), () => TickLoop(incarnation));
        }

        /// <summary>Crashes: memory, unsynced writes and in-flight requests are lost.</summary>
        public void Crash()
        {
            sim.Trace($"server {id} crashes{(_unsynced.Count > 0 ? $", losing {_unsynced.Count} unsynced writes" : "")}");
            Node = null;
            _storage = null;
            _unsynced.Clear();
            _awaitingApply.Clear();
            _awaitingReads.Clear();
            _readIndexRequests.Clear();
            _incarnation++;
        }

        private static MemoryRaftStorage Copy(MemoryRaftStorage source)
        {
            var copy = new MemoryRaftStorage(source.InitialState().Configuration);
            if (source.Snapshot() is { Metadata.Index: > 0 } snapshot) copy.ApplySnapshot(snapshot);
            if (source.LastIndex > source.SnapshotIndex) copy.Append(source.Entries(source.SnapshotIndex + 1, source.LastIndex + 1, long.MaxValue));
            copy.SetHardState(source.HardState);
            return copy;
        }

        private void TickLoop(int incarnation)
        {
            if (incarnation != _incarnation) return;
            Node!.Tick();
            HandleReadies();
            sim.At(sim._now + TickPeriod, () => TickLoop(incarnation));
        }

        public void Receive(RaftMessage message)
        {
            if (!Up) return;
            // §5.1: a server ignores a leader of an older term, so such a message appends nothing.
            _stepFromStaleLeader = message is AppendEntries && message.Term < Node!.Term;
            Node!.Step(message);
            HandleReadies();
            _stepFromStaleLeader = false;
        }

        public void HandleReadies()
        {
            while (Up && sim._violation is null && Node!.HasReady) HandleReady(Node.Ready());
        }

        private void HandleReady(Ready ready)
        {
            var node = Node!;
            if (ready.Snapshot is not null) throw new InvalidOperationException("the simulation takes no snapshots, so none is sent");
            if (_stepFromStaleLeader && ready.Entries.Count > 0) sim.Violate($"server {id} in term {node.Term} appended entries {ready.Entries[0].Index}..{ready.Entries[^1].Index} sent by a leader of an older term");
            var writes = new List<Action<MemoryRaftStorage>>();
            if (ready.HardState is { } hardState) writes.Add(s => s.SetHardState(hardState));
            if (ready.Entries.Count > 0) writes.Add(s => s.Append(ready.Entries));
            foreach (var write in writes) write(_storage!);
            if (sim._options.Faults.AcknowledgeBeforeFsync)
            {
                // The planted bug's host: the writes sit in the page cache until a later fsync.
                if (writes.Count > 0 && _unsynced.Count == 0)
                {
                    var incarnation = _incarnation;
                    sim.At(sim._now + 1 + sim._random.Next(300), () => Fsync(incarnation));
                }
                _unsynced.AddRange(writes);
            }
            else
            {
                foreach (var write in writes) write(_disk);
            }
            foreach (var message in ready.Messages) sim.SendRaft(message);
            if (ready.SoftState is { Role: RaftRole.Leader } soft)
            {
                if (sim._leaders.TryGetValue(node.Term, out var other) && other != id) sim.Violate($"two leaders in term {node.Term}: {other} and {id}");
                sim._leaders[node.Term] = id;
                sim.Trace($"server {id} leads term {node.Term}");
            }
            foreach (var entry in ready.CommittedEntries) Apply(entry);
            foreach (var read in ready.ReadStates)
            {
                if (_readIndexRequests.Remove(read.RequestId, out var request)) _awaitingReads.Add((read.Index, request));
            }
            ServeReads();
            node.Advance(ready);
        }

        private void Fsync(int incarnation)
        {
            if (incarnation != _incarnation) return;
            foreach (var write in _unsynced) write(_disk);
            _unsynced.Clear();
        }

        private void Apply(LogEntry entry)
        {
            var identity = $"{entry.Term}:{Convert.ToHexString(entry.Command)}";
            if (sim._appliedAt.TryGetValue(entry.Index, out var other) && other != identity)
            {
                sim.Violate($"server {id} applied a different entry at index {entry.Index} (term {entry.Term}) than another server had");
                return;
            }
            sim._appliedAt[entry.Index] = identity;
            if (entry.Index != _applied + 1) sim.Violate($"server {id} applied index {entry.Index} after {_applied}");
            _applied = entry.Index;
            if (entry.Type != LogEntryType.Command) return;
            var request = Request.Decode(entry.Command);
            Reply reply;
            if (_lastApplied.TryGetValue(request.Client, out var last) && request.Seq <= last.Seq)
            {
                // A retry of an operation already applied: not applied again.
                if (request.Seq < last.Seq) return;
                reply = last.Reply;
            }
            else
            {
                var current = _kv.GetValueOrDefault(request.Key);
                var swapped = request.Kind == KvOperationKind.Put || current == request.Expected;
                if (swapped) _kv[request.Key] = request.Value!;
                reply = new Reply(request.Client, request.Seq, false, 0, null, swapped);
                _lastApplied[request.Client] = (request.Seq, reply);
            }
            if (_awaitingApply.Remove((request.Client, request.Seq))) sim.SendReply(reply);
        }

        private void ServeReads()
        {
            for (var i = 0; i < _awaitingReads.Count; i++)
            {
                var (index, request) = _awaitingReads[i];
                if (index > _applied) continue;
                sim.SendReply(new Reply(request.Client, request.Seq, false, 0, _kv.GetValueOrDefault(request.Key), false));
                _awaitingReads.RemoveAt(i--);
            }
        }

        public void Handle(Request request)
        {
            if (!Up) return;
            var node = Node!;
            bool accepted;
            if (request.Kind != KvOperationKind.Get)
            {
                accepted = node.TryPropose(request.Encode(), out _);
                if (accepted) _awaitingApply.Add((request.Client, request.Seq));
            }
            else if (!request.Consistent)
            {
                accepted = node.TryLeaseRead(out var index);
                if (accepted) _awaitingReads.Add((index, request));
            }
            else
            {
                var readId = ++_nextReadId;
                accepted = node.ReadIndex(readId);
                if (accepted) _readIndexRequests[readId] = request;
            }
            if (!accepted) sim.SendReply(new Reply(request.Client, request.Seq, true, node.Leader, null, false));
            ServeReads();
            HandleReadies();
        }
    }

    private void SendReply(Reply reply) => Send(() => _clients[reply.Client].Receive(reply));

    /// <summary>A client: one operation at a time, retried until answered or given up.</summary>
    private sealed class Client(KvSimulation sim, int id)
    {
        private long _seq;
        private Request? _current;
        private long _call;
        private int _attempt;
        private readonly Dictionary<string, string?> _seen = [];
        private ulong _leaderGuess = 1;

        public void StartNext()
        {
            if (sim._now >= OpsEnd) return;
            var key = Keys[sim._random.Next(Keys.Length)];
            var value = $"{id}.{_seq + 1}";
            var consistent = sim._options.ClockJumpsBeyondBound || sim._random.Next(2) == 0;
            _current = sim._random.Next(4) switch
            {
                0 or 1 => new Request(id, ++_seq, KvOperationKind.Get, consistent, key, null, null),
                2 => new Request(id, ++_seq, KvOperationKind.Put, false, key, value, null),
                _ => new Request(id, ++_seq, KvOperationKind.Cas, false, key, value, _seen.GetValueOrDefault(key)),
            };
            _call = sim._now;
            SendCurrent();
        }

        private void SendCurrent()
        {
            var request = _current!;
            var attempt = ++_attempt;
            var server = sim._servers[_leaderGuess - 1];
            sim.Send(() => server.Handle(request));
            sim.At(sim._now + RequestTimeout, () => TimedOut(attempt));
        }

        private void TimedOut(int attempt)
        {
            if (_current is null || attempt != _attempt) return;
            if (sim._now - _call >= GiveUpAfter)
            {
                Abandon();
                sim.At(sim._now + sim._random.Next(ThinkTimeMax), StartNext);
                return;
            }
            _leaderGuess = (ulong)sim._random.Next(1, sim._servers.Length + 1);
            SendCurrent();
        }

        public void Receive(Reply reply)
        {
            if (_current is not { } request || reply.Seq != request.Seq) return;
            if (reply.NotLeader)
            {
                _leaderGuess = reply.LeaderHint != 0 ? reply.LeaderHint : (ulong)sim._random.Next(1, sim._servers.Length + 1);
                var attempt = ++_attempt;
                sim.At(sim._now + 20 + sim._random.Next(30), () =>
                {
                    if (attempt == _attempt) SendCurrent();
                });
                return;
            }
            if (request.Kind == KvOperationKind.Get) _seen[request.Key] = reply.Read;
            sim._history.Add(request.Kind switch
            {
                KvOperationKind.Get => KvOperation.Get(id, request.Key, reply.Read, _call, sim._now),
                KvOperationKind.Put => KvOperation.Put(id, request.Key, request.Value!, _call, sim._now),
                _ => KvOperation.Cas(id, request.Key, request.Expected, request.Value!, reply.Swapped, _call, sim._now),
            });
            _current = null;
            _attempt++; // a pending timeout or resend is void
            sim.At(sim._now + sim._random.Next(ThinkTimeMax), StartNext);
        }

        /// <summary>Gives up on the current operation: a write is recorded with an unknown outcome, a read is dropped.</summary>
        public void Abandon()
        {
            if (_current is not { } request) return;
            _current = null;
            _attempt++;
            if (request.Kind != KvOperationKind.Get) sim._history.Add(new KvOperation(id, request.Kind, request.Key, request.Value, request.Expected, _call, long.MaxValue));
        }
    }
}
