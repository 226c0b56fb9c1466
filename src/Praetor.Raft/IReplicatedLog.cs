namespace Praetor.Raft;

/// <summary>
/// The write path's log: a command proposed here is appended, committed and applied to the
/// <see cref="IStateMachine"/>; the returned task completes with the state machine's response.
/// </summary>
/// <remarks>
/// Implemented by <see cref="RaftLog"/>, the host of a Raft node (single-node and in memory
/// in `-dev`). Thread-safe: any thread may propose.
/// </remarks>
public interface IReplicatedLog : IAsyncDisposable
{
    /// <summary>
    /// Proposes <paramref name="command"/>. Completes after the entry is committed and applied,
    /// with the index it was stamped with and the state machine's response. Fails with
    /// <see cref="NotLeaderException"/> when this node cannot accept writes.
    /// </summary>
    Task<ApplyResult> ApplyAsync(ReadOnlyMemory<byte> command, CancellationToken cancellationToken);

    /// <summary>
    /// On the leader, the index a linearizable read must see, once this node has applied through
    /// it: with <paramref name="allowLease"/> and a valid leader lease at once (Consul's default
    /// mode), otherwise after a heartbeat round confirms the leadership (<c>?consistent</c>).
    /// Fails with <see cref="NotLeaderException"/> on a node that is not the leader.
    /// </summary>
    Task<ulong> ReadIndexAsync(bool allowLease, CancellationToken cancellationToken);

    /// <summary>Completes once this node has applied through <paramref name="index"/> (a follower serving a read at the leader's read index).</summary>
    Task WaitAppliedAsync(ulong index, CancellationToken cancellationToken);

    /// <summary>What this node knows of the leader, for reads and for Consul's consistency headers.</summary>
    LeaderState Leader { get; }

    /// <summary>Addresses of the voting servers, leader included.</summary>
    IReadOnlyList<string> Peers { get; }
}

/// <summary>The outcome of an applied command.</summary>
public readonly record struct ApplyResult(ulong Index, object? Response);

/// <summary>A node's view of leadership.</summary>
/// <param name="IsLeader">Whether this node is the leader.</param>
/// <param name="LeaderAddress">The leader's server address (`host:port`), empty when none is known.</param>
/// <param name="LastContact">Time since this node last heard from the leader; zero on the leader.</param>
public readonly record struct LeaderState(bool IsLeader, string LeaderAddress, TimeSpan LastContact)
{
    public bool KnownLeader => LeaderAddress.Length > 0;
}

/// <summary>Raised when a write reaches a node that is not the leader.</summary>
public sealed class NotLeaderException(string message) : Exception(message);
