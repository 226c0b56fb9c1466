using System.Collections.Concurrent;
using Microsoft.Extensions.Time.Testing;
using Praetor.Agent.Endpoints;
using Praetor.Agent.Local;
using Praetor.State.Catalog;

namespace Praetor.Agent.Tests.Local;

/// <summary>
/// <see cref="AntiEntropy"/>'s loop on a fake clock against a catalog that records what it is
/// sent: local changes reach the catalog as they happen, also after periodic full syncs.
/// </summary>
public sealed class AntiEntropyTests : IAsyncDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);
    private static readonly CatalogNode Self = new() { Node = "n1", Address = "127.0.0.1" };

    private readonly FakeTimeProvider _time = new();
    private readonly LocalState _local = new(Self.Node);
    private readonly RecordingCatalog _catalog = new();
    private readonly AntiEntropy _antiEntropy;

    public AntiEntropyTests()
    {
        _antiEntropy = new AntiEntropy(_local, _catalog, _catalog, () => Self, _time);
    }

    public ValueTask DisposeAsync() => _antiEntropy.DisposeAsync();

    private static ServiceInstance Service(string id) => new() { Node = Self.Node, Id = id, Service = id };

    /// <summary>Moves the clock a second at a time, as the loop sets its timers, until <paramref name="reached"/> completes.</summary>
    private async Task AdvanceUntil(Task reached)
    {
        using var deadline = new CancellationTokenSource(Deadline);
        while (!reached.IsCompleted)
        {
            deadline.Token.ThrowIfCancellationRequested();
            _time.Advance(TimeSpan.FromSeconds(1));
            await Task.WhenAny(reached, Task.Delay(TimeSpan.FromMilliseconds(5), CancellationToken.None));
        }
    }

    [Fact]
    public async Task Changes_after_quiet_full_sync_intervals_reach_the_catalog_at_once()
    {
        _antiEntropy.Start();
        await _antiEntropy.FirstSync.WaitAsync(Deadline);
        _local.AddService(Service("web"), []);
        await _catalog.Registered("web").WaitAsync(Deadline);

        // Two quiet intervals: each wait for a change times out and a full sync runs.
        await AdvanceUntil(_catalog.FullSync(3));

        // A wait that timed out must not have left a reader behind that takes the next change's wake-up.
        _local.AddService(Service("api"), []);
        await _catalog.Registered("api").WaitAsync(Deadline);
        _local.AddService(Service("db"), []);
        await _catalog.Registered("db").WaitAsync(Deadline);
    }

    /// <summary>A catalog of this one node: registrations are recorded, and each read of the node is counted as a full sync.</summary>
    private sealed class RecordingCatalog : ICatalogEndpoint, IHealthEndpoint
    {
        private readonly ConcurrentDictionary<string, ServiceInstance> _services = new(StringComparer.Ordinal);
        private readonly ConcurrentDictionary<string, TaskCompletionSource> _registered = new(StringComparer.Ordinal);
        private readonly ConcurrentDictionary<int, TaskCompletionSource> _fullSyncs = new();
        private int _nodeReads;

        private static TaskCompletionSource Signal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Registered(string serviceId) => _registered.GetOrAdd(serviceId, _ => Signal()).Task;

        /// <summary>Completes once the <paramref name="count"/>th full sync has read the node.</summary>
        public Task FullSync(int count) => _fullSyncs.GetOrAdd(count, _ => Signal()).Task;

        public Task<string?> RegisterAsync(CatalogRegistration registration, CancellationToken cancellationToken)
        {
            if (registration.Service is { } service)
            {
                _services[service.Id] = service;
                _registered.GetOrAdd(service.Id, _ => Signal()).TrySetResult();
            }
            return Task.FromResult<string?>(null);
        }

        public Task<QueryResult<(CatalogNode? Node, IReadOnlyList<ServiceInstance> Services)>> NodeServicesAsync(
            string node, QueryOptions options, CancellationToken cancellationToken)
        {
            _fullSyncs.GetOrAdd(Interlocked.Increment(ref _nodeReads), _ => Signal()).TrySetResult();
            IReadOnlyList<ServiceInstance> services = [.. _services.Values];
            return Task.FromResult(new QueryResult<(CatalogNode?, IReadOnlyList<ServiceInstance>)>((Self, services), default));
        }

        public Task<QueryResult<IReadOnlyList<HealthCheck>>> NodeChecksAsync(string node, QueryOptions options, CancellationToken cancellationToken) =>
            Task.FromResult(new QueryResult<IReadOnlyList<HealthCheck>>([], default));

        public Task DeregisterAsync(string node, string? serviceId, string? checkId, CancellationToken cancellationToken) => throw new NotSupportedException();

        public IReadOnlyList<string> Datacenters() => throw new NotSupportedException();

        public Task<QueryResult<IReadOnlyList<CatalogNode>>> NodesAsync(NodeMetaFilter meta, QueryOptions options, CancellationToken cancellationToken) =>
            throw new NotSupportedException();

        public Task<QueryResult<IReadOnlyList<(string Name, IReadOnlyList<string> Tags)>>> ServicesAsync(
            NodeMetaFilter meta, QueryOptions options, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<QueryResult<IReadOnlyList<(CatalogNode Node, ServiceInstance Service)>>> ServiceNodesAsync(
            string service, IReadOnlyList<string> tags, NodeMetaFilter meta, QueryOptions options, CancellationToken cancellationToken) =>
            throw new NotSupportedException();

        public Task<QueryResult<IReadOnlyList<HealthCheck>>> ServiceChecksAsync(string service, QueryOptions options, CancellationToken cancellationToken) =>
            throw new NotSupportedException();

        public Task<QueryResult<IReadOnlyList<ServiceHealth>>> ServiceHealthAsync(
            string service, IReadOnlyList<string> tags, NodeMetaFilter meta, bool passingOnly, QueryOptions options, CancellationToken cancellationToken) =>
            throw new NotSupportedException();

        public Task<QueryResult<IReadOnlyList<HealthCheck>>> ChecksInStateAsync(string state, QueryOptions options, CancellationToken cancellationToken) =>
            throw new NotSupportedException();
    }
}
