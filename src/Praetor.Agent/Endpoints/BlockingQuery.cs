using Praetor.Raft;
using Praetor.State;
using Praetor.State.Watch;

namespace Praetor.Agent.Endpoints;

/// <summary>
/// Runs reads as Consul's blocking queries: answer at once when the result's index is past the
/// client's, otherwise park on the watches of what the query read until one fires or the wait
/// (clamped to <c>max_query_time</c>, plus up to 1/16 jitter) runs out, then answer again; a
/// restore of the whole state (<see cref="StateStore.Replacements"/>) answers every parked query.
/// </summary>
public sealed class BlockingQuery(StateStore store, IReplicatedLog log, AgentConfig config, TimeProvider time)
{
    /// <summary>A blocking query waits up to 1/16 of its wait longer, at random (Consul's JitterFraction).</summary>
    public const int JitterFraction = 16;

    /// <param name="watch">Registers the watches of what <paramref name="query"/> reads; called before each read.</param>
    /// <param name="query">Reads a snapshot and returns the result with its index.</param>
    public async Task<QueryResult<T>> RunAsync<T>(
        QueryOptions options,
        Action<WatchSet> watch,
        Func<StateSnapshot, (ulong Index, T Value)> query,
        CancellationToken cancellationToken)
    {
        await EnsureConsistencyAsync(options.Consistency, cancellationToken).ConfigureAwait(false);
        if (options.MinIndex == 0)
        {
            return Answer(query(store.Current), options.Consistency);
        }
        var wait = Wait(options, config);
        // Jitter spreads the wake-ups of many clients that started together (Consul: wait/16).
        wait += TimeSpan.FromTicks(Random.Shared.NextInt64(wait.Ticks / JitterFraction + 1));
        var deadline = time.GetTimestamp() + (long)(wait.TotalSeconds * time.TimestampFrequency);
        // A restore replaces the state under the query: answer what is there now, even at a lower index.
        var replacements = store.Replacements;
        while (true)
        {
            using var watches = new WatchSet();
            watch(watches);
            var result = query(store.Current);
            var remaining = time.GetElapsedTime(time.GetTimestamp(), deadline);
            if (result.Index > options.MinIndex || remaining <= TimeSpan.Zero || store.Replacements != replacements)
            {
                return Answer(result, options.Consistency);
            }
            try
            {
                await watches.Fired.WaitAsync(remaining, time, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                return Answer(result, options.Consistency);
            }
        }
    }

    /// <summary>
    /// How long a blocking query with <paramref name="options"/> waits before the jitter: its
    /// <c>wait</c>, the default query time without one, at most the maximum query time.
    /// </summary>
    public static TimeSpan Wait(QueryOptions options, AgentConfig config)
    {
        var wait = options.Wait <= TimeSpan.Zero ? config.DefaultQueryTime : options.Wait;
        return wait > config.MaxQueryTime ? config.MaxQueryTime : wait;
    }

    /// <summary>The meta of an answer at <paramref name="index"/> given now.</summary>
    public QueryMeta Meta(ulong index, ConsistencyMode consistency)
    {
        var leader = log.Leader;
        // Consul never reports index 0: clients treat it as "no blocking" and spin.
        return new QueryMeta(Math.Max(index, 1), leader.KnownLeader, leader.LastContact, consistency);
    }

    /// <summary>
    /// Waits until this node may answer in the requested mode (the read barrier): a default read
    /// behind the leader's lease, a <c>consistent</c> one behind a heartbeat round that confirms
    /// the leadership, each once this server has applied through the leader's read index (a
    /// follower asks the leader for it); a <c>stale</c> read at once. Fails with
    /// <see cref="NotLeaderException"/> when no leader answers.
    /// </summary>
    public Task EnsureConsistencyAsync(ConsistencyMode consistency, CancellationToken cancellationToken) =>
        consistency == ConsistencyMode.Stale
            ? Task.CompletedTask
            : log.ReadIndexAsync(allowLease: consistency == ConsistencyMode.Default, cancellationToken);

    private QueryResult<T> Answer<T>((ulong Index, T Value) result, ConsistencyMode consistency) =>
        new(result.Value, Meta(result.Index, consistency));
}
