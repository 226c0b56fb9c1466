using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Threading.Channels;
using Praetor.Raft.Core;

namespace Praetor.Raft;

/// <summary>
/// The host of one <see cref="RaftNode"/>: the write path's <see cref="IReplicatedLog"/>. One loop
/// owns the core; its inputs — proposals, ticks, messages from other servers — arrive on a single
/// reader channel, and after each batch of them the loop carries out the core's
/// <see cref="Core.Ready"/> in the contract's order: persist (snapshot, entries, hard state), send,
/// apply the committed entries to the <see cref="IStateMachine"/> (commands only: no-op and
/// configuration-change entries are the log's own), then <see cref="RaftNode.Advance"/>. A
/// proposal is matched to its entry by the index and term the core stamped it with; it fails with
/// <see cref="NotLeaderException"/> when this server is not the leader, loses leadership before
/// the entry is applied, or shuts down. Instruments (meter <see cref="MeterName"/>, hashicorp/raft's
/// names with Consul's prefix): <c>consul.raft.apply</c> counts commands proposed,
/// <c>consul.raft.commitTime</c> samples the milliseconds from a proposal to its entry being committed.
/// </summary>
public sealed class RaftLog : IReplicatedLog
{
    /// <summary>The meter of the log's instruments.</summary>
    public const string MeterName = "Praetor.Raft";

    /// <summary>100 ms: the tick of a LAN server; with the default <see cref="RaftOptions"/>, a 1 s election timeout (Consul's at raft_multiplier 1).</summary>
    public static readonly TimeSpan DefaultTickInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>Inputs taken from the channel before the loop hands out a Ready, bounding the time one batch holds the loop.</summary>
    public const int InputBatchMax = 1_024;

    private readonly RaftNode _node;
    private readonly MemoryRaftStorage _storage;
    private readonly IStateMachine _stateMachine;
    private readonly IRaftTransport? _transport;
    private readonly IReadOnlyDictionary<ulong, string> _addresses;
    private readonly TimeProvider _time;
    private readonly Channel<Input> _inputs = Channel.CreateUnbounded<Input>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Dictionary<ulong, Proposal> _inFlight = [];
    private readonly ITimer _ticker;
    private readonly Task _loop;
    private readonly Meter? _ownedMeter;
    private readonly Counter<long> _applies;
    private readonly Histogram<double> _commitTime;

    private volatile LeaderView _view = LeaderView.None;
    private volatile IReadOnlyList<string> _peers = [];
    private Configuration? _publishedConfiguration;
    private long _leaderContactTimestamp;
    private ulong _appliedIndex;
    private volatile bool _stopped;

    /// <summary>
    /// Starts the server described by <paramref name="options"/> over <paramref name="storage"/>
    /// (<see cref="MemoryRaftStorage.Bootstrap"/> for a new cluster's first servers). A server that
    /// is the only voter of its configuration elects itself before the constructor returns, as it
    /// would after its first election timeout, so a single-node log takes writes at once.
    /// </summary>
    /// <param name="options">The core's parameters (its id among them).</param>
    /// <param name="storage">The server's log; written on the loop only. Durable storage replaces it with the write-ahead log.</param>
    /// <param name="stateMachine">Where committed commands are applied, on the loop.</param>
    /// <param name="addresses">Each server id's RPC address (<c>host:port</c>), for <see cref="Leader"/> and <see cref="Peers"/>.</param>
    /// <param name="transport">Carries messages to the other servers; null for a server that is alone.</param>
    /// <param name="tickInterval">How often the core's clock ticks (<see cref="DefaultTickInterval"/> for a LAN server).</param>
    /// <param name="meters">The agent's meter factory; null: a meter of the log's own, ended with it.</param>
    /// <param name="time">The clock of ticks and of the leader's last contact; <see cref="TimeProvider.System"/> by default.</param>
    public RaftLog(
        RaftOptions options,
        MemoryRaftStorage storage,
        IStateMachine stateMachine,
        IReadOnlyDictionary<ulong, string> addresses,
        IRaftTransport? transport,
        TimeSpan tickInterval,
        IMeterFactory? meters = null,
        TimeProvider? time = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(tickInterval, TimeSpan.Zero);
        _storage = storage;
        _stateMachine = stateMachine;
        _transport = transport;
        _addresses = addresses;
        _time = time ?? TimeProvider.System;
        _ownedMeter = meters is null ? new Meter(MeterName) : null;
        var meter = _ownedMeter ?? meters!.Create(new MeterOptions(MeterName));
        _applies = meter.CreateCounter<long>("consul.raft.apply", "{command}", "commands proposed to the log");
        _commitTime = meter.CreateHistogram<double>("consul.raft.commitTime", "ms", "time from a proposal to its commit");
        _node = new RaftNode(options, storage, new Random());
        var configuration = _node.Configuration;
        if (configuration.Voters.Count == 1 && configuration.Voters.Contains(_node.Id))
        {
            // Alone, it wins its first election without a message: run its clock to it now.
            for (var i = 0; i < 2 * options.ElectionTicks && _node.Role != RaftRole.Leader; i++) _node.Tick();
        }
        HandleReadies();
        PublishPeers();
        _ticker = _time.CreateTimer(static state => ((RaftLog)state!)._inputs.Writer.TryWrite(default), this, tickInterval, tickInterval);
        _loop = Task.Run(RunAsync);
    }

    /// <summary>
    /// The <c>-dev</c> log: server 1 at <paramref name="serverAddress"/>, the only voter, in memory.
    /// Its configuration is part of its empty initial state rather than a logged change, so, as
    /// in Consul, the leader's no-op is entry 1 and the first command is entry 2.
    /// </summary>
    public static RaftLog SingleNode(IStateMachine stateMachine, string serverAddress, IMeterFactory? meters = null) =>
        new(new RaftOptions { Id = 1 }, new MemoryRaftStorage(Configuration.Of(1)), stateMachine,
            new Dictionary<ulong, string> { [1] = serverAddress }, transport: null, DefaultTickInterval, meters);

    /// <summary>This server's id.</summary>
    public ulong Id => _node.Id;

    /// <summary>What this server knows of the leader; nobody once the log has stopped.</summary>
    public LeaderState Leader
    {
        get
        {
            var view = _view;
            if (_stopped) return new LeaderState(IsLeader: false, LeaderAddress: "", TimeSpan.Zero);
            var contact = Volatile.Read(ref _leaderContactTimestamp);
            var lastContact = view.IsLeader || contact == 0 ? TimeSpan.Zero : _time.GetElapsedTime(contact);
            return new LeaderState(view.IsLeader, view.Address, lastContact);
        }
    }

    /// <summary>The voters' addresses (a voter without a known address by its id).</summary>
    public IReadOnlyList<string> Peers => _peers;

    /// <summary>The index of the last applied entry.</summary>
    public ulong AppliedIndex => Volatile.Read(ref _appliedIndex);

    /// <summary>
    /// Proposes <paramref name="command"/>. Cancellation only stops the caller waiting: a command
    /// already proposed may still be committed and applied, as a replicated log cannot take an
    /// entry back.
    /// </summary>
    public Task<ApplyResult> ApplyAsync(ReadOnlyMemory<byte> command, CancellationToken cancellationToken)
    {
        var proposal = new Proposal(command.ToArray());
        if (!_inputs.Writer.TryWrite(new Input(proposal, null)))
        {
            return Task.FromException<ApplyResult>(new NotLeaderException("the log is shut down"));
        }
        _applies.Add(1);
        return proposal.Completion.Task.WaitAsync(cancellationToken);
    }

    /// <summary>The transport's inbound side: a message from another server, stepped on the loop. Ignored once the log has stopped.</summary>
    public void Deliver(RaftMessage message) => _inputs.Writer.TryWrite(new Input(null, message));

    private async Task RunAsync()
    {
        var reader = _inputs.Reader;
        try
        {
            while (await reader.WaitToReadAsync().ConfigureAwait(false))
            {
                for (var taken = 0; taken < InputBatchMax && reader.TryRead(out var input); taken++) Handle(input);
                HandleReadies();
            }
        }
        catch (Exception ex)
        {
            // A command the state machine cannot apply, or a broken invariant in the core: stop
            // rather than diverge from the other servers.
            Stop(ex);
            return;
        }
        Stop(new NotLeaderException("the log is shut down"));
    }

    private void Handle(Input input)
    {
        if (input.Proposal is { } proposal)
        {
            if (_node.TryPropose(proposal.Command, out var index))
            {
                proposal.Term = _node.Term;
                _inFlight[index] = proposal;
            }
            else
            {
                proposal.Completion.TrySetException(NotLeader());
            }
        }
        else if (input.Message is { } message)
        {
            _node.Step(message);
            if (message.From == _node.Leader && _node.Role != RaftRole.Leader)
            {
                Volatile.Write(ref _leaderContactTimestamp, _time.GetTimestamp());
            }
        }
        else
        {
            _node.Tick();
        }
    }

    private void HandleReadies()
    {
        while (_node.HasReady) HandleReady(_node.Ready());
    }

    private void HandleReady(Ready ready)
    {
        if (ready.SoftState is { } soft) PublishLeader(soft);
        if (ready.Snapshot is { } snapshot)
        {
            _storage.ApplySnapshot(snapshot);
            using var data = new MemoryStream(snapshot.Data, writable: false);
            _stateMachine.Restore(data);
            Volatile.Write(ref _appliedIndex, snapshot.Metadata.Index);
        }
        if (ready.Entries.Count > 0) _storage.Append(ready.Entries);
        if (ready.HardState is { } hard) _storage.SetHardState(hard);
        if (_transport is { } transport)
        {
            foreach (var message in ready.Messages) transport.Send(message);
        }
        foreach (var entry in ready.CommittedEntries) Apply(entry);
        if (_node.Role != RaftRole.Leader && _inFlight.Count > 0)
        {
            // Entries proposed in a term this server no longer leads may yet commit under the new
            // leader, or be overwritten: their proposers cannot know which, as with hashicorp/raft's
            // ErrLeadershipLost.
            FailInFlight(NotLeader());
        }
        _node.Advance(ready);
        PublishPeers();
    }

    private void Apply(LogEntry entry)
    {
        _inFlight.Remove(entry.Index, out var proposal);
        if (proposal is not null && proposal.Term != entry.Term)
        {
            proposal.Completion.TrySetException(new NotLeaderException($"the entry proposed at index {entry.Index} was overwritten by a later leader"));
            proposal = null;
        }
        if (proposal is not null) _commitTime.Record(Stopwatch.GetElapsedTime(proposal.ProposedTimestamp).TotalMilliseconds);
        object? response = null;
        if (entry.Type == LogEntryType.Command)
        {
            try
            {
                response = _stateMachine.Apply(entry.Index, entry.Command);
            }
            catch (Exception ex)
            {
                proposal?.Completion.TrySetException(ex);
                throw;
            }
        }
        Volatile.Write(ref _appliedIndex, entry.Index);
        proposal?.Completion.TrySetResult(new ApplyResult(entry.Index, response));
    }

    private void PublishLeader(SoftState soft)
    {
        var isLeader = soft.Role == RaftRole.Leader;
        _view = new LeaderView(isLeader, soft.Leader == 0 ? "" : AddressOf(soft.Leader));
        if (soft.Leader != 0 && !isLeader) Volatile.Write(ref _leaderContactTimestamp, _time.GetTimestamp());
    }

    private void PublishPeers()
    {
        var configuration = _node.Configuration;
        if (ReferenceEquals(configuration, _publishedConfiguration)) return;
        _publishedConfiguration = configuration;
        _peers = [.. configuration.Voters.Select(AddressOf)];
    }

    private string AddressOf(ulong id) => _addresses.TryGetValue(id, out var address) ? address : id.ToString(CultureInfo.InvariantCulture);

    private NotLeaderException NotLeader() =>
        _node.Leader is var leader && leader != 0 && leader != _node.Id
            ? new NotLeaderException($"not the leader; the leader is {AddressOf(leader)}")
            : new NotLeaderException("No cluster leader");

    private void FailInFlight(Exception reason)
    {
        foreach (var proposal in _inFlight.Values) proposal.Completion.TrySetException(reason);
        _inFlight.Clear();
    }

    private void Stop(Exception reason)
    {
        _stopped = true;
        _inputs.Writer.TryComplete();
        FailInFlight(reason);
        while (_inputs.Reader.TryRead(out var pending))
        {
            pending.Proposal?.Completion.TrySetException(reason);
        }
    }

    /// <summary>Stops the loop: inputs already queued are handled first; proposals not applied by then fail with <see cref="NotLeaderException"/>.</summary>
    public async ValueTask DisposeAsync()
    {
        _inputs.Writer.TryComplete();
        await _ticker.DisposeAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        _ownedMeter?.Dispose();
    }

    /// <summary>One input of the loop: a proposal, a message, or (neither) a tick.</summary>
    private readonly record struct Input(Proposal? Proposal, RaftMessage? Message);

    /// <summary>The leader as last reported by the core's soft state.</summary>
    private sealed record LeaderView(bool IsLeader, string Address)
    {
        public static LeaderView None { get; } = new(false, "");
    }

    private sealed class Proposal(byte[] command)
    {
        public byte[] Command { get; } = command;

        /// <summary>The term the core stamped the entry with; the entry applied at its index in another term is not this one.</summary>
        public ulong Term { get; set; }

        /// <summary>When it was proposed (<see cref="Stopwatch.GetTimestamp"/>), for <c>consul.raft.commitTime</c>.</summary>
        public long ProposedTimestamp { get; } = Stopwatch.GetTimestamp();

        public TaskCompletionSource<ApplyResult> Completion { get; } =
            new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
