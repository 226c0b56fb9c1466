using Microsoft.Extensions.Logging;
using Praetor.Agent.Endpoints;
using Praetor.Gossip.Serf;
using Praetor.State.Coordinates;

namespace Praetor.Agent;

/// <summary>
/// Consul's agent.sendCoordinate: every so often the agent sends its LAN coordinate to the servers
/// (Coordinate.Update), which batch them into the catalog's coordinates table. The interval grows
/// with the cluster so the servers see about <see cref="RateTarget"/> updates a second in all, never
/// below <see cref="IntervalMin"/>, plus a random stagger of up to the interval. The first update
/// goes <see cref="FirstDelay"/> after start (Consul's waits a whole interval), so that clients
/// that wait for <c>/v1/coordinate/nodes</c> to fill do not wait long. A failed send is logged and
/// tried again at the next interval.
/// </summary>
public sealed partial class CoordinateSender : IAsyncDisposable
{
    /// <summary>Consul's sync_coordinate_rate_target: updates per second across the cluster.</summary>
    public const double RateTarget = 64;

    /// <summary>Consul's sync_coordinate_interval_min.</summary>
    public static readonly TimeSpan IntervalMin = TimeSpan.FromSeconds(15);

    /// <summary>How long after start the first update goes (a few probes have moved the coordinate by then).</summary>
    public static readonly TimeSpan FirstDelay = TimeSpan.FromSeconds(2);

    private readonly string _node;
    private readonly Func<Coordinate?> _coordinate;
    private readonly Func<int> _members;
    private readonly ICoordinateEndpoint _endpoint;
    private readonly TimeProvider _time;
    private readonly ILogger? _logger;
    private readonly CancellationTokenSource _stop = new();
    private Task _loop = Task.CompletedTask;

    /// <param name="coordinate">This agent's LAN coordinate; null while there is no LAN pool.</param>
    /// <param name="members">How many LAN members there are (the interval scales with them).</param>
    public CoordinateSender(string node, Func<Coordinate?> coordinate, Func<int> members, ICoordinateEndpoint endpoint, TimeProvider time, ILogger? logger)
    {
        _node = node;
        _coordinate = coordinate;
        _members = members;
        _endpoint = endpoint;
        _time = time;
        _logger = logger;
    }

    /// <summary>How many updates were sent successfully.</summary>
    public long Sent { get; private set; }

    /// <summary>Consul's lib.RateScaledInterval: <paramref name="members"/> / <see cref="RateTarget"/> seconds, at least <see cref="IntervalMin"/>.</summary>
    public static TimeSpan Interval(int members)
    {
        var scaled = TimeSpan.FromSeconds(members / RateTarget);
        return scaled > IntervalMin ? scaled : IntervalMin;
    }

    /// <summary>Starts the loop.</summary>
    public void Start() => _loop = RunAsync(_stop.Token);

    /// <summary>Sends the current coordinate once (the loop's step); false when there is none yet or the server refused.</summary>
    public async Task<bool> SendAsync(CancellationToken cancellationToken)
    {
        if (_coordinate() is not { } coordinate)
        {
            return false;
        }
        try
        {
            await _endpoint.UpdateAsync(new CoordinateEntry(_node, "", coordinate), cancellationToken).ConfigureAwait(false);
            Sent++;
            return true;
        }
        catch (Exception e) when (e is not OperationCanceledException and not OutOfMemoryException)
        {
            // No server reachable, no leader, or a refusal (this node not in the catalog yet): next interval.
            if (_logger is not null) SenderLog.Failed(_logger, e.Message);
            return false;
        }
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            var delay = FirstDelay;
            while (true)
            {
                await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
                await SendAsync(cancellationToken).ConfigureAwait(false);
                var interval = Interval(_members());
                delay = interval + TimeSpan.FromTicks(Random.Shared.NextInt64(interval.Ticks));
            }
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        _stop.Dispose();
    }

    private static partial class SenderLog
    {
        [LoggerMessage(Level = LogLevel.Debug, Message = "Coordinate update failed: {Reason}")]
        public static partial void Failed(ILogger logger, string reason);
    }
}
