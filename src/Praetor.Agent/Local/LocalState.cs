using System.Threading.Channels;
using Praetor.State.Catalog;

namespace Praetor.Agent.Local;

/// <summary>
/// The services and checks registered on this agent (Consul's agent/local.State): the agent's
/// own truth, which anti-entropy copies into the catalog. Each entry remembers whether the
/// catalog has its current version; a change marks it out of sync and wakes the syncer.
/// Thread-safe.
/// </summary>
public sealed class LocalState
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Entry<ServiceInstance>> _services = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Entry<HealthCheck>> _checks = new(StringComparer.Ordinal);
    // Capacity one, dropping further writes: a pending wake-up already covers later changes.
    private readonly Channel<bool> _changed = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    public LocalState(string nodeName)
    {
        NodeName = nodeName;
    }

    public string NodeName { get; }

    /// <summary>Completes when something changed since the last call's completion (a level trigger for the syncer).</summary>
    public async Task WaitForChangeAsync(CancellationToken cancellationToken) => await _changed.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);

    /// <summary>Adds or replaces a service; its checks are added with it.</summary>
    public void AddService(ServiceInstance service, IReadOnlyList<HealthCheck> checks)
    {
        lock (_lock)
        {
            _services[service.Id] = new Entry<ServiceInstance>(service with { Node = NodeName });
            foreach (var check in checks)
            {
                PutCheck(check);
            }
        }
        Signal();
    }

    /// <summary>Removes a service and its checks; false when there is no such service.</summary>
    public bool RemoveService(string id)
    {
        lock (_lock)
        {
            if (!_services.TryGetValue(id, out var entry) || entry.Deleted)
            {
                return false;
            }
            _services[id] = entry with { Deleted = true, InSync = false };
            foreach (var (checkId, check) in _checks)
            {
                if (!check.Deleted && check.Value.ServiceId == id)
                {
                    _checks[checkId] = check with { Deleted = true, InSync = false };
                }
            }
        }
        Signal();
        return true;
    }

    /// <summary>Adds or replaces a check; a service check needs its service registered here.</summary>
    public void AddCheck(HealthCheck check)
    {
        lock (_lock)
        {
            if (check.ServiceId.Length > 0 && Service(check.ServiceId) is null)
            {
                throw new ArgumentException($"ServiceID \"{check.ServiceId}\" does not exist", nameof(check));
            }
            PutCheck(check);
        }
        Signal();
    }

    public bool RemoveCheck(string id)
    {
        lock (_lock)
        {
            if (!_checks.TryGetValue(id, out var entry) || entry.Deleted)
            {
                return false;
            }
            _checks[id] = entry with { Deleted = true, InSync = false };
        }
        Signal();
        return true;
    }

    /// <summary>Records a check's result; false when the check is unknown. An unchanged result changes nothing.</summary>
    public bool UpdateCheck(string id, string status, string output)
    {
        lock (_lock)
        {
            if (!_checks.TryGetValue(id, out var entry) || entry.Deleted)
            {
                return false;
            }
            if (entry.Value.Status == status && entry.Value.Output == output)
            {
                return true;
            }
            _checks[id] = new Entry<HealthCheck>(entry.Value with { Status = status, Output = output });
        }
        Signal();
        return true;
    }

    public ServiceInstance? Service(string id)
    {
        lock (_lock)
        {
            return _services.TryGetValue(id, out var entry) && !entry.Deleted ? entry.Value : null;
        }
    }

    public HealthCheck? Check(string id)
    {
        lock (_lock)
        {
            return _checks.TryGetValue(id, out var entry) && !entry.Deleted ? entry.Value : null;
        }
    }

    /// <summary>The live services, in ID order.</summary>
    public IReadOnlyList<ServiceInstance> Services()
    {
        lock (_lock)
        {
            return [.. _services.Values.Where(e => !e.Deleted).Select(e => e.Value).OrderBy(s => s.Id, StringComparer.Ordinal)];
        }
    }

    /// <summary>The live checks, in ID order.</summary>
    public IReadOnlyList<HealthCheck> Checks()
    {
        lock (_lock)
        {
            return [.. _checks.Values.Where(e => !e.Deleted).Select(e => e.Value).OrderBy(c => c.CheckId, StringComparer.Ordinal)];
        }
    }

    /// <summary>What the catalog lacks: entries changed or deleted since they were last synced.</summary>
    internal (IReadOnlyList<(ServiceInstance Service, bool Deleted)> Services, IReadOnlyList<(HealthCheck Check, bool Deleted)> Checks) OutOfSync()
    {
        lock (_lock)
        {
            return (
                [.. _services.Values.Where(e => !e.InSync).Select(e => (e.Value, e.Deleted))],
                [.. _checks.Values.Where(e => !e.InSync).Select(e => (e.Value, e.Deleted))]);
        }
    }

    /// <summary>
    /// Marks a service synced if it is still the version that was written, in the same state
    /// (live or deleted) it was written in; a deleted one is then forgotten.
    /// </summary>
    internal void MarkServiceSynced(ServiceInstance written, bool deleted) => MarkSynced(_services, written.Id, written, deleted);

    internal void MarkCheckSynced(HealthCheck written, bool deleted) => MarkSynced(_checks, written.CheckId, written, deleted);

    /// <summary>Marks a service out of sync, so the next sync rewrites it (the catalog drifted).</summary>
    internal void MarkServiceOutOfSync(string id) => MarkOutOfSync(_services, id);

    internal void MarkCheckOutOfSync(string id) => MarkOutOfSync(_checks, id);

    private void MarkSynced<T>(Dictionary<string, Entry<T>> entries, string id, T written, bool deleted)
        where T : class
    {
        lock (_lock)
        {
            // A version registered, or a removal made, while the write was under way stays out
            // of sync: the removal of an entry being registered must still reach the catalog.
            if (entries.TryGetValue(id, out var entry) && ReferenceEquals(entry.Value, written) && entry.Deleted == deleted)
            {
                if (entry.Deleted)
                {
                    entries.Remove(id);
                }
                else
                {
                    entries[id] = entry with { InSync = true };
                }
            }
        }
    }

    private void MarkOutOfSync<T>(Dictionary<string, Entry<T>> entries, string id)
    {
        lock (_lock)
        {
            if (entries.TryGetValue(id, out var entry))
            {
                entries[id] = entry with { InSync = false };
            }
        }
    }

    private void PutCheck(HealthCheck check) => _checks[check.CheckId] = new Entry<HealthCheck>(check with { Node = NodeName });

    private void Signal() => _changed.Writer.TryWrite(true);

    private sealed record Entry<T>(T Value, bool InSync = false, bool Deleted = false);
}
