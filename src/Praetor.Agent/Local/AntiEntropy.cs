using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Praetor.Agent.Endpoints;
using Praetor.State.Catalog;

namespace Praetor.Agent.Local;

/// <summary>
/// Keeps the catalog's view of this node equal to the agent's <see cref="LocalState"/> (Consul's
/// anti-entropy, agent/ae): changes are pushed as soon as they happen; every
/// <see cref="FullSyncInterval"/> the catalog is read back and any drift — a service deleted
/// or changed behind the agent's back, a stray check — is repaired.
/// </summary>
public sealed class AntiEntropy : IAsyncDisposable
{
    /// <summary>Time between full syncs (Consul: 1 minute for small clusters).</summary>
    public static readonly TimeSpan FullSyncInterval = TimeSpan.FromMinutes(1);

    /// <summary>Wait before retrying a sync that failed (no leader, shutting down).</summary>
    public static readonly TimeSpan RetryInterval = TimeSpan.FromSeconds(1);

    /// <summary>Checks the catalog holds for this node that are not the agent's to remove.</summary>
    private static readonly HashSet<string> ReservedCheckIds = new(StringComparer.Ordinal) { Agent.SerfHealthCheckId };

    /// <summary>Services the catalog holds for this node that the leader, not the agent, registers.</summary>
    private static readonly HashSet<string> ReservedServiceIds = new(StringComparer.Ordinal) { Agent.ConsulServiceId };

    private readonly LocalState _local;
    private readonly ICatalogEndpoint _catalog;
    private readonly IHealthEndpoint _health;
    private readonly Func<CatalogNode> _self;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly CancellationTokenSource _stop = new();
    private Task _loop = Task.CompletedTask;
    private readonly TaskCompletionSource _firstSync = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public AntiEntropy(LocalState local, ICatalogEndpoint catalog, IHealthEndpoint health, Func<CatalogNode> self, TimeProvider time, ILogger? log = null)
    {
        _local = local;
        _catalog = catalog;
        _health = health;
        _self = self;
        _time = time;
        _log = log ?? NullLogger.Instance;
    }

    /// <summary>Starts syncing: a full sync at once, then changes as they happen.</summary>
    public void Start() => _loop = Task.Run(RunAsync);

    /// <summary>Completes once the first full sync succeeded.</summary>
    public Task FirstSync => _firstSync.Task;

    private async Task RunAsync()
    {
        var token = _stop.Token;
        var nextFull = _time.GetTimestamp();
        while (!token.IsCancellationRequested)
        {
            try
            {
                if (_time.GetElapsedTime(nextFull) >= TimeSpan.Zero)
                {
                    await FullSyncAsync(token).ConfigureAwait(false);
                    nextFull = _time.GetTimestamp() + (long)(FullSyncInterval.TotalSeconds * _time.TimestampFrequency);
                    _firstSync.TrySetResult();
                }
                else
                {
                    await SyncChangesAsync(token).ConfigureAwait(false);
                }
                var untilFull = _time.GetElapsedTime(_time.GetTimestamp(), nextFull);
                if (untilFull > TimeSpan.Zero)
                {
                    // The wait is cancelled, not abandoned, when the full sync is due: a read left
                    // pending would take the next change's wake-up, which would then wait a whole interval.
                    using var due = new CancellationTokenSource(untilFull, _time);
                    using var wait = CancellationTokenSource.CreateLinkedTokenSource(token, due.Token);
                    try
                    {
                        await _local.WaitForChangeAsync(wait.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException) when (!token.IsCancellationRequested)
                    {
                        // Time for the periodic full sync.
                    }
                }
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                _log.LogWarning("agent: syncing local state failed, retrying in {Retry}: {Error}", RetryInterval, ex.Message);
                try
                {
                    await Task.Delay(RetryInterval, _time, token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (token.IsCancellationRequested)
                {
                    // Stopped while waiting to retry (a client agent that never found a server).
                    return;
                }
            }
        }
    }

    /// <summary>Reads the catalog's view of this node, marks every difference out of sync, then syncs.</summary>
    public async Task FullSyncAsync(CancellationToken cancellationToken)
    {
        var self = _self();
        var stale = new QueryOptions(Consistency: ConsistencyMode.Stale);
        var (node, catalogServices) = (await _catalog.NodeServicesAsync(self.Node, stale, cancellationToken).ConfigureAwait(false)).Value;
        if (node is null || !node.SameContents(self))
        {
            var error = await _catalog.RegisterAsync(new CatalogRegistration(self, null, []), cancellationToken).ConfigureAwait(false);
            if (error is not null)
            {
                throw new InvalidOperationException(error);
            }
        }
        foreach (var service in catalogServices)
        {
            var local = _local.Service(service.Id);
            if (local is null && ReservedServiceIds.Contains(service.Id))
            {
                continue;
            }
            if (local is null)
            {
                await _catalog.DeregisterAsync(self.Node, service.Id, null, cancellationToken).ConfigureAwait(false);
            }
            else if (!local.SameContents(service with { CreateIndex = 0, ModifyIndex = 0 }))
            {
                _local.MarkServiceOutOfSync(service.Id);
            }
        }
        var catalogServiceIds = catalogServices.Select(s => s.Id).ToHashSet(StringComparer.Ordinal);
        foreach (var local in _local.Services())
        {
            if (!catalogServiceIds.Contains(local.Id))
            {
                _local.MarkServiceOutOfSync(local.Id);
            }
        }
        var catalogChecks = (await _health.NodeChecksAsync(self.Node, stale, cancellationToken).ConfigureAwait(false)).Value;
        foreach (var check in catalogChecks)
        {
            var local = _local.Check(check.CheckId);
            if (local is null)
            {
                if (!ReservedCheckIds.Contains(check.CheckId))
                {
                    await _catalog.DeregisterAsync(self.Node, null, check.CheckId, cancellationToken).ConfigureAwait(false);
                }
            }
            else if (!local.SameContents(check with { ServiceName = local.ServiceName, ServiceTags = local.ServiceTags }))
            {
                _local.MarkCheckOutOfSync(check.CheckId);
            }
        }
        var catalogCheckIds = catalogChecks.Select(c => c.CheckId).ToHashSet(StringComparer.Ordinal);
        foreach (var local in _local.Checks())
        {
            if (!catalogCheckIds.Contains(local.CheckId))
            {
                _local.MarkCheckOutOfSync(local.CheckId);
            }
        }
        await SyncChangesAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes what changed locally since the last sync.</summary>
    public async Task SyncChangesAsync(CancellationToken cancellationToken)
    {
        var self = _self();
        var (services, checks) = _local.OutOfSync();
        var written = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (service, deleted) in services)
        {
            if (deleted)
            {
                await _catalog.DeregisterAsync(self.Node, service.Id, null, cancellationToken).ConfigureAwait(false);
                _local.MarkServiceSynced(service, deleted);
                continue;
            }
            // A service goes with its checks, so the catalog never shows it without them.
            var serviceChecks = checks.Where(c => !c.Deleted && c.Check.ServiceId == service.Id).Select(c => c.Check).ToList();
            await RegisterAsync(new CatalogRegistration(self, service, serviceChecks, SkipNodeUpdate: true), cancellationToken).ConfigureAwait(false);
            _local.MarkServiceSynced(service, deleted);
            foreach (var check in serviceChecks)
            {
                _local.MarkCheckSynced(check, deleted: false);
                written.Add(check.CheckId);
            }
        }
        foreach (var (check, deleted) in checks)
        {
            if (written.Contains(check.CheckId))
            {
                continue;
            }
            if (deleted)
            {
                await _catalog.DeregisterAsync(self.Node, null, check.CheckId, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await RegisterAsync(new CatalogRegistration(self, null, [check], SkipNodeUpdate: true), cancellationToken).ConfigureAwait(false);
            }
            _local.MarkCheckSynced(check, deleted);
        }
    }

    private async Task RegisterAsync(CatalogRegistration registration, CancellationToken cancellationToken)
    {
        var error = await _catalog.RegisterAsync(registration, cancellationToken).ConfigureAwait(false);
        if (error is not null)
        {
            throw new InvalidOperationException(error);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        _stop.Dispose();
    }
}
