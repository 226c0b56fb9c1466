using System.Text;
using Praetor.Raft.Core;

namespace Praetor.Raft.Tests;

/// <summary>Three <see cref="RaftLog"/>s in one process over an in-memory transport, on real time with short ticks.</summary>
public sealed class RaftLogGroupTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = Eventually.Deadline;
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(10);

    private readonly InMemoryTransport _transport = new();
    private readonly Dictionary<ulong, RaftLog> _logs = [];
    private readonly Dictionary<ulong, ListStateMachine> _machines = [];

    public Task InitializeAsync()
    {
        ulong[] voters = [1, 2, 3];
        var addresses = voters.ToDictionary(id => id, Address);
        foreach (var id in voters)
        {
            _machines[id] = new ListStateMachine();
            _logs[id] = new RaftLog(new RaftLogOptions
            {
                ServerId = id,
                Storage = MemoryRaftStorage.Bootstrap(Configuration.Of(voters)),
                StateMachine = _machines[id],
                Addresses = addresses,
                Transport = _transport,
                TickInterval = Tick,
            });
            _transport.Servers[id] = _logs[id];
        }
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        foreach (var log in _logs.Values) await log.DisposeAsync();
    }

    private static string Address(ulong id) => $"10.0.0.{id}:8300";

    private static ReadOnlyMemory<byte> Command(string payload) => Encoding.UTF8.GetBytes(payload);

    /// <summary>Waits for one leader among <paramref name="ids"/> that the others follow.</summary>
    private Task<ulong> LeaderAmong(params ulong[] ids) => Eventually.LeaderAmong(_logs, Address, ids);

    [Fact]
    public async Task A_leader_is_elected_and_its_proposals_are_applied_in_order_on_every_server()
    {
        var leader = await LeaderAmong(1, 2, 3);

        var results = await Task.WhenAll(Enumerable.Range(0, 50).Select(i => _logs[leader].ApplyAsync(Command($"c{i}"), CancellationToken.None))).WaitAsync(Deadline);

        var expected = Enumerable.Range(0, 50).Select(i => $"c{i}").ToArray();
        Assert.Equal(expected, _machines[leader].Payloads);
        Assert.Equal(results.Select(r => r.Index), _machines[leader].Applied.Select(a => a.Index));
        for (var i = 0; i < results.Length; i++) Assert.Equal($"{results[i].Index}:c{i}", results[i].Response);
        await Eventually.True(() => _machines.Values.All(m => m.Payloads.SequenceEqual(expected)), "every server to apply the 50 commands");
        Assert.All(_machines.Values, m => Assert.Equal(results.Select(r => r.Index), m.Applied.Select(a => a.Index)));
    }

    [Fact]
    public async Task Followers_report_the_leader_recent_contact_and_every_peer()
    {
        var leader = await LeaderAmong(1, 2, 3);
        var follower = _logs.Keys.First(id => id != leader);

        Assert.Equal(TimeSpan.Zero, _logs[leader].Leader.LastContact);
        var state = _logs[follower].Leader;
        Assert.False(state.IsLeader);
        Assert.Equal(Address(leader), state.LeaderAddress);
        Assert.True(state.LastContact < Deadline, $"last contact {state.LastContact}");
        Assert.Equal([Address(1), Address(2), Address(3)], _logs[follower].Peers);
    }

    [Fact]
    public async Task A_proposal_to_a_follower_fails_with_NotLeaderException_naming_the_leader()
    {
        var leader = await LeaderAmong(1, 2, 3);
        var follower = _logs.Keys.First(id => id != leader);

        var error = await Assert.ThrowsAsync<NotLeaderException>(() => _logs[follower].ApplyAsync(Command("x"), CancellationToken.None).WaitAsync(Deadline));

        Assert.Contains(Address(leader), error.Message, StringComparison.Ordinal);
        Assert.All(_machines.Values, m => Assert.Empty(m.Payloads));
    }

    [Fact]
    public async Task When_the_leader_is_disposed_another_takes_over_and_later_proposals_commit()
    {
        var leader = await LeaderAmong(1, 2, 3);
        await _logs[leader].ApplyAsync(Command("before"), CancellationToken.None).WaitAsync(Deadline);

        await _logs[leader].DisposeAsync();
        _transport.Servers.TryRemove(leader, out _);
        var rest = _logs.Keys.Where(id => id != leader).ToArray();
        var next = await LeaderAmong(rest);

        var result = await _logs[next].ApplyAsync(Command("after"), CancellationToken.None).WaitAsync(Deadline);
        Assert.Equal($"{result.Index}:after", result.Response);
        await Eventually.True(() => rest.All(id => _machines[id].Payloads.SequenceEqual(["before", "after"])), "both remaining servers to apply both commands");
        await Assert.ThrowsAsync<NotLeaderException>(() => _logs[leader].ApplyAsync(Command("late"), CancellationToken.None).WaitAsync(Deadline));
    }

    [Fact]
    public async Task A_leader_cut_off_from_the_others_steps_down_and_fails_its_pending_proposal()
    {
        var leader = await LeaderAmong(1, 2, 3);
        _transport.Isolated[leader] = true;

        var stranded = _logs[leader].ApplyAsync(Command("stranded"), CancellationToken.None);
        await Assert.ThrowsAsync<NotLeaderException>(() => stranded.WaitAsync(Deadline));
        var rest = _logs.Keys.Where(id => id != leader).ToArray();
        var next = await LeaderAmong(rest);
        await _logs[next].ApplyAsync(Command("elsewhere"), CancellationToken.None).WaitAsync(Deadline);

        _transport.Isolated.TryRemove(leader, out _);
        // Healed, the old leader's uncommitted entry is overwritten by the new leader's log.
        await Eventually.True(() => _machines.Values.All(m => m.Payloads.SequenceEqual(["elsewhere"])), "every server to apply only the new leader's command");
    }
}
