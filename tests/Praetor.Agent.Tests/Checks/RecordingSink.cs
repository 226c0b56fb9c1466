using Praetor.Agent.Checks;

namespace Praetor.Agent.Tests.Checks;

public sealed record CheckReport(string CheckId, string Status, string Output);

/// <summary>
/// Records every report and lets a test await a condition on them with a deadline, instead of
/// sleeping and hoping the runner got there.
/// </summary>
public sealed class RecordingSink : ICheckStatusSink
{
    public static readonly TimeSpan DefaultDeadline = TimeSpan.FromSeconds(10);

    private readonly Lock _gate = new();
    private readonly List<CheckReport> _reports = [];
    private readonly List<(Func<IReadOnlyList<CheckReport>, bool> Condition, TaskCompletionSource Done)> _waiters = [];

    public IReadOnlyList<CheckReport> Reports
    {
        get
        {
            lock (_gate)
            {
                return [.. _reports];
            }
        }
    }

    public IReadOnlyList<CheckReport> ReportsFor(string checkId) => [.. Reports.Where(r => r.CheckId == checkId)];

    public void Update(string checkId, string status, string output)
    {
        lock (_gate)
        {
            _reports.Add(new CheckReport(checkId, status, output));
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Condition(_reports))
                {
                    // RunContinuationsAsynchronously: the waiting test must not run on the runner's thread.
                    _waiters[i].Done.TrySetResult();
                    _waiters.RemoveAt(i);
                }
            }
        }
    }

    /// <summary>Completes when <paramref name="condition"/> holds over all reports so far; throws TimeoutException after the deadline.</summary>
    public async Task WaitForAsync(Func<IReadOnlyList<CheckReport>, bool> condition, TimeSpan? deadline = null)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            if (condition(_reports))
            {
                return;
            }
            _waiters.Add((condition, done));
        }
        await done.Task.WaitAsync(deadline ?? DefaultDeadline);
    }

    /// <summary>The first report of <paramref name="checkId"/>, awaited.</summary>
    public async Task<CheckReport> FirstReportAsync(string checkId, TimeSpan? deadline = null)
    {
        await WaitForAsync(reports => reports.Any(r => r.CheckId == checkId), deadline);
        return ReportsFor(checkId)[0];
    }
}
