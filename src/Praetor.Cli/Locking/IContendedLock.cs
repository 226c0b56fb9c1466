namespace Praetor.Cli.Locking;

/// <summary>What <see cref="LockCommand"/> does with a lock or a semaphore: take it, watch it, give it back.</summary>
internal interface IContendedLock
{
    /// <summary>Returns once held; blocks (with blocking queries) while others hold it. Throws <see cref="LockSetupException"/> on a key of another use.</summary>
    Task AcquireAsync(CancellationToken ct);

    /// <summary>Completes when the hold is lost (the key's holder changed, or it could not be read <paramref name="retries"/> times more in a row).</summary>
    Task MonitorAsync(int retries, CancellationToken ct);

    /// <summary>Why a release after the hold was lost fails: Go's <c>ErrLockNotHeld</c> or <c>ErrSemaphoreNotHeld</c>.</summary>
    string NotHeld { get; }

    /// <summary>Gives the hold back and removes the key when no one else uses it.</summary>
    Task ReleaseAsync();
}
