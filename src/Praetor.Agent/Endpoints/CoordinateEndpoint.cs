using Microsoft.Extensions.Logging;
using Praetor.Gossip.Serf;
using Praetor.Raft;
using Praetor.State;
using Praetor.State.Catalog;
using Praetor.State.Commands;
using Praetor.State.Coordinates;

namespace Praetor.Agent.Endpoints;

/// <summary>
/// A server's Coordinate endpoint (Consul's agent/consul/coordinate_endpoint.go): updates are
/// checked, kept per node and segment (a newer one replaces the queued one), and every
/// <see cref="UpdatePeriod"/> written through the log as <see cref="CoordinateBatchUpdateCommand"/>s
/// of at most <see cref="BatchSize"/> updates, at most <see cref="MaxBatches"/> of them; updates
/// beyond that are discarded (and counted), as Consul sheds load. Reads block on the table.
/// </summary>
public sealed partial class CoordinateEndpoint : ICoordinateEndpoint, IAsyncDisposable
{
    /// <summary>Consul's coordinate_update_period: how often queued updates are written.</summary>
    public static readonly TimeSpan UpdatePeriod = TimeSpan.FromSeconds(5);

    /// <summary>The update period of a <c>-dev</c> agent (Consul's dev mode writes them quickly too).</summary>
    public static readonly TimeSpan DevUpdatePeriod = TimeSpan.FromMilliseconds(100);

    /// <summary>Consul's coordinate_update_batch_size: updates per log entry.</summary>
    public const int BatchSize = 128;

    /// <summary>Consul's coordinate_update_max_batches: log entries per period.</summary>
    public const int MaxBatches = 5;

    private readonly StateStore _store;
    private readonly IReplicatedLog _log;
    private readonly BlockingQuery _blocking;
    private readonly Func<IReadOnlyList<DatacenterCoordinates>> _datacenters;
    private readonly ILogger? _logger;
    private readonly Lock _lock = new();
    private readonly Dictionary<(string Node, string Segment), CoordinateEntry> _pending = [];
    private readonly ITimer _timer;
    private Task _flushing = Task.CompletedTask;
    private long _discarded;

    /// <param name="datacenters">The WAN coordinates of the servers this server knows, by datacenter.</param>
    /// <param name="period">How often queued updates are written (<see cref="UpdatePeriod"/>).</param>
    public CoordinateEndpoint(StateStore store, IReplicatedLog log, BlockingQuery blocking, Func<IReadOnlyList<DatacenterCoordinates>> datacenters, TimeSpan period, TimeProvider time, ILogger? logger)
    {
        _store = store;
        _log = log;
        _blocking = blocking;
        _datacenters = datacenters;
        _logger = logger;
        _timer = time.CreateTimer(_ => Flush(), null, period, period);
    }

    /// <summary>Updates discarded because more than <see cref="BatchSize"/> × <see cref="MaxBatches"/> were queued in one period.</summary>
    public long Discarded => Interlocked.Read(ref _discarded);

    /// <summary>Updates waiting for the next batch.</summary>
    public int Pending
    {
        get
        {
            lock (_lock)
            {
                return _pending.Count;
            }
        }
    }

    /// <inheritdoc/>
    public Task UpdateAsync(CoordinateEntry update, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(update);
        Validate(update, _store.Current.Catalog);
        lock (_lock)
        {
            _pending[(update.Node.ToLowerInvariant(), update.Segment)] = update;
        }
        return Task.CompletedTask;
    }

    /// <summary>The checks of Coordinate.Update, with Consul's messages where it has them; throws a bad-request <see cref="EndpointException"/>.</summary>
    public static void Validate(CoordinateEntry update, CatalogTable catalog)
    {
        ArgumentNullException.ThrowIfNull(update);
        ArgumentNullException.ThrowIfNull(catalog);
        if (update.Node.Length == 0)
        {
            throw EndpointException.BadRequest("Missing node name");
        }
        if (update.Coord.Vec.Length != VivaldiConfig.Default.Dimensionality)
        {
            throw EndpointException.BadRequest($"coordinate dimensionality does not match: {update.Coord.Vec.Length} dimensions, expected {VivaldiConfig.Default.Dimensionality}");
        }
        if (!update.Coord.IsValid())
        {
            throw EndpointException.BadRequest("rejected bad coordinate: every component must be a finite number");
        }
        if (catalog.Node(update.Node) is null)
        {
            throw EndpointException.BadRequest($"Node \"{update.Node}\" is not registered in the catalog");
        }
    }

    /// <summary>Writes the queued updates now (the timer does it every period); one write at a time, a later call while one runs waits for the next period.</summary>
    public Task Flush()
    {
        List<CoordinateEntry> updates;
        lock (_lock)
        {
            if (_pending.Count == 0 || !_flushing.IsCompleted)
            {
                return _flushing;
            }
            updates = [.. _pending.Values];
            _pending.Clear();
            const int limit = BatchSize * MaxBatches;
            if (updates.Count > limit)
            {
                Interlocked.Add(ref _discarded, updates.Count - limit);
                if (_logger is not null) CoordinateLog.Discarded(_logger, updates.Count - limit);
                updates.RemoveRange(limit, updates.Count - limit);
            }
            _flushing = WriteAsync(updates);
            return _flushing;
        }
    }

    private async Task WriteAsync(List<CoordinateEntry> updates)
    {
        for (var start = 0; start < updates.Count; start += BatchSize)
        {
            var batch = updates.GetRange(start, Math.Min(BatchSize, updates.Count - start));
            try
            {
                await _log.ApplyAsync(CommandCodec.Encode(new CoordinateBatchUpdateCommand(batch)), CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // No leader, the leader unreachable, the log shutting down: agents send again within their interval.
                if (_logger is not null) CoordinateLog.BatchFailed(_logger, e.Message);
                return;
            }
        }
    }

    /// <inheritdoc/>
    public Task<QueryResult<IReadOnlyList<CoordinateEntry>>> ListNodesAsync(QueryOptions options, CancellationToken cancellationToken) =>
        _blocking.RunAsync(
            options,
            watches => _store.CatalogWatches.WatchPrefix(watches, CatalogWatchKeys.Coordinates),
            snapshot => (snapshot.Coordinates.Index, (IReadOnlyList<CoordinateEntry>)[.. snapshot.Coordinates.Entries]),
            cancellationToken);

    /// <inheritdoc/>
    public Task<QueryResult<IReadOnlyList<CoordinateEntry>>> NodeAsync(string node, QueryOptions options, CancellationToken cancellationToken) =>
        _blocking.RunAsync(
            options,
            watches => _store.CatalogWatches.WatchKey(watches, CatalogWatchKeys.Coordinate(node)),
            snapshot => (snapshot.Coordinates.Index, (IReadOnlyList<CoordinateEntry>)[.. snapshot.Coordinates.ForNode(node)]),
            cancellationToken);

    /// <inheritdoc/>
    public Task<IReadOnlyList<DatacenterCoordinates>> ListDatacentersAsync(CancellationToken cancellationToken) => Task.FromResult(_datacenters());

    public async ValueTask DisposeAsync()
    {
        await _timer.DisposeAsync().ConfigureAwait(false);
        await _flushing.ConfigureAwait(false);
    }

    private static partial class CoordinateLog
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "Discarded {Count} coordinate updates")]
        public static partial void Discarded(ILogger logger, int count);

        [LoggerMessage(Level = LogLevel.Debug, Message = "Failed to write coordinate updates: {Reason}")]
        public static partial void BatchFailed(ILogger logger, string reason);
    }
}
