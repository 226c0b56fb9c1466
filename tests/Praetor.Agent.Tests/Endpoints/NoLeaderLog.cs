using Praetor.Raft;

namespace Praetor.Agent.Tests.Endpoints;

/// <summary>A server's log that knows no leader: writes and read barriers fail, so only stale reads are answered.</summary>
internal sealed class NoLeaderLog : IReplicatedLog
{
    public LeaderState Leader => new(false, "", TimeSpan.Zero);

    public IReadOnlyList<string> Peers => [];

    public Task<ApplyResult> ApplyAsync(ReadOnlyMemory<byte> command, CancellationToken cancellationToken) =>
        Task.FromException<ApplyResult>(new NotLeaderException("No cluster leader"));

    public Task<ulong> ReadIndexAsync(bool allowLease, CancellationToken cancellationToken) =>
        Task.FromException<ulong>(new NotLeaderException("No cluster leader"));

    public Task WaitAppliedAsync(ulong index, CancellationToken cancellationToken) => Task.CompletedTask;

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
