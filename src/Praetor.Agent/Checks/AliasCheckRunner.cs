using Praetor.Agent.Endpoints;
using Praetor.State.Catalog;

namespace Praetor.Agent.Checks;

/// <summary>
/// An alias check: mirrors the health of another service instance (<c>alias_service</c>, a
/// service ID) on a node (<c>alias_node</c>, this node when empty) — or of the whole node when
/// only <c>alias_node</c> is given — by following that node's checks in the catalog with
/// blocking queries. Worst state wins; no checks at all is passing, as in Consul.
/// </summary>
public sealed class AliasCheckRunner : CheckRunner
{
    /// <summary>Wait before querying again after a failed query (no leader, shutting down).</summary>
    public static readonly TimeSpan RetryInterval = TimeSpan.FromSeconds(1);

    private readonly IHealthEndpoint _health;
    private readonly string _node;
    private readonly string _serviceId;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _stop = new();
    private Task _loop = Task.CompletedTask;

    public AliasCheckRunner(string checkId, string node, string serviceId, IHealthEndpoint health, ICheckStatusSink sink, TimeProvider time)
        : base(checkId, sink)
    {
        _node = node;
        _serviceId = serviceId;
        _health = health;
        _time = time;
    }

    public override void Start()
    {
        if (_loop == Task.CompletedTask)
        {
            _loop = Task.Run(RunAsync);
        }
    }

    private async Task RunAsync()
    {
        var token = _stop.Token;
        ulong index = 0;
        while (!token.IsCancellationRequested)
        {
            try
            {
                var result = await _health.NodeChecksAsync(_node, new QueryOptions(index, TimeSpan.FromMinutes(5), ConsistencyMode.Stale), token).ConfigureAwait(false);
                index = result.Meta.Index;
                var (status, output) = Aggregate(result.Value);
                Sink.Update(CheckId, status, output);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                Sink.Update(CheckId, HealthStatus.Critical, $"Failed to query the aliased checks: {ex.Message}");
                index = 0;
                await Task.Delay(RetryInterval, _time, token).ConfigureAwait(false);
            }
        }
    }

    private (string Status, string Output) Aggregate(IReadOnlyList<HealthCheck> checks)
    {
        var status = HealthStatus.Passing;
        string? worst = null;
        foreach (var check in checks)
        {
            // The alias itself, and for a service alias the checks of other services, do not count.
            if (check.CheckId == CheckId || (_serviceId.Length > 0 && check.ServiceId.Length > 0 && check.ServiceId != _serviceId))
            {
                continue;
            }
            if (Rank(check.Status) > Rank(status))
            {
                status = check.Status;
                worst = check.CheckId;
            }
        }
        return worst is null
            ? (HealthStatus.Passing, "All checks passing.")
            : (status, $"Aliased check \"{worst}\" is {status}");
    }

    private static int Rank(string status) => status switch
    {
        HealthStatus.Critical => 2,
        HealthStatus.Warning => 1,
        _ => 0,
    };

    protected override async ValueTask DisposeAsyncCore()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopped while waiting to retry.
        }
        _stop.Dispose();
    }
}
