using System.Collections.Concurrent;
using Praetor.Raft;
using Praetor.State.Commands;

namespace Praetor.State.Tests;

public class RaftLogSingleNodeTests
{
    /// <summary>The leader commits its no-op at index 1 when it starts (the configuration is in its initial state), so commands begin at 2.</summary>
    private const ulong FirstCommandIndex = 2;

    private static Task<ApplyResult> Propose(RaftLog log, string payload, CancellationToken cancellationToken = default) =>
        log.ApplyAsync(RecordingStateMachine.Command(payload), cancellationToken);

    [Fact]
    public async Task Leader_is_this_node_with_no_lag_and_the_only_peer_until_disposed()
    {
        var log = RaftLog.SingleNode(new RecordingStateMachine(), "127.0.0.1:8300");

        Assert.Equal(new LeaderState(true, "127.0.0.1:8300", TimeSpan.Zero), log.Leader);
        Assert.True(log.Leader.KnownLeader);
        Assert.Equal(["127.0.0.1:8300"], log.Peers);
        Assert.Equal(1UL, log.AppliedIndex);

        await log.DisposeAsync().AsTask().WaitAsync(Kv.Timeout);
        Assert.Equal(new LeaderState(false, "", TimeSpan.Zero), log.Leader);
    }

    [Fact]
    public async Task The_first_command_gets_index_2_after_the_start_of_term_no_op()
    {
        var fsm = new RecordingStateMachine();
        await using var log = RaftLog.SingleNode(fsm, "127.0.0.1:8300");

        var result = await Propose(log, "x").WaitAsync(Kv.Timeout);

        Assert.Equal(FirstCommandIndex, result.Index);
        Assert.Equal([(FirstCommandIndex, "x")], fsm.Applied);
    }

    [Fact]
    public async Task Concurrent_proposals_are_each_applied_once_in_a_total_order_with_consecutive_indexes()
    {
        const int tasks = 32;
        const int perTask = 50;
        var fsm = new RecordingStateMachine();
        await using var log = RaftLog.SingleNode(fsm, "127.0.0.1:8300");
        var results = new ConcurrentBag<(int Task, int Seq, string Payload, ApplyResult Result)>();

        var proposers = Enumerable.Range(0, tasks).Select(t => Task.Run(async () =>
        {
            for (var i = 0; i < perTask; i++)
            {
                var payload = $"t{t}-{i}";
                results.Add((t, i, payload, await Propose(log, payload)));
            }
        }));
        await Task.WhenAll(proposers).WaitAsync(Kv.Timeout);

        const int total = tasks * perTask;
        Assert.Equal(1, fsm.MaxConcurrentApplies);
        Assert.Equal(Enumerable.Range(0, total).Select(i => FirstCommandIndex + (ulong)i), fsm.Applied.Select(a => a.Index));
        Assert.Equal(total, fsm.Applied.Select(a => a.Payload).Distinct().Count());
        Assert.Equal(FirstCommandIndex + total - 1, log.AppliedIndex);
        var appliedAt = fsm.Applied.ToDictionary(a => a.Payload, a => a.Index);
        foreach (var (_, _, payload, result) in results)
        {
            Assert.Equal(appliedAt[payload], result.Index);
            Assert.Equal($"{result.Index}:{payload}", result.Response);
        }
        foreach (var byTask in results.GroupBy(r => r.Task))
        {
            var indexes = byTask.OrderBy(r => r.Seq).Select(r => r.Result.Index).ToArray();
            Assert.True(indexes.Zip(indexes.Skip(1)).All(p => p.First < p.Second), $"task {byTask.Key} saw its writes out of order");
        }
    }

    [Fact]
    public async Task Proposals_fired_without_waiting_are_applied_in_submission_order_across_batches()
    {
        const int total = (3 * RaftLog.InputBatchMax) + 7;
        var fsm = new RecordingStateMachine(holdFirstApply: true);
        await using var log = RaftLog.SingleNode(fsm, "127.0.0.1:8300");

        var pending = Enumerable.Range(0, total).Select(i => Propose(log, $"p{i}")).ToArray();
        fsm.Release();
        var results = await Task.WhenAll(pending).WaitAsync(Kv.Timeout);

        for (var i = 0; i < total; i++)
        {
            Assert.Equal(FirstCommandIndex + (ulong)i, results[i].Index);
            Assert.Equal($"{FirstCommandIndex + (ulong)i}:p{i}", results[i].Response);
        }
    }

    [Fact]
    public async Task Concurrent_writes_through_the_state_machine_stamp_each_key_with_its_result_index()
    {
        var store = new StateStore();
        await using var log = RaftLog.SingleNode(new StateMachine(store), "127.0.0.1:8300");

        var writes = Enumerable.Range(0, 200).Select(i => Task.Run(async () =>
        {
            var command = CommandCodec.Encode(new TxnCommand([new KvOperation(KvVerb.Set, $"k/{i}", Kv.Bytes($"{i}"))]));
            return (Key: $"k/{i}", Result: await log.ApplyAsync(command, CancellationToken.None));
        }));
        var results = await Task.WhenAll(writes).WaitAsync(Kv.Timeout);

        Assert.Equal(200, store.Current.Kv.Count);
        Assert.Equal(FirstCommandIndex + 199, store.Current.Index);
        foreach (var (key, result) in results)
        {
            var txn = Assert.IsType<TxnResult>(result.Response);
            Assert.Equal(key, Assert.Single(txn.Results).Key);
            Assert.Equal(result.Index, store.Current.Kv.Get(key)!.ModifyIndex);
        }
    }

    [Fact]
    public async Task Dispose_applies_proposals_already_queued_and_rejects_later_ones()
    {
        var fsm = new RecordingStateMachine(holdFirstApply: true);
        var log = RaftLog.SingleNode(fsm, "127.0.0.1:8300");
        var first = Propose(log, "a");
        await fsm.FirstApplyEntered.WaitAsync(Kv.Timeout);
        var queued = new[] { Propose(log, "b"), Propose(log, "c") };

        var disposing = log.DisposeAsync().AsTask();
        var late = Propose(log, "late");
        fsm.Release();

        Assert.Equal([FirstCommandIndex, FirstCommandIndex + 1, FirstCommandIndex + 2], (await Task.WhenAll([first, .. queued]).WaitAsync(Kv.Timeout)).Select(r => r.Index));
        await Assert.ThrowsAsync<NotLeaderException>(() => late.WaitAsync(Kv.Timeout));
        await disposing.WaitAsync(Kv.Timeout);
        Assert.Equal(["a", "b", "c"], fsm.Applied.Select(a => a.Payload));
    }

    [Fact]
    public async Task Proposals_after_dispose_fail_with_NotLeaderException()
    {
        var log = RaftLog.SingleNode(new RecordingStateMachine(), "127.0.0.1:8300");
        await log.DisposeAsync().AsTask().WaitAsync(Kv.Timeout);

        await Assert.ThrowsAsync<NotLeaderException>(() => Propose(log, "x").WaitAsync(Kv.Timeout));
        await log.DisposeAsync().AsTask().WaitAsync(Kv.Timeout);
    }

    [Fact]
    public async Task Cancelling_the_wait_still_applies_the_command()
    {
        var fsm = new RecordingStateMachine(holdFirstApply: true);
        await using var log = RaftLog.SingleNode(fsm, "127.0.0.1:8300");
        var first = Propose(log, "a");
        await fsm.FirstApplyEntered.WaitAsync(Kv.Timeout);
        using var cts = new CancellationTokenSource();
        var cancelled = Propose(log, "b", cts.Token);

        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled.WaitAsync(Kv.Timeout));
        fsm.Release();

        Assert.Equal(FirstCommandIndex + 2, (await Propose(log, "c").WaitAsync(Kv.Timeout)).Index);
        Assert.Equal(FirstCommandIndex, (await first.WaitAsync(Kv.Timeout)).Index);
        Assert.Equal(["a", "b", "c"], fsm.Applied.Select(a => a.Payload));
    }

    [Fact]
    public async Task State_machine_failure_fails_that_proposal_and_every_one_queued_behind_it()
    {
        var fsm = new RecordingStateMachine(holdFirstApply: true, failOn: "bad");
        var log = RaftLog.SingleNode(fsm, "127.0.0.1:8300");
        var first = Propose(log, "a");
        await fsm.FirstApplyEntered.WaitAsync(Kv.Timeout);
        // Both are queued while the first apply is held, so they land in the same batch.
        var bad = Propose(log, "bad");
        var behind = Propose(log, "behind");

        fsm.Release();

        Assert.Equal(FirstCommandIndex, (await first.WaitAsync(Kv.Timeout)).Index);
        await Assert.ThrowsAsync<InvalidOperationException>(() => bad.WaitAsync(Kv.Timeout));
        var behindError = await Record.ExceptionAsync(() => behind.WaitAsync(Kv.Timeout));
        Assert.False(behindError is TimeoutException, "a proposal queued behind the failed entry was never completed");
        Assert.NotNull(behindError);
        await Assert.ThrowsAsync<NotLeaderException>(() => Propose(log, "later").WaitAsync(Kv.Timeout));
        await log.DisposeAsync().AsTask().WaitAsync(Kv.Timeout);
        Assert.Equal(["a"], fsm.Applied.Select(a => a.Payload));
    }
}
