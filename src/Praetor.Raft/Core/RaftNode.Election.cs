namespace Praetor.Raft.Core;

/// <summary>Leader election (§5.2) with pre-vote (thesis §9.6) and leadership transfer (thesis §3.10).</summary>
public sealed partial class RaftNode
{
    private readonly Dictionary<ulong, bool> _votes = [];
    private int _grantedTally;
    private int _rejectedTally;
    private ulong _leadershipTransferee;

    /// <summary>
    /// Whether this server may campaign: it is a voter in its latest configuration, or in the
    /// committed one while a change removing it is not committed yet — it may still be needed to
    /// elect a leader until then (thesis §4.2.2, Figure 4.6): with voters {A, B}, a leader A that
    /// appended its own removal and lost leadership holds the longest log, so B cannot win
    /// without A, and only A can finish the change. The votes it asks for and counts are those
    /// of its latest configuration.
    /// </summary>
    private bool IsPromotable => Configuration.Voters.Contains(Id) || ConfigurationAt(_log.Committed).Voters.Contains(Id);

    private void TickElection()
    {
        _electionElapsed++;
        if (IsPromotable && _electionElapsed >= _randomizedElectionTimeout)
        {
            _electionElapsed = 0;
            Campaign(preVote: true, leadershipTransfer: false);
        }
    }

    /// <summary>
    /// Starts a campaign: with <paramref name="preVote"/>, asks whether a quorum would vote for it
    /// in the next term without changing its own term; otherwise becomes candidate in a new term.
    /// </summary>
    private void Campaign(bool preVote, bool leadershipTransfer)
    {
        ulong campaignTerm;
        if (preVote)
        {
            ResetTerm(Term);
            Role = RaftRole.PreCandidate;
            campaignTerm = Term + 1;
        }
        else
        {
            ResetTerm(Term + 1);
            Role = RaftRole.Candidate;
            Vote = Id;
            campaignTerm = Term;
        }
        if (RecordVote(Id, granted: true) == VoteOutcome.Won)
        {
            WinVote();
            return;
        }
        foreach (var voter in Configuration.Voters)
        {
            if (voter == Id) continue;
            Send(preVote
                ? new PreVote(Id, voter, campaignTerm, _log.LastIndex, _log.LastTerm)
                : new RequestVote(Id, voter, campaignTerm, _log.LastIndex, _log.LastTerm, leadershipTransfer));
        }
    }

    private void WinVote()
    {
        if (Role == RaftRole.PreCandidate) Campaign(preVote: false, leadershipTransfer: false);
        else BecomeLeader();
    }

    private void HandleVoteRequest(ulong from, ulong term, ulong lastLogIndex, ulong lastLogTerm, bool preVote)
    {
        // A vote is granted once per term (the one already given may be repeated); a pre-vote
        // for a later term promises nothing, so it is granted whatever this term's vote was.
        var canVote = Vote == from || (Vote == 0 && Leader == 0) || (preVote && term > Term);
        if (canVote && _log.IsUpToDate(lastLogIndex, lastLogTerm))
        {
            if (preVote)
            {
                Send(new PreVoteResponse(Id, from, term, true));
            }
            else
            {
                _electionElapsed = 0;
                Vote = from;
                Send(new RequestVoteResponse(Id, from, Term, true));
            }
            return;
        }
        Send(preVote ? new PreVoteResponse(Id, from, Term, false) : new RequestVoteResponse(Id, from, Term, false));
    }

    private void StepCandidate(RaftMessage message)
    {
        switch (message)
        {
            case AppendEntries or Heartbeat or InstallSnapshot:
                // A leader of this term exists.
                BecomeFollower(Term, message.From);
                StepFollower(message);
                break;
            case RequestVoteResponse response when Role == RaftRole.Candidate:
                Tally(RecordVote(response.From, response.Granted));
                break;
            case PreVoteResponse response when Role == RaftRole.PreCandidate:
                // A grant carries the term asked for; anything else is an answer to an older campaign.
                if (response.Granted && response.Term != Term + 1) break;
                Tally(RecordVote(response.From, response.Granted));
                break;
        }
    }

    private void Tally(VoteOutcome outcome)
    {
        if (outcome == VoteOutcome.Won) WinVote();
        else if (outcome == VoteOutcome.Lost) BecomeFollower(Term, 0);
    }

    private enum VoteOutcome : byte { Pending, Won, Lost }

    /// <summary>Counts one voter's answer, once per voter (unless the planted <see cref="RaftFaults.CountVoteTwice"/> is on).</summary>
    private VoteOutcome RecordVote(ulong voter, bool granted)
    {
        var configuration = Configuration;
        if (!configuration.Voters.Contains(voter)) return VoteOutcome.Pending;
        if (_faults.CountVoteTwice)
        {
            if (granted) _grantedTally++;
            else _rejectedTally++;
        }
        else if (_votes.TryAdd(voter, granted))
        {
            if (granted) _grantedTally++;
            else _rejectedTally++;
        }
        if (_grantedTally >= configuration.Quorum) return VoteOutcome.Won;
        if (_rejectedTally > configuration.Voters.Count - configuration.Quorum) return VoteOutcome.Lost;
        return VoteOutcome.Pending;
    }

    /// <summary>
    /// Asks the leader to hand leadership to <paramref name="target"/> (graceful leave): proposals
    /// are refused while it lasts; once the target's log is caught up it is told to campaign at
    /// once (<see cref="TimeoutNow"/>). Gives up after an election timeout. False with a reason
    /// when this server is not the leader or the target is not another voter.
    /// </summary>
    public bool TryTransferLeadership(ulong target, out string problem)
    {
        problem = "";
        if (Role != RaftRole.Leader) { problem = "not the leader"; return false; }
        if (target == Id) { problem = "already the leader"; return false; }
        if (!Configuration.Voters.Contains(target) || !_progress.TryGetValue(target, out var progress)) { problem = $"server {target} is not a voter"; return false; }
        if (_leadershipTransferee == target) return true;
        _leadershipTransferee = target;
        _electionElapsed = 0;
        if (progress.Match == _log.LastIndex) SendTimeoutNow(target);
        else SendAppend(target, progress, sendIfEmpty: true);
        return true;
    }

    /// <summary>The server leadership is being handed to (0: none).</summary>
    public ulong LeadershipTransferee => _leadershipTransferee;

    /// <summary>
    /// On the leader, the voter other than itself whose log matches the leader's furthest (the
    /// best target for <see cref="TryTransferLeadership"/>, the lowest id among equals); 0 when this
    /// server is not the leader or is the only voter.
    /// </summary>
    public ulong MostCaughtUpVoter()
    {
        if (Role != RaftRole.Leader) return 0;
        ulong best = 0;
        ulong bestMatch = 0;
        foreach (var voter in Configuration.Voters)
        {
            if (voter == Id || !_progress.TryGetValue(voter, out var progress)) continue;
            if (best == 0 || progress.Match > bestMatch)
            {
                best = voter;
                bestMatch = progress.Match;
            }
        }
        return best;
    }

    private void SendTimeoutNow(ulong target)
    {
        // The target will be elected without waiting out anyone's lease: this leader's lease
        // ends here for the rest of its term.
        _leaseForfeited = true;
        Send(new TimeoutNow(Id, target, Term));
    }
}
