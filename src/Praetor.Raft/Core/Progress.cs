namespace Praetor.Raft.Core;

/// <summary>How the leader replicates to one follower.</summary>
internal enum ReplicationState : byte
{
    /// <summary>Where the follower's log matches is unknown: one AppendEntries at a time, backing off on rejects.</summary>
    Probe,

    /// <summary>The log matches up to <see cref="Progress.Match"/>: AppendEntries are pipelined, next index advanced optimistically.</summary>
    Replicate,

    /// <summary>The follower needs entries the leader has compacted: a snapshot is on its way.</summary>
    Snapshot,
}

/// <summary>The leader's record of one server's replication (etcd's Progress).</summary>
internal sealed class Progress(ulong next, int inflightMax)
{
    private readonly Queue<ulong> _inflight = new();

    /// <summary>The highest index known replicated on the server.</summary>
    public ulong Match { get; private set; }

    /// <summary>The next index to send.</summary>
    public ulong Next { get; private set; } = next;

    /// <summary>How entries are sent to the server now.</summary>
    public ReplicationState State { get; private set; } = ReplicationState.Probe;

    /// <summary>In probe state: an AppendEntries is outstanding, wait for its answer (or a heartbeat answer).</summary>
    public bool ProbeSent { get; set; }

    /// <summary>In snapshot state: the index of the snapshot sent.</summary>
    public ulong PendingSnapshot { get; private set; }

    /// <summary>Ticks spent in snapshot state: after an election timeout without an answer the snapshot is taken as lost.</summary>
    public int SnapshotElapsed { get; set; }

    /// <summary>Heard from since the last check-quorum round.</summary>
    public bool RecentActive { get; set; }

    /// <summary>The highest heartbeat sequence the server acknowledged in this term.</summary>
    public ulong AckedSequence { get; set; }

    /// <summary>The leader's tick at which it sent the heartbeat the server last acknowledged (the start of the lease it grants); long.MinValue when none.</summary>
    public long LeaseStartTick { get; set; } = long.MinValue;

    /// <summary>Whether sending must wait: probe with one outstanding, replicate with a full window, snapshot in flight.</summary>
    public bool IsPaused => State switch
    {
        ReplicationState.Probe => ProbeSent,
        ReplicationState.Replicate => _inflight.Count >= inflightMax,
        _ => true,
    };

    /// <summary>Whether the pipelining window is full.</summary>
    public bool InflightFull => _inflight.Count >= inflightMax;

    /// <summary>An acknowledgement through <paramref name="index"/>; false when it tells nothing new.</summary>
    public bool MaybeUpdate(ulong index)
    {
        var updated = false;
        if (Match < index)
        {
            Match = index;
            updated = true;
            ProbeSent = false;
        }
        Next = Math.Max(Next, index + 1);
        return updated;
    }

    /// <summary>
    /// A reject of PrevLogIndex <paramref name="rejected"/>: move Next back, using the
    /// follower's hint <paramref name="matchHint"/>; false when the reject is stale (an answer to an
    /// older AppendEntries than the one now outstanding).
    /// </summary>
    public bool MaybeDecreaseTo(ulong rejected, ulong matchHint)
    {
        if (State == ReplicationState.Replicate)
        {
            if (rejected <= Match) return false;
            Next = Match + 1;
            return true;
        }
        if (Next == 0 || Next - 1 != rejected) return false;
        Next = Math.Max(Math.Min(rejected, matchHint + 1), Match + 1);
        ProbeSent = false;
        return true;
    }

    /// <summary>Sent an AppendEntries whose last entry is <paramref name="lastIndex"/> (0 entries: <paramref name="count"/> 0).</summary>
    public void SentEntries(ulong lastIndex, int count)
    {
        if (State == ReplicationState.Replicate)
        {
            if (count == 0) return;
            Next = lastIndex + 1;
            _inflight.Enqueue(lastIndex);
        }
        else if (State == ReplicationState.Probe)
        {
            ProbeSent = true;
        }
    }

    /// <summary>Frees the window of AppendEntries acknowledged through <paramref name="index"/>.</summary>
    public void FreeInflightsTo(ulong index)
    {
        while (_inflight.Count > 0 && _inflight.Peek() <= index) _inflight.Dequeue();
    }

    /// <summary>Frees one slot (a heartbeat answer shows the server alive while appends went unanswered).</summary>
    public void FreeFirstInflight()
    {
        if (_inflight.Count > 0) _inflight.Dequeue();
    }

    /// <summary>Back to one AppendEntries at a time, from after the match (or the snapshot sent).</summary>
    public void BecomeProbe()
    {
        Next = State == ReplicationState.Snapshot ? Math.Max(Match + 1, PendingSnapshot + 1) : Match + 1;
        Reset(ReplicationState.Probe);
    }

    /// <summary>The logs match through <see cref="Match"/>: pipeline from there.</summary>
    public void BecomeReplicate()
    {
        Next = Match + 1;
        Reset(ReplicationState.Replicate);
    }

    /// <summary>A snapshot through <paramref name="snapshotIndex"/> is on its way; nothing else is sent until it is answered.</summary>
    public void BecomeSnapshot(ulong snapshotIndex)
    {
        Reset(ReplicationState.Snapshot);
        PendingSnapshot = snapshotIndex;
    }

    private void Reset(ReplicationState state)
    {
        State = state;
        ProbeSent = false;
        PendingSnapshot = 0;
        SnapshotElapsed = 0;
        _inflight.Clear();
    }
}
