using System.Collections.Immutable;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;
using System.Threading.Channels;
using Praetor.Raft.Core;
using Praetor.Raft.Storage;

namespace Praetor.Raft;

/// <summary>
/// The host of one <see cref="RaftNode"/>: the write path's <see cref="IReplicatedLog"/>. One loop
/// owns the core and its <see cref="IWritableRaftStorage"/>; its inputs — proposals, ticks,
/// messages from other servers, the API's requests — arrive on a single reader channel, and after
/// each batch of them the loop carries out the core's <see cref="Core.Ready"/> in the contract's
/// order: persist (snapshot, entries, hard state), send, apply the committed entries to the
/// <see cref="IStateMachine"/> (commands only: no-op and configuration-change entries are the
/// log's own), release confirmed reads, then <see cref="RaftNode.Advance"/>. A proposal is matched
/// to its entry by the index and term the core stamped it with; it fails with
/// <see cref="NotLeaderException"/> when this server is not the leader, loses leadership before
/// the entry is applied, or shuts down.
/// </summary>
/// <remarks>
/// <para>Addresses: a configuration change that adds a server carries its RPC address
/// (<c>host:port</c>, UTF-8) in <see cref="ConfigChange.Context"/>; every server learns it when the
/// entry reaches its log, and a snapshot keeps the configured servers' addresses in its envelope
/// (<see cref="SnapshotEnvelope"/>), so each server knows every configured server's address from
/// the log alone, across restarts and snapshots.</para>
/// <para>Snapshots: every <see cref="RaftLogOptions.SnapshotInterval"/> the loop checks whether
/// <see cref="RaftLogOptions.SnapshotThreshold"/> entries were applied since the last snapshot; if
/// so, ON THE LOOP (the state machine is only consistent with an index between two applies, and
/// the loop is what applies) it captures the state (<see cref="IStateMachine.CaptureSnapshot"/>,
/// an immutable view), the configuration and the addresses as of the applied index; a task OFF
/// THE LOOP serializes them and writes them to storage (<see cref="IWritableRaftStorage.WriteSnapshot"/>),
/// while the loop goes on appending, sending heartbeats and applying; then, back on the loop, the
/// snapshot is recorded (<see cref="IWritableRaftStorage.CreateSnapshot"/>, which compacts the log
/// but keeps <see cref="RaftLogOptions.TrailingLogs"/> entries) and the core told
/// (<see cref="RaftNode.SnapshotTaken"/>). One snapshot is written at a time; a snapshot from the
/// leader waits for the one being written (storage's snapshot files have one writer), which is
/// then dropped as older. A follower that needs compacted entries gets the snapshot
/// (InstallSnapshot) and restores its state machine from it; a restarted server restores from its
/// stored snapshot, then re-applies the committed entries after it.</para>
/// <para>Instruments (meter <see cref="MeterName"/>, hashicorp/raft's names with Consul's prefix):
/// <c>consul.raft.apply</c> counts commands proposed, <c>consul.raft.commitTime</c> samples the
/// milliseconds from a proposal to its entry being committed.</para>
/// </remarks>
public sealed class RaftLog : IReplicatedLog
{
    /// <summary>The meter of the log's instruments.</summary>
    public const string MeterName = "Praetor.Raft";

    /// <summary>"raft": the storage directory under the agent's <c>data_dir</c> (<see cref="OpenDataDirectory"/>).</summary>
    public const string DataDirectoryName = "raft";

    /// <summary>100 ms: the tick of a LAN server; with the default <see cref="RaftOptions"/>, a 1 s election timeout (Consul's at raft_multiplier 1).</summary>
    public static readonly TimeSpan DefaultTickInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>Inputs taken from the channel before the loop hands out a Ready, bounding the time one batch holds the loop.</summary>
    public const int InputBatchMax = 1_024;

    private readonly RaftOptions _coreOptions;
    private readonly IWritableRaftStorage _storage;
    private readonly IStateMachine _stateMachine;
    private readonly IRaftTransport? _transport;
    private readonly IReadOnlyDictionary<ulong, string> _addressBook;
    private readonly TimeProvider _time;
    private readonly ulong _snapshotThreshold;
    private readonly ulong _trailingLogs;
    private readonly int _snapshotCheckTicks;
    private readonly Channel<Input> _inputs = Channel.CreateUnbounded<Input>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Dictionary<ulong, Proposal> _inFlight = [];
    private readonly Dictionary<ulong, TaskCompletionSource<ulong>> _pendingReads = [];
    private readonly PriorityQueue<TaskCompletionSource<ulong>, ulong> _appliedWaiters = new();
    private readonly List<TaskCompletionSource> _transfers = [];
    private readonly ITimer _ticker;
    private readonly Task _loop;
    private readonly Meter? _ownedMeter;
    private readonly Counter<long> _applies;
    private readonly Histogram<double> _commitTime;
    private readonly Counter<long> _becameLeader, _becameCandidate, _becameFollower;
    private RaftRole _publishedRole = RaftRole.Follower;

    private RaftNode _node;
    private ulong _nextReadId;
    private ulong _transferTarget;
    private ulong _snapshotIndex;
    private int _ticksSinceSnapshotCheck;
    private Task? _snapshotWrite;

    private volatile LeaderView _view = LeaderView.None;
    private volatile Configuration _configuration;
    private volatile ImmutableDictionary<ulong, string> _logAddresses = ImmutableDictionary<ulong, string>.Empty;
    private long _leaderContactTimestamp;
    private ulong _appliedIndex;
    private volatile IReadOnlyDictionary<ulong, ulong> _matchIndexes = new Dictionary<ulong, ulong>();
    private ulong _commitIndex;
    private ulong _lastIndex;
    private ulong _term;
    private volatile bool _stopped;

    /// <summary>
    /// Starts the server <paramref name="options"/> describe from what its storage holds: a stored
    /// snapshot is restored into the state machine, and committed entries after it are applied
    /// again. Storage with no configuration (a new server) waits, as a follower that never
    /// campaigns, for <see cref="BootstrapAsync"/> or for a leader that adds it. A server that is the
    /// only voter of its configuration elects itself before the constructor returns, as it would
    /// after its first election timeout, so a single-node log takes writes at once.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="options"/> are invalid (every problem listed).</exception>
    /// <exception cref="InvalidDataException">The stored snapshot's envelope is malformed (the storage stays the caller's to dispose).</exception>
    public RaftLog(RaftLogOptions options)
    {
        if (options.Validate() is { Count: > 0 } problems) throw new ArgumentException("invalid Raft log options: " + string.Join("; ", problems), nameof(options));
        _coreOptions = options.Core with { Id = options.ServerId };
        _storage = options.Storage;
        _stateMachine = options.StateMachine;
        _transport = options.Transport;
        _addressBook = options.Addresses;
        _time = options.Time ?? TimeProvider.System;
        _snapshotThreshold = options.SnapshotThreshold;
        _trailingLogs = options.TrailingLogs;
        _snapshotCheckTicks = (int)Math.Clamp(Math.Ceiling(options.SnapshotInterval / options.TickInterval), 1, int.MaxValue);

        if (_storage.Snapshot() is { Metadata.Index: > 0 } stored) RestoreSnapshot(stored);
        Volatile.Write(ref _snapshotIndex, _storage.SnapshotIndex);
        for (var low = _storage.SnapshotIndex + 1; low <= _storage.LastIndex;)
        {
            var batch = _storage.Entries(low, _storage.LastIndex + 1, _coreOptions.ApplyBatchBytesMax);
            LearnAddresses(batch);
            low += (ulong)batch.Count;
        }
        _node = new RaftNode(_coreOptions, _storage, new Random());
        _configuration = _node.Configuration;
        _ownedMeter = options.Meters is null ? new Meter(MeterName) : null;
        var meter = _ownedMeter ?? options.Meters!.Create(new MeterOptions(MeterName));
        _applies = meter.CreateCounter<long>("consul.raft.apply", "{command}", "commands proposed to the log");
        _commitTime = meter.CreateHistogram<double>("consul.raft.commitTime", "ms", "time from a proposal to its commit");
        // hashicorp/raft counts each entry into a state; Consul's servers report whether they lead.
        _becameLeader = meter.CreateCounter<long>("consul.raft.state.leader", "{election}", "times this server became leader");
        _becameCandidate = meter.CreateCounter<long>("consul.raft.state.candidate", "{election}", "times this server started an election");
        _becameFollower = meter.CreateCounter<long>("consul.raft.state.follower", "{transition}", "times this server became a follower");
        meter.CreateObservableGauge("consul.server.isLeader", () => _view.IsLeader ? 1 : 0, description: "1 while this server is the leader, else 0");
        ElectIfAlone();
        HandleReadies();
        _ticker = _time.CreateTimer(static state => ((RaftLog)state!)._inputs.Writer.TryWrite(default), this, options.TickInterval, options.TickInterval);
        _loop = Task.Run(RunAsync);
    }

    /// <summary>
    /// The <c>-dev</c> log: server 1 at <paramref name="serverAddress"/>, the only voter, in memory.
    /// Its configuration is part of its empty initial state rather than a logged change, so, as
    /// in Consul, the leader's no-op is entry 1 and the first command is entry 2.
    /// </summary>
    public static RaftLog SingleNode(IStateMachine stateMachine, string serverAddress, IMeterFactory? meters = null) =>
        new(new RaftLogOptions
        {
            ServerId = 1,
            Storage = new MemoryRaftStorage(Configuration.Of(1)),
            StateMachine = stateMachine,
            Addresses = new Dictionary<ulong, string> { [1] = serverAddress },
            Meters = meters,
        });

    /// <summary>
    /// Opens (creating it when absent) the durable storage of a server whose data directory is
    /// <paramref name="dataDirectory"/>: <c>&lt;data_dir&gt;/raft</c>, a <see cref="FileRaftStorage"/>.
    /// The caller logs its <see cref="FileRaftStorage.Warnings"/> and hands it to a log through
    /// <see cref="RaftLogOptions.Storage"/>.
    /// </summary>
    /// <exception cref="RaftStorageException">A stored file is damaged beyond a torn tail; the message names it, and start-up must stop.</exception>
    public static FileRaftStorage OpenDataDirectory(string dataDirectory, FileRaftStorageOptions? options = null) =>
        FileRaftStorage.Open(Path.Combine(dataDirectory, DataDirectoryName), options);

    /// <summary>This server's id.</summary>
    public ulong Id => _coreOptions.Id;

    /// <summary>What this server knows of the leader; nobody once the log has stopped.</summary>
    public LeaderState Leader
    {
        get
        {
            var view = _view;
            if (_stopped) return new LeaderState(IsLeader: false, LeaderAddress: "", TimeSpan.Zero);
            return new LeaderState(view.IsLeader, view.LeaderId == 0 ? "" : AddressOf(view.LeaderId), LastContact);
        }
    }

    /// <summary>Time since this server last heard from the leader: zero on the leader and before any leader was heard from (Consul's <c>X-Consul-LastContact</c>).</summary>
    public TimeSpan LastContact
    {
        get
        {
            var contact = Volatile.Read(ref _leaderContactTimestamp);
            return _view.IsLeader || contact == 0 ? TimeSpan.Zero : _time.GetElapsedTime(contact);
        }
    }

    /// <summary>The voters' addresses in id order (a voter without a known address by its id).</summary>
    public IReadOnlyList<string> Peers => [.. _configuration.Voters.Select(AddressOf)];

    /// <summary>The index of the last applied entry.</summary>
    public ulong AppliedIndex => Volatile.Read(ref _appliedIndex);

    /// <summary>The highest index this server knows committed (as of the loop's last batch).</summary>
    public ulong CommitIndex => Volatile.Read(ref _commitIndex);

    /// <summary>The index of the last entry in this server's log (as of the loop's last batch).</summary>
    public ulong LastIndex => Volatile.Read(ref _lastIndex);

    /// <summary>The current term (as of the loop's last batch).</summary>
    public ulong Term => Volatile.Read(ref _term);

    /// <summary>The index the latest snapshot (taken here or installed from the leader) covers through; 0: none.</summary>
    public ulong LastSnapshotIndex => Volatile.Read(ref _snapshotIndex);

    /// <summary>
    /// The RPC address of server <paramref name="serverId"/>: the one the latest configuration
    /// change (or snapshot) naming it carried, else the one in <see cref="RaftLogOptions.Addresses"/>.
    /// False when neither knows it. The transport resolves its peers through this.
    /// </summary>
    public bool TryGetAddress(ulong serverId, out string address) =>
        _logAddresses.TryGetValue(serverId, out address!) || _addressBook.TryGetValue(serverId, out address!);

    /// <summary>This server's view of the configuration, the leader and its log's indexes.</summary>
    public RaftConfigurationView GetConfiguration()
    {
        var configuration = _configuration;
        var leader = _view.LeaderId;
        var servers = configuration.Voters.Select(id => new RaftServer(id, AddressOf(id), Voter: true, id == leader))
            .Concat(configuration.NonVoters.Select(id => new RaftServer(id, AddressOf(id), Voter: false, id == leader)))
            .ToList();
        return new RaftConfigurationView(servers, leader, Term, LastIndex, CommitIndex, AppliedIndex);
    }

    /// <summary>
    /// Proposes <paramref name="command"/>. Cancellation only stops the caller waiting: a command
    /// already proposed may still be committed and applied, as a replicated log cannot take an
    /// entry back.
    /// </summary>
    public Task<ApplyResult> ApplyAsync(ReadOnlyMemory<byte> command, CancellationToken cancellationToken)
    {
        var proposal = new Proposal(command.ToArray());
        if (!_inputs.Writer.TryWrite(new Input(proposal, null, null)))
        {
            return Task.FromException<ApplyResult>(new NotLeaderException("the log is shut down"));
        }
        _applies.Add(1);
        return proposal.Completion.Task.WaitAsync(cancellationToken);
    }

    /// <summary>
    /// Makes this never-used server one of a new cluster's first servers with the configuration
    /// of <paramref name="voters"/> (this server among them): as <see cref="MemoryRaftStorage.Bootstrap"/>,
    /// it persists one committed add-voter entry of term 1 per voter, in id order, each carrying the
    /// voter's address, and restarts the core from them. Every first server must bootstrap with the
    /// same list. True when it bootstrapped; false, changing nothing, when the server already has
    /// state (a term, a log or a snapshot): an existing server is never bootstrapped again.
    /// </summary>
    /// <exception cref="ArgumentException">A voter id is 0 or repeated, an address is empty or too long, or this server is not in the list.</exception>
    public Task<bool> BootstrapAsync(IReadOnlyList<(ulong Id, string Address)> voters, CancellationToken cancellationToken)
    {
        var contexts = new Dictionary<ulong, byte[]>();
        foreach (var (id, address) in voters)
        {
            if (id == 0) throw new ArgumentException("voter id 0 is not allowed", nameof(voters));
            if (!contexts.TryAdd(id, AddressContext(id, address, nameof(voters)))) throw new ArgumentException($"voter {id} is listed twice", nameof(voters));
        }
        if (!contexts.ContainsKey(Id)) throw new ArgumentException($"this server ({Id}) is not among the voters", nameof(voters));
        var configuration = new Configuration([.. contexts.Keys], []);
        var completion = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        Call(() => completion.TrySetResult(Bootstrap(configuration, contexts)), ex => completion.TrySetException(ex));
        return completion.Task.WaitAsync(cancellationToken);
    }

    /// <summary>
    /// On the leader, the index a linearizable read must see, returned once this server has
    /// applied through it. With <paramref name="allowLease"/> and a valid leader lease
    /// (<see cref="RaftNode.TryLeaseRead"/>: Consul's default mode) it is the commit index at once;
    /// otherwise the core's read-index (<c>?consistent</c>): the commit index once a quorum has
    /// acknowledged a heartbeat sent after the call. Fails with <see cref="NotLeaderException"/>
    /// (naming the leader when known) on a follower, or when leadership is lost before the read is
    /// confirmed. Timeouts are the caller's <paramref name="cancellationToken"/>.
    /// </summary>
    public Task<ulong> ReadIndexAsync(bool allowLease, CancellationToken cancellationToken)
    {
        var completion = new TaskCompletionSource<ulong>(TaskCreationOptions.RunContinuationsAsynchronously);
        Call(() =>
        {
            if (allowLease && _node.TryLeaseRead(out var index))
            {
                CompleteWhenApplied(index, completion);
                return;
            }
            var requestId = ++_nextReadId;
            if (_node.ReadIndex(requestId)) _pendingReads[requestId] = completion;
            else completion.TrySetException(NotLeader());
        }, ex => completion.TrySetException(ex));
        return completion.Task.WaitAsync(cancellationToken);
    }

    /// <summary>
    /// Completes once this server has applied through <paramref name="index"/> (a follower serving
    /// a read at the index the leader's <see cref="ReadIndexAsync"/> gave). Fails with
    /// <see cref="NotLeaderException"/> when the log shuts down first.
    /// </summary>
    public Task WaitAppliedAsync(ulong index, CancellationToken cancellationToken)
    {
        if (AppliedIndex >= index) return Task.CompletedTask;
        var completion = new TaskCompletionSource<ulong>(TaskCreationOptions.RunContinuationsAsynchronously);
        Call(() => CompleteWhenApplied(index, completion), ex => completion.TrySetException(ex));
        return completion.Task.WaitAsync(cancellationToken);
    }

    /// <summary>
    /// Proposes one membership change on the leader: add <paramref name="serverId"/> as a voter
    /// (or promote a non-voter), add it as a non-voter, or remove it. An addition carries
    /// <paramref name="address"/> (<c>host:port</c>) in the entry, so every server learns it; a
    /// removal ignores it. Completes with the entry's index once it is committed (and applied here).
    /// </summary>
    /// <exception cref="NotLeaderException">This server is not the leader (or is handing leadership over), or lost leadership before the change committed.</exception>
    /// <exception cref="InvalidOperationException">The core refused the change (a previous change not committed yet, the leader's no-op not committed yet, the server already a member or not one...): the core's reason.</exception>
    /// <exception cref="ArgumentException">Server 0, or an addition without a valid address.</exception>
    public async Task<ulong> ChangeConfigurationAsync(ConfigChangeType type, ulong serverId, string address, CancellationToken cancellationToken)
    {
        if (serverId == 0) throw new ArgumentException("server id 0 is not allowed", nameof(serverId));
        var context = type == ConfigChangeType.RemoveServer ? [] : AddressContext(serverId, address, nameof(address));
        var change = new ConfigChange(type, serverId, context);
        var proposal = new Proposal(change.Encode());
        Call(() =>
        {
            if (_node.Role != RaftRole.Leader || _node.LeadershipTransferee != 0)
            {
                proposal.Completion.TrySetException(NotLeader());
            }
            else if (_node.TryProposeConfigChange(change, out var index, out var problem))
            {
                proposal.Term = _node.Term;
                _inFlight[index] = proposal;
            }
            else
            {
                proposal.Completion.TrySetException(new InvalidOperationException($"configuration change refused: {problem}"));
            }
        }, ex => proposal.Completion.TrySetException(ex));
        return (await proposal.Completion.Task.WaitAsync(cancellationToken).ConfigureAwait(false)).Index;
    }

    /// <summary>
    /// Hands leadership to voter <paramref name="target"/> (null: the most caught-up other voter),
    /// for a graceful leave. Completes once another server is known to lead.
    /// </summary>
    /// <exception cref="NotLeaderException">This server is not the leader.</exception>
    /// <exception cref="InvalidOperationException">There is no other voter, the target is not one, or the transfer did not complete within an election timeout.</exception>
    public Task TransferLeadershipAsync(ulong? target, CancellationToken cancellationToken)
    {
        var completion = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Call(() =>
        {
            if (_node.Role != RaftRole.Leader)
            {
                completion.TrySetException(NotLeader());
                return;
            }
            var to = target ?? _node.MostCaughtUpVoter();
            if (to == 0)
            {
                completion.TrySetException(new InvalidOperationException("leadership transfer: there is no other voter"));
            }
            else if (!_node.TryTransferLeadership(to, out var problem))
            {
                completion.TrySetException(new InvalidOperationException($"leadership transfer to server {to} refused: {problem}"));
            }
            else
            {
                _transferTarget = to;
                _transfers.Add(completion);
            }
        }, ex => completion.TrySetException(ex));
        return completion.Task.WaitAsync(cancellationToken);
    }

    /// <summary>The transport's inbound side: a message from another server, stepped on the loop. Ignored once the log has stopped.</summary>
    public void Deliver(RaftMessage message) => _inputs.Writer.TryWrite(new Input(null, message, null));

    private static byte[] AddressContext(ulong serverId, string address, string parameter)
    {
        if (string.IsNullOrWhiteSpace(address)) throw new ArgumentException($"server {serverId} has no address", parameter);
        var bytes = Encoding.UTF8.GetBytes(address);
        if (bytes.Length > ConfigChange.ContextBytesMax) throw new ArgumentException($"server {serverId}'s address is {bytes.Length} bytes, more than {ConfigChange.ContextBytesMax}", parameter);
        return bytes;
    }

    /// <summary>Runs <paramref name="run"/> on the loop; <paramref name="fail"/> when the log has stopped or <paramref name="run"/> throws.</summary>
    private void Call(Action run, Action<Exception> fail)
    {
        if (!_inputs.Writer.TryWrite(new Input(null, null, new LoopCall(run, fail)))) fail(new NotLeaderException("the log is shut down"));
    }

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
            // A command the state machine cannot apply, a storage failure, or a broken invariant
            // in the core: stop rather than diverge from the other servers.
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
        else if (input.Call is { } call)
        {
            try
            {
                call.Run();
            }
            catch (Exception ex)
            {
                call.Fail(ex);
                throw;
            }
        }
        else
        {
            // Between two batches every Ready has been advanced: a snapshot may be taken.
            if (++_ticksSinceSnapshotCheck >= _snapshotCheckTicks)
            {
                _ticksSinceSnapshotCheck = 0;
                MaybeSnapshot();
            }
            _node.Tick();
        }
    }

    private bool Bootstrap(Configuration configuration, Dictionary<ulong, byte[]> contexts)
    {
        if (_node.Term != 0 || _node.LastIndex != 0 || _storage.LastIndex != 0 || _storage.HardState != default || _node.Configuration.Voters.Count + _node.Configuration.NonVoters.Count > 0)
        {
            return false;
        }
        var entries = MemoryRaftStorage.BootstrapEntries(configuration, contexts);
        _storage.Append(entries);
        _storage.SetHardState(MemoryRaftStorage.BootstrapHardState(entries));
        LearnAddresses(entries);
        _node = new RaftNode(_coreOptions, _storage, new Random());
        _configuration = _node.Configuration;
        ElectIfAlone();
        return true;
    }

    private void ElectIfAlone()
    {
        var configuration = _node.Configuration;
        if (configuration.Voters.Count != 1 || !configuration.Voters.Contains(_node.Id)) return;
        // Alone, it wins its first election without a message: run its clock to it now.
        for (var i = 0; i < 2 * _coreOptions.ElectionTicks && _node.Role != RaftRole.Leader; i++) _node.Tick();
    }

    /// <summary>Starts a snapshot of the applied state when the threshold is reached and none is being written: captured here, written off the loop.</summary>
    private void MaybeSnapshot()
    {
        var applied = _node.AppliedIndex;
        if (_snapshotWrite is not null || applied < _snapshotIndex + _snapshotThreshold || !_storage.TryGetTerm(applied, out var term)) return;
        var configuration = _node.ConfigurationAt(applied);
        var addresses = _logAddresses.Where(a => configuration.Contains(a.Key)).OrderBy(a => a.Key).ToList();
        var writeState = _stateMachine.CaptureSnapshot();
        // A thread of its own: serializing and fsyncing a large state is long, blocking work the thread pool should not carry.
        _snapshotWrite = Task.Factory.StartNew(() =>
        {
            try
            {
                var snapshot = new RaftSnapshot(new SnapshotMetadata(applied, term, configuration), SnapshotEnvelope.Write(addresses, writeState));
                _storage.WriteSnapshot(snapshot);
                Call(() => RecordSnapshot(snapshot), _ => { });
            }
            catch (Exception ex)
            {
                // A storage failure stops the log, as it would on the loop.
                Call(() => throw new IOException($"writing the snapshot at index {applied} failed: {ex.Message}", ex), _ => { });
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    /// <summary>On the loop, once the snapshot is written: records it in storage (compacting the log) and tells the core, unless a newer one (from the leader) came meanwhile.</summary>
    private void RecordSnapshot(RaftSnapshot snapshot)
    {
        _snapshotWrite = null;
        var index = snapshot.Metadata.Index;
        if (index <= _storage.SnapshotIndex) return;
        _storage.CreateSnapshot(index, snapshot.Metadata.Configuration, snapshot.Data, _trailingLogs);
        _node.SnapshotTaken(index);
        Volatile.Write(ref _snapshotIndex, index);
    }

    private void HandleReadies()
    {
        while (_node.HasReady) HandleReady(_node.Ready());
        Volatile.Write(ref _commitIndex, _node.CommitIndex);
        Volatile.Write(ref _lastIndex, _node.LastIndex);
        Volatile.Write(ref _term, _node.Term);
        _configuration = _node.Configuration;
        CheckTransfers();
    }

    private void HandleReady(Ready ready)
    {
        if (ready.SoftState is { } soft) PublishLeader(soft);
        // A leader's messages promise nothing about its own disk (it counts its own copy of an entry
        // only after Advance), so it replicates while it writes, as Raft thesis §10.2.1 allows: the
        // followers' fsyncs overlap its own instead of following it. Everyone else persists first.
        var sendFirst = _node.Role == RaftRole.Leader && ready.Snapshot is null;
        if (sendFirst) Send(ready);
        if (ready.Snapshot is { } snapshot)
        {
            // Storage's snapshot files have one writer: the snapshot being written goes first (it is dropped when recorded, being older).
            _snapshotWrite?.Wait();
            _storage.ApplySnapshot(snapshot);
            RestoreSnapshot(snapshot);
            Volatile.Write(ref _snapshotIndex, snapshot.Metadata.Index);
        }
        if (ready.Entries.Count > 0)
        {
            _storage.Append(ready.Entries);
            LearnAddresses(ready.Entries);
        }
        if (ready.HardState is { } hard) _storage.SetHardState(hard);
        if (!sendFirst) Send(ready);
        foreach (var entry in ready.CommittedEntries) Apply(entry);
        ReleaseAppliedWaiters();
        foreach (var read in ready.ReadStates)
        {
            if (_pendingReads.Remove(read.RequestId, out var completion)) CompleteWhenApplied(read.Index, completion);
        }
        if (_node.Role != RaftRole.Leader && (_inFlight.Count > 0 || _pendingReads.Count > 0))
        {
            // Entries proposed in a term this server no longer leads may yet commit under the new
            // leader, or be overwritten: their proposers cannot know which, as with hashicorp/raft's
            // ErrLeadershipLost. The core drops unconfirmed reads with the leadership.
            // Unlike a refusal (NotLeader), the message says the outcome is unknown, so a forwarder never retries it.
            FailInFlight(new NotLeaderException(LeadershipLostMessage));
            FailPendingReads(NotLeader());
        }
        _node.Advance(ready);
        PublishMatchIndexes();
    }

    private void Send(Ready ready)
    {
        if (_transport is { } transport)
        {
            foreach (var message in ready.Messages) transport.Send(message);
        }
    }

    /// <summary>On the leader, each server's replicated index for <see cref="MatchIndex"/> (rebuilt only when one moved).</summary>
    private void PublishMatchIndexes()
    {
        var published = _matchIndexes;
        var leader = _node.Role == RaftRole.Leader;
        if (!leader && published.Count == 0) return; // a follower has nothing to publish: keep it off its hot path
        var changed = leader != published.Count > 0;
        foreach (var id in _configuration.Voters.Concat(_configuration.NonVoters))
        {
            if (changed) break;
            changed = _node.TryGetMatchIndex(id, out var match) && (!published.TryGetValue(id, out var old) || old != match);
        }
        if (!changed) return;
        var matches = new Dictionary<ulong, ulong>();
        foreach (var id in _configuration.Voters.Concat(_configuration.NonVoters))
        {
            if (_node.TryGetMatchIndex(id, out var match)) matches[id] = match;
        }
        _matchIndexes = matches;
    }

    /// <summary>On the leader, the last index known replicated on server <paramref name="serverId"/>; 0 on a follower or for an unknown server.</summary>
    public ulong MatchIndex(ulong serverId) => _matchIndexes.GetValueOrDefault(serverId);

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

    /// <summary>Replaces the state machine's state and the known addresses with <paramref name="snapshot"/>'s.</summary>
    private void RestoreSnapshot(RaftSnapshot snapshot)
    {
        var (addresses, offset) = SnapshotEnvelope.Read(snapshot.Data);
        using (var data = new MemoryStream(snapshot.Data, offset, snapshot.Data.Length - offset, writable: false))
        {
            _stateMachine.Restore(data);
        }
        _logAddresses = _logAddresses.SetItems(addresses);
        Volatile.Write(ref _appliedIndex, snapshot.Metadata.Index);
        ReleaseAppliedWaiters();
    }

    /// <summary>Keeps the address each configuration change in <paramref name="entries"/> carries (the latest wins).</summary>
    private void LearnAddresses(IReadOnlyList<LogEntry> entries)
    {
        ImmutableDictionary<ulong, string>.Builder? learned = null;
        foreach (var entry in entries)
        {
            if (entry.Type != LogEntryType.ConfigChange || !ConfigChange.TryDecode(entry.Command, out var change, out _)) continue;
            if (change.Type == ConfigChangeType.RemoveServer || change.Context.Length == 0) continue;
            learned ??= _logAddresses.ToBuilder();
            learned[change.NodeId] = Encoding.UTF8.GetString(change.Context);
        }
        if (learned is not null) _logAddresses = learned.ToImmutable();
    }

    private void CompleteWhenApplied(ulong index, TaskCompletionSource<ulong> completion)
    {
        if (Volatile.Read(ref _appliedIndex) >= index) completion.TrySetResult(index);
        else _appliedWaiters.Enqueue(completion, index);
    }

    private void ReleaseAppliedWaiters()
    {
        var applied = Volatile.Read(ref _appliedIndex);
        while (_appliedWaiters.TryPeek(out var completion, out var index) && index <= applied)
        {
            _appliedWaiters.Dequeue();
            completion.TrySetResult(index);
        }
    }

    /// <summary>Completes the leadership transfers once another server leads; fails them when the core gave up.</summary>
    private void CheckTransfers()
    {
        if (_transfers.Count == 0) return;
        if (_node.Role == RaftRole.Leader && _node.LeadershipTransferee == 0)
        {
            var failure = new InvalidOperationException($"leadership transfer to server {_transferTarget} did not complete within an election timeout");
            foreach (var transfer in _transfers) transfer.TrySetException(failure);
        }
        else if (_node.Role != RaftRole.Leader && _node.Leader != 0 && _node.Leader != _node.Id)
        {
            foreach (var transfer in _transfers) transfer.TrySetResult();
        }
        else
        {
            return;
        }
        _transfers.Clear();
    }

    private void PublishLeader(SoftState soft)
    {
        _view = new LeaderView(soft.Role == RaftRole.Leader, soft.Leader);
        if (soft.Role != _publishedRole)
        {
            _publishedRole = soft.Role;
            var counter = soft.Role switch
            {
                RaftRole.Leader => _becameLeader,
                RaftRole.Candidate => _becameCandidate,
                RaftRole.Follower => _becameFollower,
                _ => null, // a pre-candidate has not started an election
            };
            counter?.Add(1);
        }
        if (soft.Leader != 0 && soft.Role != RaftRole.Leader) Volatile.Write(ref _leaderContactTimestamp, _time.GetTimestamp());
    }

    private string AddressOf(ulong id) => TryGetAddress(id, out var address) ? address : id.ToString(CultureInfo.InvariantCulture);

    /// <summary>hashicorp/raft's ErrLeadershipLost: a proposal whose fate this server can no longer know.</summary>
    public const string LeadershipLostMessage = "leadership lost while committing log";

    private NotLeaderException NotLeader() =>
        _node.Leader is var leader && leader != 0 && leader != _node.Id
            ? new NotLeaderException($"not the leader; the leader is {AddressOf(leader)}")
            : new NotLeaderException("No cluster leader");

    private void FailInFlight(Exception reason)
    {
        foreach (var proposal in _inFlight.Values) proposal.Completion.TrySetException(reason);
        _inFlight.Clear();
    }

    private void FailPendingReads(Exception reason)
    {
        foreach (var read in _pendingReads.Values) read.TrySetException(reason);
        _pendingReads.Clear();
    }

    private void Stop(Exception reason)
    {
        _stopped = true;
        _inputs.Writer.TryComplete();
        FailInFlight(reason);
        FailPendingReads(reason);
        while (_appliedWaiters.TryDequeue(out var waiter, out _)) waiter.TrySetException(reason);
        foreach (var transfer in _transfers) transfer.TrySetException(reason);
        _transfers.Clear();
        while (_inputs.Reader.TryRead(out var pending))
        {
            pending.Proposal?.Completion.TrySetException(reason);
            pending.Call?.Fail(reason);
        }
    }

    /// <summary>
    /// Stops the loop: inputs already queued are handled first; requests not completed by then fail
    /// with <see cref="NotLeaderException"/>. Then disposes the storage when it is disposable.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        _inputs.Writer.TryComplete();
        await _ticker.DisposeAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        if (_snapshotWrite is { } write) await write.ConfigureAwait(false);
        (_storage as IDisposable)?.Dispose();
        _ownedMeter?.Dispose();
    }

    /// <summary>One input of the loop: a proposal, a message, an API request, or (none of them) a tick.</summary>
    private readonly record struct Input(Proposal? Proposal, RaftMessage? Message, LoopCall? Call);

    /// <summary>An API request run on the loop, and how to fail it when it cannot run.</summary>
    private sealed record LoopCall(Action Run, Action<Exception> Fail);

    /// <summary>The leader as last reported by the core's soft state.</summary>
    private sealed record LeaderView(bool IsLeader, ulong LeaderId)
    {
        public static LeaderView None { get; } = new(false, 0);
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
