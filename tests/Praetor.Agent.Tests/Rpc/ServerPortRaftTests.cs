using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Praetor.Agent.Rpc;
using Praetor.Raft;
using Praetor.Raft.Core;
using Praetor.Raft.Transport;

namespace Praetor.Agent.Tests.Rpc;

/// <summary>
/// Three <see cref="RaftLog"/>s over real <see cref="TcpRaftTransport"/>s and <see cref="ServerPortListener"/>s
/// on 127.0.0.1, with short ticks, a snapshot every 10 entries (no trailing entries kept) and a
/// frame limit lowered to <see cref="FrameLimit"/>, so a snapshot of a few commands outgrows a frame.
/// </summary>
public sealed class ServerPortRaftTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(10);
    private static readonly ulong[] Voters = [1, 2, 3];
    private const int FrameLimit = 16 * 1024;

    private readonly ConcurrentDictionary<ulong, string> _addresses = new();
    private readonly Dictionary<ulong, ServerPortListener> _listeners = [];
    private readonly Dictionary<ulong, TcpRaftTransport> _transports = [];
    private readonly Dictionary<ulong, RaftLog> _logs = [];
    private readonly Dictionary<ulong, ListStateMachine> _machines = [];

    public Task InitializeAsync()
    {
        foreach (var id in Voters)
        {
            _listeners[id] = new ServerPortListener(new IPEndPoint(IPAddress.Loopback, 0));
            _addresses[id] = _listeners[id].LocalEndPoint.ToString();
        }
        foreach (var id in Voters)
        {
            _transports[id] = new TcpRaftTransport(id, _addresses, payloadBytesMax: FrameLimit);
            _machines[id] = new ListStateMachine();
            _logs[id] = new RaftLog(new RaftLogOptions
            {
                ServerId = id,
                Storage = MemoryRaftStorage.Bootstrap(Configuration.Of(Voters)),
                StateMachine = _machines[id],
                Addresses = _addresses,
                Transport = _transports[id],
                TickInterval = Tick,
                SnapshotThreshold = 10,
                SnapshotInterval = Tick,
                TrailingLogs = 0,
            });
            Serve(id, _listeners[id]);
        }
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        foreach (var listener in _listeners.Values) await listener.DisposeAsync();
        foreach (var transport in _transports.Values) await transport.DisposeAsync();
        foreach (var log in _logs.Values) await log.DisposeAsync();
    }

    private void Serve(ulong id, ServerPortListener listener)
    {
        var transport = _transports[id];
        var log = _logs[id];
        listener.Register(ServerConnectionType.Raft, (stream, ct) => transport.ServeAsync(stream, log.Deliver, ct));
        listener.Start();
    }

    private static ReadOnlyMemory<byte> Command(string payload) => Encoding.UTF8.GetBytes(payload);

    private static async Task WaitUntil(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Deadline;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"timed out waiting for {what}");
            await Task.Delay(5);
        }
    }

    private async Task<ulong> LeaderAmong(params ulong[] ids)
    {
        ulong leader = 0;
        await WaitUntil(() =>
        {
            var leaders = ids.Where(id => _logs[id].Leader.IsLeader).ToArray();
            if (leaders.Length != 1) return false;
            leader = leaders[0];
            return ids.All(id => _logs[id].Leader.LeaderAddress == _addresses[leader]);
        }, "a leader that every server follows");
        return leader;
    }

    [Fact]
    public async Task A_leader_is_elected_over_TCP_and_its_commands_are_applied_on_every_server()
    {
        var leader = await LeaderAmong(Voters);

        var results = await Task.WhenAll(Enumerable.Range(0, 100).Select(i => _logs[leader].ApplyAsync(Command($"c{i}"), CancellationToken.None))).WaitAsync(Deadline);

        var expected = Enumerable.Range(0, 100).Select(i => $"c{i}").ToArray();
        Assert.Equal(expected, _machines[leader].Payloads);
        await WaitUntil(() => _machines.Values.All(m => m.Payloads.SequenceEqual(expected)), "every server to apply the 100 commands");
        Assert.All(_machines.Values, m => Assert.Equal(results.Select(r => r.Index), m.Indexes));
    }

    [Fact]
    public async Task A_follower_whose_server_port_was_down_catches_up_when_it_comes_back()
    {
        var leader = await LeaderAmong(Voters);
        var follower = Voters.First(id => id != leader);
        await _logs[leader].ApplyAsync(Command("before"), CancellationToken.None).WaitAsync(Deadline);
        await WaitUntil(() => _machines[follower].Payloads.Count == 1, "the follower to apply the first command");

        var endpoint = _listeners[follower].LocalEndPoint;
        await _listeners[follower].DisposeAsync();
        // The other two are a quorum: writes go on without the follower.
        for (var i = 0; i < 20; i++) await _logs[leader].ApplyAsync(Command($"while-down-{i}"), CancellationToken.None).WaitAsync(Deadline);
        Assert.Equal(["before"], _machines[follower].Payloads);

        _listeners[follower] = new ServerPortListener(endpoint);
        Serve(follower, _listeners[follower]);

        string[] expected = ["before", .. Enumerable.Range(0, 20).Select(i => $"while-down-{i}")];
        await WaitUntil(() => _machines[follower].Payloads.SequenceEqual(expected), "the follower to catch up");
        Assert.True(_transports[leader].Statistics.SendDropped > 0, "the leader dropped what it could not send while the follower's port was down");
    }

    [Fact]
    public async Task A_snapshot_larger_than_the_frame_limit_reaches_a_follower_in_chunks()
    {
        var leader = await LeaderAmong(Voters);
        var follower = Voters.First(id => id != leader);
        var endpoint = _listeners[follower].LocalEndPoint;
        await _listeners[follower].DisposeAsync();

        // 40 commands of 2 KiB: the state is 5 frames' worth.
        var expected = Enumerable.Range(0, 40).Select(i => $"{i}-" + new string((char)('a' + (i % 26)), 2048)).ToArray();
        foreach (var payload in expected) await _logs[leader].ApplyAsync(Command(payload), CancellationToken.None).WaitAsync(Deadline);
        await WaitUntil(() => _logs[leader].LastSnapshotIndex > 30, "the leader to snapshot past the follower's log");

        _listeners[follower] = new ServerPortListener(endpoint);
        Serve(follower, _listeners[follower]);

        await WaitUntil(() => _machines[follower].Payloads.SequenceEqual(expected), "the follower to catch up");
        Assert.True(_machines[follower].Restores > 0, "the follower caught up without the snapshot");
        Assert.Equal(0, _transports[follower].Statistics.ReceiveDropped);
    }

    /// <summary>Records the commands applied to it; its snapshot is its list, one "index payload" line each.</summary>
    private sealed class ListStateMachine : IStateMachine
    {
        private readonly Lock _lock = new();
        private readonly List<(ulong Index, string Payload)> _applied = [];
        private int _restores;

        public IReadOnlyList<string> Payloads
        {
            get
            {
                lock (_lock) return [.. _applied.Select(a => a.Payload)];
            }
        }

        public IReadOnlyList<ulong> Indexes
        {
            get
            {
                lock (_lock) return [.. _applied.Select(a => a.Index)];
            }
        }

        public object? Apply(ulong index, ReadOnlyMemory<byte> command)
        {
            lock (_lock) _applied.Add((index, Encoding.UTF8.GetString(command.Span)));
            return null;
        }

        public int Restores => Volatile.Read(ref _restores);

        public Action<Stream> CaptureSnapshot()
        {
            List<(ulong Index, string Payload)> captured;
            lock (_lock) captured = [.. _applied];
            return destination =>
            {
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
}
