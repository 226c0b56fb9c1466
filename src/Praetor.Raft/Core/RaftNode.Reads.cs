namespace Praetor.Raft.Core;

/// <summary>
/// Reads on the leader without a log entry (thesis §6.4): read-index for <c>?consistent</c>
/// (leadership confirmed by a heartbeat round) and the leader lease for the default mode.
/// Followers serve neither: the host forwards such reads to the leader, as Consul does.
/// </summary>
public sealed partial class RaftNode
{
    private readonly List<ReadState> _readStates = [];
    private readonly List<(ulong Sequence, ulong Index, ulong RequestId)> _pendingReads = [];
    private readonly List<ulong> _readsAwaitingTermCommit = [];
    private readonly Queue<(ulong Sequence, long Tick)> _heartbeatsSent = new();
    private ulong _heartbeatSequence;
    private bool _readHeartbeatPending;
    private bool _leaseForfeited;

    /// <summary>
    /// Read-index: registers a linearizable read identified by <paramref name="requestId"/>. Once
    /// a quorum has acknowledged a heartbeat sent after this call (the leader was still the leader
    /// when the read arrived), a <see cref="ReadState"/> with the commit index as of this call comes
    /// out in a <see cref="Core.Ready"/>; the host serves the read after applying through it. A new
    /// leader first waits for its no-op to commit. False when this server is not the leader; a read
    /// pending when leadership is lost is dropped (the host's request timeout answers it).
    /// </summary>
    public bool ReadIndex(ulong requestId)
    {
        if (Role != RaftRole.Leader) return false;
        if (!CommittedInTerm)
        {
            _readsAwaitingTermCommit.Add(requestId);
            return true;
        }
        RegisterRead(requestId);
        return true;
    }

    private void RegisterRead(ulong requestId)
    {
        var configuration = Configuration;
        if (configuration.Voters.Count == 1 && configuration.Voters.Contains(Id))
        {
            _readStates.Add(new ReadState(_log.Committed, requestId));
            return;
        }
        // Every read registered before the next heartbeat broadcast shares it.
        _pendingReads.Add((_heartbeatSequence + 1, _log.Committed, requestId));
        _readHeartbeatPending = true;
    }

    private void ReleaseReadsAwaitingTermCommit()
    {
        foreach (var requestId in _readsAwaitingTermCommit) RegisterRead(requestId);
        _readsAwaitingTermCommit.Clear();
    }

    /// <summary>
    /// A default-mode read: true, with the commit index to serve at once applied, while this
    /// leader holds its lease — a quorum acknowledged a heartbeat it sent less than
    /// <see cref="RaftOptions.ElectionTicks"/> − <see cref="RaftOptions.LeaseClockDriftTicks"/> ticks
    /// ago (those servers vote for nobody else for an election timeout after receiving it), it has
    /// committed an entry of its term, and it has not sent <see cref="TimeoutNow"/> in this term.
    /// </summary>
    public bool TryLeaseRead(out ulong readIndex)
    {
        readIndex = 0;
        if (Role != RaftRole.Leader || !CommittedInTerm) return false;
        if (!_faults.ServeReadWithoutLease && (_leaseForfeited || !HoldsLease())) return false;
        readIndex = _log.Committed;
        return true;
    }

    private bool HoldsLease()
    {
        var configuration = Configuration;
        Span<long> starts = stackalloc long[configuration.Voters.Count];
        var count = 0;
        foreach (var voter in configuration.Voters)
        {
            starts[count++] = voter == Id ? _now : _progress.TryGetValue(voter, out var progress) ? progress.LeaseStartTick : long.MinValue;
        }
        starts.Sort();
        var quorumStart = starts[count - configuration.Quorum];
        return quorumStart != long.MinValue && _now < quorumStart + _options.ElectionTicks - _options.LeaseClockDriftTicks;
    }

    private void BroadcastHeartbeat()
    {
        _readHeartbeatPending = false;
        var sequence = ++_heartbeatSequence;
        _heartbeatsSent.Enqueue((sequence, _now));
        // A heartbeat older than the lease cannot start one: forget it.
        while (_heartbeatsSent.Peek().Tick + _options.ElectionTicks < _now) _heartbeatsSent.Dequeue();
        foreach (var (id, progress) in _progress)
        {
            if (id == Id) continue;
            Send(new Heartbeat(Id, id, Term, Math.Min(progress.Match, _log.Committed), sequence));
        }
        if (_progress.TryGetValue(Id, out var self)) HeartbeatAcknowledged(self, sequence);
    }

    private void HeartbeatAcknowledged(Progress progress, ulong sequence)
    {
        if (sequence <= progress.AckedSequence) return;
        progress.AckedSequence = sequence;
        foreach (var (sent, tick) in _heartbeatsSent)
        {
            if (sent == sequence)
            {
                progress.LeaseStartTick = Math.Max(progress.LeaseStartTick, tick);
                break;
            }
        }
        ReleaseConfirmedReads();
    }

    private void ReleaseConfirmedReads()
    {
        if (_pendingReads.Count == 0) return;
        var configuration = Configuration;
        Span<ulong> acked = stackalloc ulong[configuration.Voters.Count];
        var count = 0;
        foreach (var voter in configuration.Voters)
        {
            acked[count++] = _progress.TryGetValue(voter, out var progress) ? progress.AckedSequence : 0;
        }
        acked.Sort();
        var confirmed = acked[count - configuration.Quorum];
        var released = 0;
        while (released < _pendingReads.Count && _pendingReads[released].Sequence <= confirmed)
        {
            var (_, index, requestId) = _pendingReads[released++];
            _readStates.Add(new ReadState(index, requestId));
        }
        _pendingReads.RemoveRange(0, released);
    }

    private void ClearReads()
    {
        _pendingReads.Clear();
        _readsAwaitingTermCommit.Clear();
        _readHeartbeatPending = false;
    }
}
