using Praetor.Gossip.Serf;

namespace Praetor.Gossip.Tests.Serf;

/// <summary>The Vivaldi client against hand-computed steps, its refusals, and convergence in a simulated network.</summary>
public class CoordinateClientTests
{
    private static readonly VivaldiConfig Config = VivaldiConfig.Default;

    private static Coordinate At(double x, double error = 1.5, double height = 10e-6, double adjustment = 0)
    {
        var vec = new double[Config.Dimensionality];
        vec[0] = x;
        return new Coordinate(vec, error, adjustment, height);
    }

    [Fact]
    public void Defaults_are_Serfs()
    {
        Assert.Equal((8, 1.5, 0.25, 0.25, 20, 10e-6, 3, 150.0),
            (Config.Dimensionality, Config.VivaldiErrorMax, Config.VivaldiCE, Config.VivaldiCC, Config.AdjustmentWindowSize, Config.HeightMin, Config.LatencyFilterSize, Config.GravityRho));
        Assert.Equal(At(0).Vec, Coordinate.Origin(Config).Vec);
        Assert.Equal((1.5, 0.0, 10e-6), (Coordinate.Origin(Config).Error, Coordinate.Origin(Config).Adjustment, Coordinate.Origin(Config).Height));
    }

    [Fact]
    public void Distance_adds_heights_and_adjustments_unless_that_goes_negative()
    {
        var a = At(0.003, height: 0.001, adjustment: 0.0005);
        var b = At(-0.001, height: 0.002, adjustment: 0.0005);
        // 4 ms apart + 1 + 2 ms of height + 2 × 0.5 ms of adjustment.
        Assert.Equal(0.008, a.DistanceTo(b), 12);
        Assert.Equal(0.007, a.RawDistanceTo(b), 12);
        var negative = At(0.003, height: 0.001, adjustment: -0.01);
        Assert.Equal(0.007, negative.DistanceTo(b), 12);
        Assert.Throws<ArgumentException>(() => a.DistanceTo(new Coordinate([0.0], 0, 0, 0)));
    }

    [Fact]
    public void One_update_moves_error_position_height_and_adjustment_as_computed_by_hand()
    {
        var client = new CoordinateClient(Config, new Random(1));
        Assert.Null(client.Update("b", At(0.01), TimeSpan.FromMilliseconds(20)));
        var c = client.Coordinate;
        // dist = 10 ms + 2 × 10 µs = 0.01002; wrongness = |0.01002 − 0.02| / 0.02 = 0.499; weight = 1.5 / 3 = 0.5
        // error = 0.25 × 0.5 × 0.499 + 1.5 × (1 − 0.125) = 1.374875
        Assert.Equal(1.374875, c.Error, 12);
        // force = 0.25 × 0.5 × (0.02 − 0.01002) = 0.0012475 seconds, away from b (which sits at +x)
        Assert.Equal(-0.0012475, c.Vec[0], 9);
        Assert.All(c.Vec.Skip(1), v => Assert.Equal(0.0, v));
        // height = (10 µs + 10 µs) × 0.0012475 / 0.01 + 10 µs = 12.495 µs (gravity's share is below 1e-11)
        Assert.Equal(12.495e-6, c.Height, 10);
        // raw distance after the move = 0.0112475 + 12.495 µs + 10 µs = 0.011269995;
        // adjustment = (0.02 − 0.011269995) / (2 × 20)
        Assert.Equal((0.02 - 0.011269995) / 40, c.Adjustment, 12);
    }

    [Fact]
    public void The_latency_filter_takes_the_median_of_the_last_three_samples_per_node()
    {
        var filtered = new CoordinateClient(Config, new Random(1));
        var direct = new CoordinateClient(Config, new Random(1));
        var other = At(0.01);
        filtered.Update("b", other, TimeSpan.FromMilliseconds(20));
        filtered.Update("b", other, TimeSpan.FromMilliseconds(900));
        // A single outlier among 20, 900, 20 is filtered out: the step is taken with 20 ms.
        filtered.Update("b", other, TimeSpan.FromMilliseconds(20));
        direct.Update("b", other, TimeSpan.FromMilliseconds(20));
        direct.Update("b", other, TimeSpan.FromMilliseconds(20));
        direct.Update("b", other, TimeSpan.FromMilliseconds(20));
        Assert.NotEqual(direct.Coordinate.Vec[0], filtered.Coordinate.Vec[0]);
        // Forgetting the node starts its window afresh: one 900 ms sample is then the median.
        var forgot = new CoordinateClient(Config, new Random(1));
        forgot.Update("b", other, TimeSpan.FromMilliseconds(20));
        forgot.ForgetNode("b");
        var fresh = new CoordinateClient(Config, new Random(1));
        fresh.Update("c", other, TimeSpan.FromMilliseconds(20));
        forgot.Update("b", other, TimeSpan.FromMilliseconds(900));
        fresh.Update("b", other, TimeSpan.FromMilliseconds(900));
        Assert.Equal(fresh.Coordinate.Vec, forgot.Coordinate.Vec);
    }

    [Fact]
    public void Incompatible_invalid_and_out_of_range_observations_are_refused_and_change_nothing()
    {
        var client = new CoordinateClient(Config, new Random(1));
        var before = client.Coordinate;
        Assert.Equal("dimensions aren't compatible", client.Update("b", new Coordinate([0.1, 0.2], 1, 0, 1e-5), TimeSpan.FromMilliseconds(1)));
        Assert.Equal("coordinate is invalid", client.Update("b", At(double.NaN), TimeSpan.FromMilliseconds(1)));
        Assert.Equal("coordinate is invalid", client.Update("b", At(0.01, height: double.PositiveInfinity), TimeSpan.FromMilliseconds(1)));
        Assert.StartsWith("round trip time not in valid range", client.Update("b", At(0.01), TimeSpan.FromSeconds(11)));
        Assert.StartsWith("round trip time not in valid range", client.Update("b", At(0.01), TimeSpan.FromMilliseconds(-1)));
        Assert.Same(before, client.Coordinate);
        // A zero RTT is taken (Serf counts it, and clamps it to 1 µs in the step).
        Assert.Null(client.Update("b", At(0.01), TimeSpan.Zero));
    }

    [Fact]
    public void Coinciding_coordinates_are_pushed_apart_in_a_direction_from_the_given_random()
    {
        var one = new CoordinateClient(Config, new Random(7));
        var two = new CoordinateClient(Config, new Random(7));
        one.Update("b", Coordinate.Origin(Config), TimeSpan.FromMilliseconds(10));
        two.Update("b", Coordinate.Origin(Config), TimeSpan.FromMilliseconds(10));
        Assert.Equal(one.Coordinate.Vec, two.Coordinate.Vec);
        Assert.True(one.Coordinate.DistanceTo(Coordinate.Origin(Config)) > 0.001);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Coordinates_converge_in_a_simulated_network_of_eight_nodes(int seed)
    {
        // Eight nodes on a 4 × 2 grid, 10 ms apart, each with a 1 ms access link: the true RTT
        // between i and j is their Euclidean distance plus both links.
        const int n = 8;
        var position = Enumerable.Range(0, n).Select(i => (X: i % 4 * 0.010, Y: i / 4 * 0.010)).ToArray();
        double Truth(int i, int j) => i == j ? 0 : Math.Sqrt(Math.Pow(position[i].X - position[j].X, 2) + Math.Pow(position[i].Y - position[j].Y, 2)) + 0.002;
        var random = new Random(seed);
        var clients = Enumerable.Range(0, n).Select(i => new CoordinateClient(Config, new Random(seed * 100 + i))).ToArray();
        for (var round = 0; round < 1000; round++)
        {
            for (var i = 0; i < n; i++)
            {
                var j = random.Next(n - 1);
                if (j >= i) j++;
                Assert.Null(clients[i].Update($"node{j}", clients[j].Coordinate, TimeSpan.FromSeconds(Truth(i, j))));
            }
        }
        var errors = new List<double>();
        for (var i = 0; i < n; i++)
        {
            for (var j = i + 1; j < n; j++) errors.Add(Math.Abs(clients[i].Coordinate.DistanceTo(clients[j].Coordinate) - Truth(i, j)) / Truth(i, j));
        }
        Assert.True(errors.Average() < 0.05, $"average relative error {errors.Average():P1}");
        Assert.True(errors.Max() < 0.20, $"largest relative error {errors.Max():P1}");
        Assert.All(clients, c => Assert.True(c.Coordinate.Error < 0.2, $"error estimate {c.Coordinate.Error}"));
    }
}
