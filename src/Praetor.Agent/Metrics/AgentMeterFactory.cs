using System.Diagnostics.Metrics;

namespace Praetor.Agent.Metrics;

/// <summary>
/// The meters of one agent: every library (<c>Praetor.Gossip</c>, <c>Praetor.Raft</c>,
/// <c>Praetor.Agent</c>, <c>Praetor.Dns</c>, <c>Praetor.Api</c>) creates its meter here, scoped to
/// this factory, so that the agent's <see cref="InmemSink"/> collects its own agent's
/// measurements only, even with several agents in one process (tests). One meter per name:
/// two pools of one agent share their instruments, as Consul aggregates per agent.
/// </summary>
public sealed class AgentMeterFactory : IMeterFactory
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Meter> _meters = new(StringComparer.Ordinal);
    private bool _disposed;

    /// <summary>The meter named <paramref name="options"/>.Name, scoped to this factory; created on first use. Thread-safe.</summary>
    public Meter Create(MeterOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Scope is not null && !ReferenceEquals(options.Scope, this))
        {
            throw new InvalidOperationException("a meter of this factory is scoped to the factory");
        }
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!_meters.TryGetValue(options.Name, out var meter))
            {
                meter = new Meter(new MeterOptions(options.Name) { Version = options.Version, Tags = options.Tags, Scope = this });
                _meters.Add(options.Name, meter);
            }
            return meter;
        }
    }

    /// <summary>Disposes every meter created here, which ends their instruments' measurements.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
            foreach (var meter in _meters.Values)
            {
                meter.Dispose();
            }
            _meters.Clear();
        }
    }
}
