namespace Praetor.Agent.Checks;

/// <summary>
/// Runs one check and reports its results to an <see cref="ICheckStatusSink"/>. Created by
/// <see cref="CheckRunners.Create"/>; nothing is reported before <see cref="Start"/>, and
/// nothing after <see cref="IAsyncDisposable.DisposeAsync"/> has completed.
/// </summary>
public abstract class CheckRunner : IAsyncDisposable
{
    protected CheckRunner(string checkId, ICheckStatusSink sink)
    {
        ArgumentException.ThrowIfNullOrEmpty(checkId);
        ArgumentNullException.ThrowIfNull(sink);
        CheckId = checkId;
        Sink = sink;
    }

    public string CheckId { get; }

    protected ICheckStatusSink Sink { get; }

    /// <summary>Begins running the check. A second call does nothing.</summary>
    public abstract void Start();

    public async ValueTask DisposeAsync()
    {
        await DisposeAsyncCore();
        GC.SuppressFinalize(this);
    }

    /// <summary>Stops the check: when the returned task completes, the runner reports no more.</summary>
    protected abstract ValueTask DisposeAsyncCore();
}
