namespace Praetor.Gossip.Serf;

/// <summary>
/// The tuning of the Vivaldi algorithm (serf/coordinate Config); <see cref="Default"/> holds
/// Serf's defaults, which Consul uses unchanged.
/// </summary>
public sealed record VivaldiConfig
{
    /// <summary>Serf's defaults: 8 dimensions, error max 1.5, ce = cc = 0.25, adjustment window 20, height min 10 µs, latency filter 3, gravity rho 150.</summary>
    public static VivaldiConfig Default { get; } = new();

    /// <summary>The number of Euclidean dimensions.</summary>
    public int Dimensionality { get; init; } = 8;

    /// <summary>The largest (and the initial) error estimate.</summary>
    public double VivaldiErrorMax { get; init; } = 1.5;

    /// <summary>How fast the error estimate follows new observations.</summary>
    public double VivaldiCE { get; init; } = 0.25;

    /// <summary>How far one observation moves the coordinate.</summary>
    public double VivaldiCC { get; init; } = 0.25;

    /// <summary>How many of the latest (RTT − distance) samples make up the adjustment; 0 disables it.</summary>
    public int AdjustmentWindowSize { get; init; } = 20;

    /// <summary>The smallest height (seconds).</summary>
    public double HeightMin { get; init; } = 10.0e-6;

    /// <summary>How many RTT samples per node the moving median takes.</summary>
    public int LatencyFilterSize { get; init; } = 3;

    /// <summary>How weakly coordinates are pulled back to the origin (seconds; larger is weaker).</summary>
    public double GravityRho { get; init; } = 150.0;
}

/// <summary>
/// This node's network coordinate, moved by each RTT observation as serf/coordinate's Client
/// does: a moving median over the node's latest RTTs, the Vivaldi spring step weighted by both
/// error estimates, the adjustment over a window of residuals, and a little gravity towards the
/// origin; a coordinate that becomes non-finite is reset (and counted). Deterministic: the
/// only randomness (a direction between coinciding coordinates) comes from the given
/// <see cref="Random"/>. Not thread-safe.
/// </summary>
public sealed class CoordinateClient
{
    /// <summary>The longest RTT an observation may report (Serf rejects longer ones).</summary>
    public static readonly TimeSpan RttMax = TimeSpan.FromSeconds(10);

    private readonly VivaldiConfig _config;
    private readonly Random _random;
    private readonly Coordinate _origin;
    private readonly double[] _adjustmentSamples;
    private readonly Dictionary<string, List<double>> _latencySamples = new(StringComparer.Ordinal);
    private int _adjustmentIndex;

    /// <summary>Starts at the origin; throws <see cref="ArgumentException"/> for a dimensionality, filter size or window below what Serf accepts.</summary>
    public CoordinateClient(VivaldiConfig config, Random random)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(random);
        if (config.Dimensionality <= 0) throw new ArgumentException("dimensionality must be >0", nameof(config));
        if (config.LatencyFilterSize <= 0) throw new ArgumentException("latency filter size must be >0", nameof(config));
        if (config.AdjustmentWindowSize < 0) throw new ArgumentException("adjustment window size must be >=0", nameof(config));
        _config = config;
        _random = random;
        _origin = Coordinate.Origin(config);
        Coordinate = _origin;
        _adjustmentSamples = new double[config.AdjustmentWindowSize];
    }

    /// <summary>The current estimate (immutable; replaced by each update).</summary>
    public Coordinate Coordinate { get; private set; }

    /// <summary>How many times the coordinate became invalid and was reset to the origin.</summary>
    public long Resets { get; private set; }

    /// <summary>Forgets the RTT samples of <paramref name="node"/> (it left the cluster).</summary>
    public void ForgetNode(string node) => _latencySamples.Remove(node);

    /// <summary>
    /// Takes one observation: <paramref name="node"/>, at <paramref name="other"/>, answered in
    /// <paramref name="rtt"/>. Returns null when applied (<see cref="Coordinate"/> moved), or Serf's reason when the
    /// observation is refused (another dimensionality, a non-finite coordinate, an RTT outside
    /// 0..10 s); a refused observation changes nothing.
    /// </summary>
    public string? Update(string node, Coordinate other, TimeSpan rtt)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(other);
        if (!Coordinate.IsCompatibleWith(other)) return "dimensions aren't compatible";
        if (!other.IsValid()) return "coordinate is invalid";
        if (rtt < TimeSpan.Zero || rtt > RttMax) return $"round trip time not in valid range, duration {rtt} is not a positive value less than {RttMax}";
        var rttSeconds = LatencyFilter(node, rtt.TotalSeconds);
        UpdateVivaldi(other, rttSeconds);
        UpdateAdjustment(other, rttSeconds);
        UpdateGravity();
        if (!Coordinate.IsValid())
        {
            Resets++;
            Coordinate = _origin;
        }
        return null;
    }

    /// <summary>The median of the node's latest samples, this one included.</summary>
    private double LatencyFilter(string node, double rttSeconds)
    {
        if (!_latencySamples.TryGetValue(node, out var samples)) _latencySamples[node] = samples = new List<double>(_config.LatencyFilterSize + 1);
        samples.Add(rttSeconds);
        if (samples.Count > _config.LatencyFilterSize) samples.RemoveAt(0);
        var sorted = samples.ToArray();
        Array.Sort(sorted);
        return sorted[sorted.Length / 2];
    }

    private void UpdateVivaldi(Coordinate other, double rttSeconds)
    {
        var distance = Coordinate.DistanceTo(other);
        rttSeconds = Math.Max(rttSeconds, Coordinate.ZeroThreshold);
        var wrongness = Math.Abs(distance - rttSeconds) / rttSeconds;
        var totalError = Math.Max(Coordinate.Error + other.Error, Coordinate.ZeroThreshold);
        var weight = Coordinate.Error / totalError;
        var error = _config.VivaldiCE * weight * wrongness + Coordinate.Error * (1.0 - _config.VivaldiCE * weight);
        var force = _config.VivaldiCC * weight * (rttSeconds - distance);
        Coordinate = (Coordinate with { Error = Math.Min(error, _config.VivaldiErrorMax) }).ApplyForce(_config, force, other, _random);
    }

    private void UpdateAdjustment(Coordinate other, double rttSeconds)
    {
        if (_adjustmentSamples.Length == 0) return;
        // The adjustments already in place do not count here: the raw distance.
        _adjustmentSamples[_adjustmentIndex] = rttSeconds - Coordinate.RawDistanceTo(other);
        _adjustmentIndex = (_adjustmentIndex + 1) % _adjustmentSamples.Length;
        var sum = 0.0;
        foreach (var sample in _adjustmentSamples) sum += sample;
        Coordinate = Coordinate with { Adjustment = sum / (2.0 * _adjustmentSamples.Length) };
    }

    private void UpdateGravity()
    {
        var distance = _origin.DistanceTo(Coordinate);
        var force = -Math.Pow(distance / _config.GravityRho, 2.0);
        Coordinate = Coordinate.ApplyForce(_config, force, _origin, _random);
    }
}
