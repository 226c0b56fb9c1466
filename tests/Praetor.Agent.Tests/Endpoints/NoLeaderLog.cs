using Praetor.Raft;

namespace Praetor.Agent.Tests.Endpoints;

/// <summary>A server's log that knows no leader: writes fail, and only stale reads may be answered.</summary>
internal sealed class NoLeaderLog : IReplicatedLog
{
    public LeaderState Leader => new(false, "", TimeSpan.Zero);

    public IReadOnlyList<string> Peers => [];

    public Task<ApplyResult> ApplyAsync(ReadOnlyMemory<byte> command, CancellationToken cancellationToken) =>
        Task.FromException<ApplyResult>(new NotLeaderException("No cluster leader"));

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
