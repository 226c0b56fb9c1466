using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Threading.Channels;

namespace Praetor.Raft;

/// <summary>
/// A single-node, in-memory log: the write path of `-dev` mode until the replicated Raft node
/// exists. Proposals are queued, appended in batches, and applied in order on one loop, so the
/// state machine sees exactly one writer. Instruments (meter <see cref="MeterName"/>, hashicorp/raft's
/// names with Consul's prefix): <c>consul.raft.apply</c> counts commands proposed,
/// <c>consul.raft.commitTime</c> samples the milliseconds from a proposal to its entry being
/// committed (appended: on one node the log is its own quorum).
/// </summary>
public sealed class SingleNodeLog : IReplicatedLog
{
    /// <summary>Entries kept after they are applied; older ones are dropped (the state machine holds them).</summary>
    public const int TrailingEntriesMax = 10_240;

    /// <summary>Proposals taken from the queue per batch, bounding the time one batch holds the loop.</summary>
    public const int ApplyBatchEntriesMax = 1_024;

    private const ulong Term = 1;

    private readonly IStateMachine _stateMachine;
    private readonly InMemoryLogStore _store = new();
    private readonly Channel<Proposal> _proposals =
        Channel.CreateUnbounded<Proposal>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _applyLoop;

    /// <summary>The meter of the log's instruments.</summary>
    public const string MeterName = "Praetor.Raft";

    private readonly Meter? _ownedMeter;
    private readonly Counter<long> _applies;
    private readonly Histogram<double> _commitTime;

    /// <summary>Starts the log and commits its first (no-op) entry.</summary>
    /// <param name="stateMachine">Where committed commands are applied, on the log's loop.</param>
    /// <param name="serverAddress">This server's RPC address, reported as leader and peer.</param>
    /// <param name="meters">The agent's meter factory; null: a meter of the log's own, ended with it.</param>
    public SingleNodeLog(IStateMachine stateMachine, string serverAddress, IMeterFactory? meters = null)
    {
        _stateMachine = stateMachine;
        _ownedMeter = meters is null ? new Meter(MeterName) : null;
        var meter = _ownedMeter ?? meters!.Create(new MeterOptions(MeterName));
        _applies = meter.CreateCounter<long>("consul.raft.apply", "{command}", "commands proposed to the log");
        _commitTime = meter.CreateHistogram<double>("consul.raft.commitTime", "ms", "time from a proposal to its commit");
        _leading = new LeaderState(IsLeader: true, serverAddress, TimeSpan.Zero);
        Peers = [serverAddress];
        _proposals.Writer.TryWrite(new Proposal([], LogEntryType.Noop));
        _applyLoop = Task.Run(ApplyLoopAsync);
    }

    private readonly LeaderState _leading;
    private volatile bool _stopped;

    /// <summary>This node while its log runs; nobody once it has stopped, so reads stop claiming a leader too.</summary>
    public LeaderState Leader => _stopped ? new LeaderState(IsLeader: false, LeaderAddress: "", TimeSpan.Zero) : _leading;

    public IReadOnlyList<string> Peers { get; }

    /// <summary>The index of the last applied entry.</summary>
    public ulong AppliedIndex => Volatile.Read(ref _appliedIndex);

    private ulong _appliedIndex;

    public Task<ApplyResult> ApplyAsync(ReadOnlyMemory<byte> command, CancellationToken cancellationToken)
    {
        var proposal = new Proposal(command.ToArray(), LogEntryType.Command);
        if (!_proposals.Writer.TryWrite(proposal))
        {
            return Task.FromException<ApplyResult>(new NotLeaderException("the log is shut down"));
        }
        _applies.Add(1);
        // Cancellation only stops the caller waiting: a queued command is still applied,
        // as a replicated log cannot take back an entry once proposed.
        return proposal.Completion.Task.WaitAsync(cancellationToken);
    }

    private async Task ApplyLoopAsync()
    {
        var reader = _proposals.Reader;
        var batch = new List<Proposal>(ApplyBatchEntriesMax);
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            batch.Clear();
            while (batch.Count < ApplyBatchEntriesMax && reader.TryRead(out var next))
            {
                batch.Add(next);
            }
            foreach (var proposal in batch)
            {
                var entry = new LogEntry(Term, _store.LastIndex + 1, proposal.Type, proposal.Command);
                _store.Append(entry);
                _commitTime.Record(Stopwatch.GetElapsedTime(proposal.ProposedTimestamp).TotalMilliseconds);
            }
            for (var i = 0; i < batch.Count; i++)
            {
                var proposal = batch[i];
                var index = _appliedIndex + 1;
                var entry = _store.Get(index)!;
                try
                {
                    var response = entry.Type == LogEntryType.Command ? _stateMachine.Apply(index, entry.Command) : null;
                    Volatile.Write(ref _appliedIndex, index);
                    proposal.Completion.TrySetResult(new ApplyResult(index, response));
                }
                catch (Exception ex)
                {
                    // A command the state machine cannot apply is a broken invariant (the encoder
                    // wrote it); stop the log rather than diverge.
                    Volatile.Write(ref _appliedIndex, index);
                    // The entries after it in this batch are appended but will never be applied.
                    for (var j = i; j < batch.Count; j++)
                    {
                        batch[j].Completion.TrySetException(ex);
                    }
                    _stopped = true;
                    _proposals.Writer.TryComplete(ex);
                    FailPending(ex);
                    return;
                }
            }
            _store.TrimPrefix(TrailingEntriesMax);
        }
        _stopped = true;
        FailPending(new NotLeaderException("the log is shut down"));
    }

    private void FailPending(Exception reason)
    {
        while (_proposals.Reader.TryRead(out var pending))
        {
            pending.Completion.TrySetException(reason);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _proposals.Writer.TryComplete();
        await _applyLoop.ConfigureAwait(false);
        _ownedMeter?.Dispose();
    }

    private sealed class Proposal(byte[] command, LogEntryType type)
    {
        public byte[] Command { get; } = command;

        public LogEntryType Type { get; } = type;

        /// <summary>When it was proposed (<see cref="Stopwatch.GetTimestamp"/>), for <c>consul.raft.commitTime</c>.</summary>
        public long ProposedTimestamp { get; } = Stopwatch.GetTimestamp();

        public TaskCompletionSource<ApplyResult> Completion { get; } =
            new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
