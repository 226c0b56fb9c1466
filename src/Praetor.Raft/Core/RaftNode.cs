namespace Praetor.Raft.Core;

/// <summary>
/// One Raft server as a pure, synchronous state machine (DESIGN principle 1, etcd's raft): its
/// inputs are <see cref="Tick"/>, <see cref="Step"/> (a message from another server) and local
/// requests (<see cref="TryPropose"/>, <see cref="TryProposeConfigChange"/>, <see cref="ReadIndex"/>,
/// <see cref="TryLeaseRead"/>, <see cref="TryTransferLeadership"/>); its outputs come out in a
/// <see cref="Core.Ready"/> batch that the host carries out and acknowledges with <see cref="Advance"/>.
/// No clock, thread, socket or randomness of its own: time is the count of ticks, randomness the
/// injected <see cref="Random"/>, so a seeded simulation replays it exactly.
/// </summary>
/// <remarks>
/// Not thread-safe: the host calls it from one thread (or under one lock). Messages are trusted
/// to be well-formed (the wire codec checks them); a broken invariant — a commit index going
/// back, a committed entry being truncated — throws <see cref="InvalidOperationException"/> and the
/// node must stop.
/// </remarks>
public sealed partial class RaftNode
{
    private readonly RaftOptions _options;
    private readonly RaftFaults _faults;
    private readonly Random _random;
    private readonly IRaftStorage _storage;
    private readonly RaftLog _log;
    private readonly List<RaftMessage> _outbox = [];
    private readonly Dictionary<ulong, Progress> _progress = [];

    private int _electionElapsed;
    private int _heartbeatElapsed;
    private int _randomizedElectionTimeout;
    private int _leaderContactElapsed;
    private long _now;

    private HardState _lastHardState;
    private SoftState _lastSoftState;
    private Ready? _handedOut;

    /// <summary>
    /// Starts a server from what <paramref name="storage"/> holds (see
    /// <see cref="MemoryRaftStorage.Bootstrap"/> and <see cref="MemoryRaftStorage.Empty"/> for new
    /// servers). <paramref name="random"/> draws the election timeouts; give each server its own,
    /// seeded in a simulation. Everything through the stored snapshot counts as applied — the host
    /// restores its state machine from that snapshot first — and committed entries after it are
    /// handed out again to apply.
    /// </summary>
    public RaftNode(RaftOptions options, IRaftStorage storage, Random random)
    {
        var problems = options.Validate();
        if (problems.Count > 0) throw new ArgumentException("invalid Raft options: " + string.Join("; ", problems), nameof(options));
        _options = options;
        _faults = options.Faults;
        _random = random;
        _storage = storage;
        var (hardState, configuration) = storage.InitialState();
        _log = new RaftLog(storage, hardState.Commit) { Appended = OnAppended };
        _baseConfiguration = configuration;
        _baseConfigurationIndex = storage.SnapshotIndex;
        ReplayConfigurationChanges();
        Term = hardState.Term;
        Vote = hardState.Vote;
        _lastHardState = hardState;
        BecomeFollower(Term, 0);
        // A server that just started may have acknowledged a leader before it went down: it
        // grants no vote for an election timeout, as if it had just heard from that leader, so a
        // restart cannot cut a leader's lease short.
        _leaderContactElapsed = 0;
        _lastSoftState = SoftState;
    }

    /// <summary>This server's id.</summary>
    public ulong Id => _options.Id;

    /// <summary>The current term.</summary>
    public ulong Term { get; private set; }

    /// <summary>Who this server voted for in the current term (0: nobody).</summary>
    public ulong Vote { get; private set; }

    /// <summary>The known leader of the current term (0: none known).</summary>
    public ulong Leader { get; private set; }

    /// <summary>This server's role.</summary>
    public RaftRole Role { get; private set; }

    /// <summary>The highest index known committed.</summary>
    public ulong CommitIndex => _log.Committed;

    /// <summary>The highest index the host has applied (through <see cref="Advance"/>).</summary>
    public ulong AppliedIndex => _log.Applied;

    /// <summary>The index of the last entry in the log (stable or not).</summary>
    public ulong LastIndex => _log.LastIndex;

    /// <summary>On the leader, the highest index known to be replicated on <paramref name="id"/> (its progress' match); false elsewhere or for a server without progress.</summary>
    public bool TryGetMatchIndex(ulong id, out ulong match)
    {
        match = 0;
        if (Role != RaftRole.Leader || !_progress.TryGetValue(id, out var progress)) return false;
        match = id == Id ? LastIndex : progress.Match;
        return true;
    }

    /// <summary>Ticks since this server last heard from a leader (0 on the leader): Consul's X-Consul-LastContact, in ticks.</summary>
    public int TicksSinceLeaderContact => Role == RaftRole.Leader ? 0 : _leaderContactElapsed;

    /// <summary>The leader and role, as the next <see cref="Core.Ready"/> reports them when they change.</summary>
    public SoftState SoftState => new(Leader, Role);

    private HardState HardState => new(Term, Vote, _log.Committed);

    /// <summary>
    /// Advances time by one tick: a follower or candidate whose election timeout runs out
    /// campaigns; a leader sends heartbeats and, every election timeout, checks it still hears
    /// from a quorum (check-quorum).
    /// </summary>
    public void Tick()
    {
        _now++;
        if (_leaderContactElapsed < int.MaxValue) _leaderContactElapsed++;
        if (Role == RaftRole.Leader) TickLeader();
        else TickElection();
    }

    /// <summary>Whether <see cref="Ready"/> has anything to hand out (asked between <see cref="Advance"/> and the next <see cref="Ready"/>).</summary>
    public bool HasReady =>
        SoftState != _lastSoftState || HardState != _lastHardState || _log.UnstableSnapshot is not null ||
        _log.LastStableIndex < _log.LastIndex || _outbox.Count > 0 || _readStates.Count > 0 ||
        (Role == RaftRole.Leader && (_broadcastPending || _readHeartbeatPending)) ||
        _log.HasNextToApply(_faults.ApplyBeforeCommit);

    /// <summary>
    /// The work accumulated since the last hand-off: the caller follows the <see cref="Core.Ready"/>
    /// contract and then calls <see cref="Advance"/>; no second Ready before that.
    /// </summary>
    public Ready Ready()
    {
        if (_handedOut is not null) throw new InvalidOperationException("Ready called again before Advance");
        if (Role == RaftRole.Leader)
        {
            if (_broadcastPending) BroadcastAppend(sendIfEmpty: false);
            if (_readHeartbeatPending) BroadcastHeartbeat();
        }
        var soft = SoftState;
        var hard = HardState;
        var ready = new Ready
        {
            SoftState = soft != _lastSoftState ? soft : null,
            HardState = hard != _lastHardState ? hard : null,
            Snapshot = _log.UnstableSnapshot,
            Entries = _log.UnstableEntries,
            Messages = [.. _outbox],
            CommittedEntries = _log.NextToApply(_options.ApplyBatchBytesMax, _faults.ApplyBeforeCommit),
            ReadStates = [.. _readStates],
        };
        _outbox.Clear();
        _readStates.Clear();
        _lastSoftState = soft;
        _lastHardState = hard;
        _handedOut = ready;
        return ready;
    }

    /// <summary>
    /// The host has carried out <paramref name="ready"/> (persisted, sent, applied): its entries
    /// are stable — the leader now counts its own copy toward commit — and its committed entries applied.
    /// </summary>
    public void Advance(Ready ready)
    {
        if (!ReferenceEquals(ready, _handedOut)) throw new InvalidOperationException("Advance with a Ready that was not the last one handed out");
        _handedOut = null;
        if (ready.Snapshot is { } snapshot)
        {
            _log.StableSnapshotTo(snapshot.Metadata.Index);
            _log.AppliedTo(Math.Max(_log.Applied, snapshot.Metadata.Index));
        }
        if (ready.Entries.Count > 0)
        {
            var last = ready.Entries[^1];
            _log.StableTo(last.Index, last.Term);
            if (Role == RaftRole.Leader && _progress.TryGetValue(Id, out var self) && self.MaybeUpdate(_log.LastStableIndex) && MaybeCommit())
            {
                BroadcastAppend(sendIfEmpty: true);
            }
        }
        if (ready.CommittedEntries.Count > 0) _log.AppliedTo(ready.CommittedEntries[^1].Index);
    }

    /// <summary>
    /// A message from another server. Messages for another server, from server 0 or from itself,
    /// and malformed ones (<see cref="IsWellFormed"/>) are ignored, as is anything from an older
    /// term (after telling a stale leader the term).
    /// </summary>
    public void Step(RaftMessage message)
    {
        if (message.To != Id || message.From == 0 || message.From == Id || !IsWellFormed(message)) return;
        if (message.Term > Term)
        {
            if (message is RequestVote or PreVote)
            {
                var forced = message is RequestVote { LeadershipTransfer: true };
                // Leader stickiness (thesis §4.2.3): while this server hears from a live leader it
                // ignores campaigns, so a partitioned or removed server cannot depose it.
                if (!forced && InLease) return;
            }
            // Pre-vote changes no term: granting one, or winning one, is only a promise.
            if (message is not (PreVote or PreVoteResponse { Granted: true }))
            {
                BecomeFollower(message.Term, message is AppendEntries or Heartbeat or InstallSnapshot ? message.From : 0);
            }
        }
        else if (message.Term < Term)
        {
            if (message is AppendEntries stale && _faults.AcceptStaleTermAppend)
            {
                HandleAppendEntries(stale);
            }
            else if (message is AppendEntries or Heartbeat or InstallSnapshot)
            {
                // Tell the stale leader the current term so it steps down (it may have been
                // partitioned, and with pre-vote no candidate's higher term would reach it).
                Send(new AppendResponse(Id, message.From, Term, 0, false, 0, 0));
            }
            else if (message is PreVote)
            {
                Send(new PreVoteResponse(Id, message.From, Term, false));
            }
            return;
        }

        switch (message)
        {
            case RequestVote vote:
                HandleVoteRequest(vote.From, vote.Term, vote.LastLogIndex, vote.LastLogTerm, preVote: false);
                return;
            case PreVote preVote:
                HandleVoteRequest(preVote.From, preVote.Term, preVote.LastLogIndex, preVote.LastLogTerm, preVote: true);
                return;
        }
        switch (Role)
        {
            case RaftRole.Leader:
                StepLeader(message);
                break;
            case RaftRole.Candidate or RaftRole.PreCandidate:
                StepCandidate(message);
                break;
            default:
                StepFollower(message);
                break;
        }
    }

    /// <summary>
    /// What the wire codec cannot check: an AppendEntries whose entries do not follow on from
    /// PrevLogIndex one by one, or carry a term above the message's or below the one before them;
    /// a snapshot from a term above the message's.
    /// </summary>
    private static bool IsWellFormed(RaftMessage message)
    {
        switch (message)
        {
            case AppendEntries append:
                var term = append.PrevLogTerm;
                for (var i = 0; i < append.Entries.Count; i++)
                {
                    var entry = append.Entries[i];
                    if (entry.Index != append.PrevLogIndex + 1 + (ulong)i || entry.Term < term || entry.Term > append.Term) return false;
                    term = entry.Term;
                }
                return append.PrevLogTerm <= append.Term;
            case InstallSnapshot install:
                return install.Snapshot.Metadata.Term <= install.Term;
            default:
                return true;
        }
    }

    /// <summary>Whether this server is within an election timeout of hearing from a live leader (or is one), and so refuses campaigns.</summary>
    private bool InLease => Role == RaftRole.Leader || _leaderContactElapsed < _options.ElectionTicks;

    private void StepFollower(RaftMessage message)
    {
        switch (message)
        {
            case AppendEntries append:
                HeardFromLeader(append.From);
                HandleAppendEntries(append);
                break;
            case Heartbeat heartbeat:
                HeardFromLeader(heartbeat.From);
                _log.CommitTo(Math.Min(heartbeat.Commit, _log.LastIndex));
                Send(new HeartbeatResponse(Id, heartbeat.From, Term, heartbeat.Sequence));
                break;
            case InstallSnapshot install:
                HeardFromLeader(install.From);
                HandleInstallSnapshot(install);
                break;
            case TimeoutNow:
                if (IsPromotable) Campaign(preVote: false, leadershipTransfer: true);
                break;
        }
    }

    private void HeardFromLeader(ulong leader)
    {
        _electionElapsed = 0;
        _leaderContactElapsed = 0;
        Leader = leader;
    }

    private void HandleAppendEntries(AppendEntries append)
    {
        if (append.PrevLogIndex < _log.Committed)
        {
            Send(new AppendResponse(Id, append.From, Term, _log.Committed, false, 0, 0));
            return;
        }
        if (_log.TryAppend(append.PrevLogIndex, append.PrevLogTerm, append.LeaderCommit, append.Entries, out var lastNew))
        {
            Send(new AppendResponse(Id, append.From, Term, lastNew, false, 0, 0));
            return;
        }
        var (hintIndex, hintTerm) = _log.FindConflictByTerm(Math.Min(append.PrevLogIndex, _log.LastIndex), append.PrevLogTerm);
        Send(new AppendResponse(Id, append.From, Term, append.PrevLogIndex, true, hintIndex, hintTerm));
    }

    private void HandleInstallSnapshot(InstallSnapshot install)
    {
        var metadata = install.Snapshot.Metadata;
        if (metadata.Index <= _log.Committed)
        {
            Send(new InstallSnapshotResponse(Id, install.From, Term, _log.Committed));
            return;
        }
        if (_log.MatchTerm(metadata.Index, metadata.Term))
        {
            // The log already holds what the snapshot covers: only the commit moves.
            _log.CommitTo(metadata.Index);
            Send(new InstallSnapshotResponse(Id, install.From, Term, _log.Committed));
            return;
        }
        _log.Restore(install.Snapshot);
        _baseConfiguration = metadata.Configuration;
        _baseConfigurationIndex = metadata.Index;
        _configurationHistory.Clear();
        Send(new InstallSnapshotResponse(Id, install.From, Term, metadata.Index));
    }

    private void Send(RaftMessage message) => _outbox.Add(message);

    private void BecomeFollower(ulong term, ulong leader)
    {
        ResetTerm(term);
        Role = RaftRole.Follower;
        Leader = leader;
        if (leader != 0) _leaderContactElapsed = 0;
    }

    private void ResetTerm(ulong term)
    {
        if (term != Term)
        {
            Term = term;
            Vote = 0;
        }
        Leader = 0;
        _electionElapsed = 0;
        _heartbeatElapsed = 0;
        _randomizedElectionTimeout = _options.ElectionTicks + _random.Next(_options.ElectionTicks);
        _leadershipTransferee = 0;
        _leaseForfeited = false;
        _broadcastPending = false;
        _votes.Clear();
        _grantedTally = 0;
        _rejectedTally = 0;
        _progress.Clear();
        ClearReads();
    }
}
