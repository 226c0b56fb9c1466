namespace Praetor.Agent.Checks;

/// <summary>
/// Where check runners report each result: the agent's local state, which keeps the latest
/// status and output of every check and syncs changes to the catalog.
/// </summary>
/// <remarks>
/// Contract: called from runner threads (timer callbacks and each check's own loop), so an
/// implementation must not block — a slow sink would delay the check that reports through it.
/// It may be called concurrently for different checks, but never concurrently for the same
/// check. Runners report after every run, changed or not: the sink de-duplicates.
/// </remarks>
public interface ICheckStatusSink
{
    /// <param name="checkId">The check's ID, as given to <see cref="CheckRunners.Create"/>.</param>
    /// <param name="status">One of <c>HealthStatus.Passing</c>, <c>Warning</c> or <c>Critical</c>.</param>
    /// <param name="output">What the check printed or answered, already bounded in size.</param>
    void Update(string checkId, string status, string output);
}
