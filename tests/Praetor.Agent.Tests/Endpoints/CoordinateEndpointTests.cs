using Praetor.Agent.Endpoints;
using Praetor.Gossip.Serf;
using Praetor.Raft;
using Praetor.State;
using Praetor.State.Catalog;
using Praetor.State.Commands;
using Praetor.State.Coordinates;

namespace Praetor.Agent.Tests.Endpoints;

/// <summary>The server's Coordinate endpoint: checks, the queue, Consul's batch limits; and the agent's sender.</summary>
public sealed class CoordinateEndpointTests : IAsyncDisposable
{
    private readonly StateStore _store = new();
    private readonly RaftLog _log;
    private readonly CoordinateEndpoint _endpoint;

    public CoordinateEndpointTests()
    {
        _log = RaftLog.SingleNode(new StateMachine(_store), "127.0.0.1:8300");
        var config = new AgentConfig { NodeName = "server1", Datacenter = "dc1" };
        // An hour: the tests flush by hand.
        _endpoint = new CoordinateEndpoint(_store, _log, new BlockingQuery(_store, _log, config, TimeProvider.System), () => [], TimeSpan.FromHours(1), TimeProvider.System, null);
    }

    public async ValueTask DisposeAsync()
    {
        await _endpoint.DisposeAsync();
        await _log.DisposeAsync();
    }

    private static Coordinate At(double x)
    {
        var vec = new double[8];
        vec[0] = x;
        return new Coordinate(vec, 0.5, 0, 1e-5);
    }

    private async Task RegisterAsync(params string[] nodes)
    {
        foreach (var node in nodes)
        {
            await _log.ApplyAsync(CommandCodec.Encode(new RegisterCommand(new CatalogRegistration(new CatalogNode { Node = node, Address = "10.0.0.1" }, null, []))), CancellationToken.None);
        }
    }

    [Fact]
    public async Task Queued_updates_are_written_at_the_flush_and_a_newer_one_replaces_the_queued_one()
    {
        await RegisterAsync("a", "b");
        await _endpoint.UpdateAsync(new CoordinateEntry("a", "", At(0.001)), CancellationToken.None);
        await _endpoint.UpdateAsync(new CoordinateEntry("A", "", At(0.002)), CancellationToken.None);
        await _endpoint.UpdateAsync(new CoordinateEntry("b", "", At(0.003)), CancellationToken.None);
        Assert.Equal(2, _endpoint.Pending);
        Assert.Equal(0, _store.Current.Coordinates.Count);

        await _endpoint.Flush();

        Assert.Equal(0, _endpoint.Pending);
        Assert.Equal(0.002, _store.Current.Coordinates.Get("a")!.Vec[0]);
        Assert.Equal(0.003, _store.Current.Coordinates.Get("b")!.Vec[0]);
        var listed = await _endpoint.ListNodesAsync(new QueryOptions(), CancellationToken.None);
        Assert.Equal(["a", "b"], listed.Value.Select(e => e.Node));
        Assert.Equal(_store.Current.Coordinates.Index, listed.Meta.Index);
    }

    [Fact]
    public async Task More_than_five_batches_of_128_in_one_period_are_discarded_and_counted()
    {
        var nodes = Enumerable.Range(0, 650).Select(i => $"n{i:D3}").ToArray();
        await RegisterAsync(nodes);
        var before = _log.AppliedIndex;
        foreach (var node in nodes)
        {
            await _endpoint.UpdateAsync(new CoordinateEntry(node, "", At(0.001)), CancellationToken.None);
        }

        await _endpoint.Flush();

        Assert.Equal(640, _store.Current.Coordinates.Count);
        Assert.Equal(10, _endpoint.Discarded);
        Assert.Equal(5UL, _log.AppliedIndex - before);
    }

    [Theory]
    [InlineData("ghost", 8, 0.0, "Node \"ghost\" is not registered in the catalog")]
    [InlineData("a", 3, 0.0, "coordinate dimensionality does not match")]
    [InlineData("a", 8, double.NaN, "rejected bad coordinate")]
    [InlineData("a", 8, double.NegativeInfinity, "rejected bad coordinate")]
    [InlineData("", 8, 0.0, "Missing node name")]
    public async Task Bad_updates_are_refused_and_nothing_is_queued(string node, int dimensions, double value, string message)
    {
        await RegisterAsync("a");
        var vec = new double[dimensions];
        vec[^1] = value;

        var refused = await Assert.ThrowsAsync<EndpointException>(() => _endpoint.UpdateAsync(new CoordinateEntry(node, "", new Coordinate(vec, 1, 0, 1e-5)), CancellationToken.None));

        Assert.Equal(EndpointErrorKind.BadRequest, refused.Kind);
        Assert.StartsWith(message, refused.Message);
        Assert.Equal(0, _endpoint.Pending);
    }

    [Fact]
    public void The_send_interval_scales_with_the_cluster_above_Consuls_minimum()
    {
        Assert.Equal(TimeSpan.FromSeconds(15), CoordinateSender.Interval(1));
        Assert.Equal(TimeSpan.FromSeconds(15), CoordinateSender.Interval(960));
        Assert.Equal(TimeSpan.FromSeconds(100), CoordinateSender.Interval(6400));
    }

    [Fact]
    public async Task The_sender_sends_the_pools_coordinate_and_survives_a_refusal()
    {
        await RegisterAsync("a");
        Coordinate? coordinate = null;
        await using var sender = new CoordinateSender("a", () => coordinate, () => 1, _endpoint, TimeProvider.System, null);

        Assert.False(await sender.SendAsync(CancellationToken.None));
        coordinate = At(0.004);
        Assert.True(await sender.SendAsync(CancellationToken.None));
        await _endpoint.Flush();
        Assert.Equal(0.004, _store.Current.Coordinates.Get("a")!.Vec[0]);

        await using var stranger = new CoordinateSender("ghost", () => coordinate, () => 1, _endpoint, TimeProvider.System, null);
        Assert.False(await stranger.SendAsync(CancellationToken.None));
        Assert.Equal((1L, 0L), (sender.Sent, stranger.Sent));
    }
}
