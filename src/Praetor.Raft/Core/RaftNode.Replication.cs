namespace Praetor.Raft.Core;

/// <summary>The leader: log replication (§5.3) with batching and pipelining, commit (§5.4.2), heartbeats and check-quorum.</summary>
public sealed partial class RaftNode
{
    private bool _broadcastPending;

    /// <summary>
    /// Appends <paramref name="command"/> to the leader's log; it is sent to followers with the
    /// next <see cref="Ready"/>. <paramref name="index"/> is the index it will commit at if it
    /// commits in this <see cref="Term"/> (the host matches it against applied entries' index and
    /// term). False when this server is not the leader or is handing leadership over.
    /// </summary>
    public bool TryPropose(byte[] command, out ulong index)
    {
        index = 0;
        if (Role != RaftRole.Leader || _leadershipTransferee != 0) return false;
        index = AppendLocal(LogEntryType.Command, command);
        return true;
    }

    private void BecomeLeader()
    {
        ResetTerm(Term);
        Role = RaftRole.Leader;
        Leader = Id;
        Vote = Id;
        foreach (var member in Configuration.Voters.Concat(Configuration.NonVoters)) AddProgress(member);
        // A configuration change left uncommitted by an earlier leader must commit before another.
        _pendingConfigIndex = _log.LastIndex;
        // The no-op of §8: committing an entry of its own term commits everything before it
        // (§5.4.2) and tells the leader its commit index is current (needed to serve reads).
        AppendLocal(LogEntryType.Noop, []);
    }

    private void AddProgress(ulong member)
    {
        if (_progress.ContainsKey(member)) return;
        var progress = new Progress(_log.LastIndex + 1, _options.InflightAppendsMax) { RecentActive = true };
        if (member == Id)
        {
            progress.MaybeUpdate(_faults.AcknowledgeBeforeFsync ? _log.LastIndex : _log.LastStableIndex);
            progress.BecomeReplicate();
        }
        _progress[member] = progress;
    }

    private ulong AppendLocal(LogEntryType type, byte[] command)
    {
        var index = _log.LastIndex + 1;
        _log.Append([new LogEntry(Term, index, type, command)]);
        if (_faults.AcknowledgeBeforeFsync && _progress.TryGetValue(Id, out var self) && self.MaybeUpdate(index)) MaybeCommit();
        _broadcastPending = true;
        return index;
    }

    private void TickLeader()
    {
        _heartbeatElapsed++;
        _electionElapsed++;
        foreach (var (id, progress) in _progress)
        {
            if (progress.State != ReplicationState.Snapshot || ++progress.SnapshotElapsed < _options.ElectionTicks) continue;
            // No answer to the snapshot within an election timeout: take it as lost, probe again.
            progress.BecomeProbe();
            SendAppend(id, progress, sendIfEmpty: true);
        }
        if (_electionElapsed >= _options.ElectionTicks)
        {
            _electionElapsed = 0;
            if (!QuorumActive())
            {
                // Check-quorum: a leader cut off from a quorum steps down rather than keep
                // clients waiting on a term the rest of the cluster has left.
                BecomeFollower(Term, 0);
                return;
            }
            foreach (var progress in _progress.Values) progress.RecentActive = false;
            _leadershipTransferee = 0;
        }
        if (_heartbeatElapsed >= _options.HeartbeatTicks)
        {
            _heartbeatElapsed = 0;
            BroadcastHeartbeat();
        }
    }

    private bool QuorumActive()
    {
        var configuration = Configuration;
        var active = 0;
        foreach (var voter in configuration.Voters)
        {
            if (voter == Id || (_progress.TryGetValue(voter, out var progress) && progress.RecentActive)) active++;
        }
        return active >= configuration.Quorum;
    }

    private void StepLeader(RaftMessage message)
    {
        if (!_progress.TryGetValue(message.From, out var progress)) return;
        // An acknowledgement beyond this log cannot be an answer to it: ignore it.
        var acknowledged = message switch
        {
            AppendResponse { Reject: false } accepted => accepted.Index,
            InstallSnapshotResponse installed => installed.Index,
            _ => 0UL,
        };
        if (acknowledged > _log.LastIndex) return;
        progress.RecentActive = true;
        switch (message)
        {
            case AppendResponse { Reject: true } reject:
                // Fast backtracking: skip to where the follower's hint says the logs can agree.
                var nextProbe = reject.RejectHint;
                if (reject.HintTerm > 0) nextProbe = _log.FindConflictByTerm(reject.RejectHint, reject.HintTerm).Index;
                if (progress.MaybeDecreaseTo(reject.Index, nextProbe))
                {
                    if (progress.State == ReplicationState.Replicate) progress.BecomeProbe();
                    SendAppend(reject.From, progress, sendIfEmpty: true);
                }
                break;
            case AppendResponse accept:
                Acknowledged(accept.From, progress, accept.Index);
                break;
            case InstallSnapshotResponse installed:
                Acknowledged(installed.From, progress, installed.Index);
                break;
            case HeartbeatResponse heartbeat:
                progress.ProbeSent = false;
                if (progress.State == ReplicationState.Replicate && progress.InflightFull) progress.FreeFirstInflight();
                if (progress.Match < _log.LastIndex) SendAppend(heartbeat.From, progress, sendIfEmpty: true);
                HeartbeatAcknowledged(progress, heartbeat.Sequence);
                break;
        }
    }

    private void Acknowledged(ulong from, Progress progress, ulong index)
    {
        var wasPaused = progress.IsPaused;
        if (progress.MaybeUpdate(index) || (progress.Match == index && progress.State == ReplicationState.Probe))
        {
            switch (progress.State)
            {
                case ReplicationState.Probe:
                    progress.BecomeReplicate();
                    break;
                case ReplicationState.Snapshot when progress.Match >= progress.PendingSnapshot:
                    progress.BecomeProbe();
                    progress.BecomeReplicate();
                    break;
                case ReplicationState.Replicate:
                    progress.FreeInflightsTo(index);
                    break;
            }
            if (MaybeCommit()) BroadcastAppend(sendIfEmpty: true);
            else if (wasPaused) SendAppend(from, progress, sendIfEmpty: false);
            if (Role != RaftRole.Leader) return;
            // Pipelining: keep the window full while there is more to send.
            while (SendAppend(from, progress, sendIfEmpty: false)) { }
            if (from == _leadershipTransferee && progress.Match == _log.LastIndex) SendTimeoutNow(from);
        }
    }

    /// <summary>
    /// Commits the highest index a quorum of voters holds, only if it is of the current term
    /// (§5.4.2: an older term's entry is committed only by one of the current term above it).
    /// </summary>
    private bool MaybeCommit()
    {
        var configuration = Configuration;
        Span<ulong> matches = stackalloc ulong[configuration.Voters.Count];
        var count = 0;
        foreach (var voter in configuration.Voters)
        {
            matches[count++] = _progress.TryGetValue(voter, out var progress) ? progress.Match : 0;
        }
        matches.Sort();
        var quorumIndex = matches[count - configuration.Quorum];
        if (quorumIndex <= _log.Committed || !_log.TryGetTerm(quorumIndex, out var term) || term != Term) return false;
        var committedInTermBefore = CommittedInTerm;
        _log.CommitTo(quorumIndex);
        if (!committedInTermBefore) ReleaseReadsAwaitingTermCommit();
        if (!configuration.Voters.Contains(Id) && _log.Committed >= LatestConfigurationIndex)
        {
            // This leader's own removal is committed (thesis §4.2.2): tell the others, step down.
            BroadcastAppend(sendIfEmpty: true);
            BecomeFollower(Term, 0);
        }
        return true;
    }

    /// <summary>Whether the commit index has reached an entry of the current term (the leader's commit index is then current).</summary>
    private bool CommittedInTerm => _log.TryGetTerm(_log.Committed, out var term) && term == Term;

    private void BroadcastAppend(bool sendIfEmpty)
    {
        _broadcastPending = false;
        if (Role != RaftRole.Leader) return;
        foreach (var (id, progress) in _progress)
        {
            if (id == Id) continue;
            if (SendAppend(id, progress, sendIfEmpty))
            {
                while (SendAppend(id, progress, sendIfEmpty: false)) { }
            }
        }
    }

    /// <summary>
    /// Sends <paramref name="to"/> the next batch (at most <see cref="RaftOptions.AppendEntriesBatchEntriesMax"/>
    /// entries and about <see cref="RaftOptions.AppendEntriesBatchBytesMax"/> bytes), or the
    /// snapshot when the entries it needs are compacted. False when nothing was sent.
    /// </summary>
    private bool SendAppend(ulong to, Progress progress, bool sendIfEmpty)
    {
        if (progress.IsPaused) return false;
        var previousIndex = progress.Next - 1;
        var entries = _log.TryGetTerm(previousIndex, out var previousTerm)
            ? _log.Entries(progress.Next, _options.AppendEntriesBatchEntriesMax, _options.AppendEntriesBatchBytesMax)
            : null;
        if (entries is null) return SendSnapshot(to, progress);
        if (entries.Count == 0 && !sendIfEmpty) return false;
        Send(new AppendEntries(Id, to, Term, previousIndex, previousTerm, entries, _log.Committed));
        progress.SentEntries(entries.Count > 0 ? entries[^1].Index : previousIndex, entries.Count);
        return true;
    }

    private bool SendSnapshot(ulong to, Progress progress)
    {
        if (!progress.RecentActive) return false;
        var snapshot = _storage.Snapshot();
        if (snapshot is null || snapshot.Metadata.Index == 0) return false;
        progress.BecomeSnapshot(snapshot.Metadata.Index);
        Send(new InstallSnapshot(Id, to, Term, snapshot));
        return true;
    }
}
