using Praetor.Client;

namespace Praetor.Cli.Locking;

/// <summary>The blocking-query loops a lock and a semaphore share.</summary>
internal static class LockWait
{
    /// <summary>How long one blocking query waits, and the pause after a failed acquire (Go's <c>DefaultLockRetryTime</c>).</summary>
    public static readonly TimeSpan RetryTime = TimeSpan.FromSeconds(5);

    /// <summary>The pause between monitor reads that failed (Go's <c>defaultMonitorRetryTime</c>).</summary>
    public static readonly TimeSpan MonitorRetryTime = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Watches a read with blocking queries and returns when <paramref name="held"/> says no, or when
    /// reading failed more than <paramref name="retries"/> times in a row.
    /// </summary>
    public static async Task WhileAsync<T>(Func<QueryOptions, CancellationToken, Task<QueryResult<T>>> read, int retries, Func<T, bool> held, CancellationToken ct)
    {
        ulong index = 0;
        var failures = 0;
        while (true)
        {
            QueryResult<T> result;
            try
            {
                result = await read(new QueryOptions { WaitIndex = index, RequireConsistent = true }, ct);
            }
            catch (Exception e) when (e is HttpRequestException or ApiStatusException or AgentConnectionException)
            {
                if (++failures > retries)
                {
                    return;
                }

                await Task.Delay(MonitorRetryTime, ct);
                continue;
            }

            failures = 0;
            if (!held(result.Response))
            {
                return;
            }

            index = result.Meta.LastIndex;
        }
    }
}
