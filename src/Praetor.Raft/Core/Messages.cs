namespace Praetor.Raft.Core;

/// <summary>
/// A message between Raft servers. <see cref="Term"/> is the sender's current term (for a
/// <see cref="PreVote"/>, the term it would campaign in). The core never sends to itself; the host
/// delivers each message to <see cref="To"/>'s <see cref="RaftNode.Step"/>, in any order, any number
/// of times, or not at all: the protocol tolerates loss, duplication and reordering.
/// </summary>
public abstract record RaftMessage(ulong From, ulong To, ulong Term);

/// <summary>
/// The leader's log replication (§5.3): <see cref="Entries"/> follow the entry at
/// <see cref="PrevLogIndex"/>/<see cref="PrevLogTerm"/>; <see cref="LeaderCommit"/> is the leader's
/// commit index (the follower commits up to it, within what it now holds).
/// </summary>
public sealed record AppendEntries(ulong From, ulong To, ulong Term, ulong PrevLogIndex, ulong PrevLogTerm, IReadOnlyList<LogEntry> Entries, ulong LeaderCommit)
    : RaftMessage(From, To, Term);

/// <summary>
/// A follower's answer to <see cref="AppendEntries"/>. Accepted: <see cref="Index"/> is the last
/// index it now holds from the leader. Rejected: <see cref="Index"/> is the rejected
/// PrevLogIndex, and <see cref="RejectHint"/>/<see cref="HintTerm"/> name the last entry that may
/// still match (the largest index ≤ min(PrevLogIndex, its last index) whose term ≤ PrevLogTerm),
/// so the leader skips a whole conflicting term per round trip (fast backtracking).
/// </summary>
public sealed record AppendResponse(ulong From, ulong To, ulong Term, ulong Index, bool Reject, ulong RejectHint, ulong HintTerm)
    : RaftMessage(From, To, Term);

/// <summary>
/// A candidate asks for a vote (§5.2) in <see cref="RaftMessage.Term"/>. <see cref="LeadershipTransfer"/>
/// marks a campaign started by <see cref="TimeoutNow"/>: voters grant it even while they hear from a live leader.
/// </summary>
public sealed record RequestVote(ulong From, ulong To, ulong Term, ulong LastLogIndex, ulong LastLogTerm, bool LeadershipTransfer)
    : RaftMessage(From, To, Term);

/// <summary>The answer to <see cref="RequestVote"/>.</summary>
public sealed record RequestVoteResponse(ulong From, ulong To, ulong Term, bool Granted)
    : RaftMessage(From, To, Term);

/// <summary>
/// Pre-vote (thesis §9.6): would the receiver vote for the sender in <see cref="RaftMessage.Term"/>
/// (the sender's term + 1)? Nobody changes term or vote for it, so a server cut off from the
/// cluster cannot disrupt it by bumping terms.
/// </summary>
public sealed record PreVote(ulong From, ulong To, ulong Term, ulong LastLogIndex, ulong LastLogTerm)
    : RaftMessage(From, To, Term);

/// <summary>The answer to <see cref="PreVote"/>: granted, with the asked term; refused, with the receiver's term.</summary>
public sealed record PreVoteResponse(ulong From, ulong To, ulong Term, bool Granted)
    : RaftMessage(From, To, Term);

/// <summary>
/// The leader's heartbeat: it keeps followers from campaigning, carries the commit index (capped
/// at what the follower is known to hold) and a <see cref="Sequence"/> that the follower echoes.
/// An acknowledged sequence is how the leader confirms leadership for read-index reads and
/// renews its lease: one broadcast, confirmed by a quorum, covers every read registered before it.
/// </summary>
public sealed record Heartbeat(ulong From, ulong To, ulong Term, ulong Commit, ulong Sequence)
    : RaftMessage(From, To, Term);

/// <summary>The answer to <see cref="Heartbeat"/>, echoing its sequence (the read-index confirmation).</summary>
public sealed record HeartbeatResponse(ulong From, ulong To, ulong Term, ulong Sequence)
    : RaftMessage(From, To, Term);

/// <summary>The leader sends its latest snapshot to a follower that needs entries it has compacted away (§7).</summary>
public sealed record InstallSnapshot(ulong From, ulong To, ulong Term, RaftSnapshot Snapshot)
    : RaftMessage(From, To, Term);

/// <summary>The answer to <see cref="InstallSnapshot"/>: <see cref="Index"/> is the last index the follower now holds.</summary>
public sealed record InstallSnapshotResponse(ulong From, ulong To, ulong Term, ulong Index)
    : RaftMessage(From, To, Term);

/// <summary>Leadership transfer (thesis §3.10): the leader tells a caught-up follower to campaign now.</summary>
public sealed record TimeoutNow(ulong From, ulong To, ulong Term)
    : RaftMessage(From, To, Term);
