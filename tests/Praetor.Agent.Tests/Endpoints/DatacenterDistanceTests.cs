using Praetor.Agent.Endpoints;
using Praetor.Gossip.Serf;
using Praetor.State.Coordinates;

namespace Praetor.Agent.Tests.Endpoints;

public sealed class DatacenterDistanceTests
{
    private static readonly Coordinate Self = At(0);

    /// <summary>A coordinate <paramref name="seconds"/> away from the origin along the first axis.</summary>
    private static Coordinate At(double seconds, int dimensions = 8)
    {
        var vec = new double[dimensions];
        vec[0] = seconds;
        return new Coordinate(vec, 0.1, 0, 0);
    }

    private static DatacenterCoordinates Map(string dc, params Coordinate[] servers) =>
        new(dc, "wan", [.. servers.Select((c, i) => new CoordinateEntry($"s{i}.{dc}", "", c))]);

    [Fact]
    public void Datacenters_go_nearest_first_by_the_median_round_trip_and_those_without_coordinates_last_by_name()
    {
        var order = DatacenterDistance.Order(Self,
        [
            Map("zeta"),
            Map("far", At(0.050)),
            // One distant server does not make a datacenter far: the median is 0.020 s.
            Map("near", At(0.010), At(0.020), At(0.900)),
            Map("alpha"),
            Map("other-dimensions", At(0.001, dimensions: 4)),
        ]);

        Assert.Equal(["near", "far", "alpha", "other-dimensions", "zeta"], order);
    }

    [Fact]
    public void Equal_distances_are_ordered_by_name()
    {
        Assert.Equal(["a", "b"], DatacenterDistance.Order(Self, [Map("b", At(0.030)), Map("a", At(0.030))]));
    }
}
