using Praetor.Agent.Checks;
using Praetor.Agent.Definitions;
using Praetor.Agent.Local;
using Praetor.Agent.Metrics;
using Praetor.State.Catalog;

namespace Praetor.Agent.Endpoints;

/// <summary>
/// The agent's own services and checks (Consul's agent endpoint): registration with Consul's
/// validation, the check runners, TTL updates, maintenance mode, and the reaping of services
/// whose check stayed critical past <c>deregister_critical_service_after</c>. Results go to
/// <see cref="LocalState"/>, which anti-entropy copies into the catalog.
/// </summary>
public sealed class AgentEndpoint : ICheckStatusSink, IAsyncDisposable
{
    /// <summary>How often critical checks are looked at for deregister_critical_service_after.</summary>
    public static readonly TimeSpan ReapInterval = TimeSpan.FromSeconds(1);

    private readonly AgentConfig _config;
    private readonly AgentMetrics _metrics;
    private readonly LocalState _local;
    private readonly IHealthEndpoint _health;
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, CheckRunner> _runners = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (TimeSpan After, long CriticalSince)> _reapable = new(StringComparer.Ordinal);
    private readonly ITimer _reaper;

    public AgentEndpoint(AgentConfig config, LocalState local, IHealthEndpoint health, AgentMetrics metrics, TimeProvider time)
    {
        _config = config;
        _metrics = metrics;
        _local = local;
        _health = health;
        _time = time;
        _reaper = time.CreateTimer(_ => ReapCriticalServices(), null, ReapInterval, ReapInterval);
    }

    public IReadOnlyList<ServiceInstance> Services() => _local.Services();

    public ServiceInstance? Service(string id) => _local.Service(id);

    public IReadOnlyList<HealthCheck> Checks() => _local.Checks();

    /// <summary>Adds or replaces a service with its checks; a bad definition is refused whole.</summary>
    public void RegisterService(ServiceDefinition definition, RegistrationSource source, bool replaceExistingChecks = false)
    {
        CheckRegistration(definition, source);
        var checks = DefinitionConversion.ServiceChecks(definition).Select(KeepCurrentStatus).ToList();
        var instance = DefinitionConversion.ToInstance(definition, _local.NodeName);
        var healthChecks = checks.Select(c => DefinitionConversion.ToHealthCheck(c, _local.NodeName, instance)).ToList();
        var runners = checks.Select(c => (Id: DefinitionConversion.EffectiveId(c), Runner: NewRunner(c))).ToList();
        lock (_lock)
        {
            if (replaceExistingChecks)
            {
                var kept = checks.Select(DefinitionConversion.EffectiveId).ToHashSet(StringComparer.Ordinal);
                foreach (var old in _local.Checks())
                {
                    if (old.ServiceId == instance.Id && !kept.Contains(old.CheckId) && !MaintenanceChecks.IsServiceCheck(old.CheckId))
                    {
                        _local.RemoveCheck(old.CheckId);
                        StopRunner(old.CheckId);
                    }
                }
            }
            _local.AddService(instance, healthChecks);
            for (var i = 0; i < runners.Count; i++)
            {
                StartRunner(runners[i].Id, runners[i].Runner, checks[i]);
            }
        }
    }

    public bool DeregisterService(string id)
    {
        lock (_lock)
        {
            var checkIds = _local.Checks().Where(c => c.ServiceId == id).Select(c => c.CheckId).ToList();
            if (!_local.RemoveService(id))
            {
                return false;
            }
            foreach (var checkId in checkIds)
            {
                StopRunner(checkId);
            }
            return true;
        }
    }

    /// <summary>Adds or replaces a check; a service check needs its service registered on this agent.</summary>
    public void RegisterCheck(CheckDefinition definition, RegistrationSource source)
    {
        CheckRegistration(definition, source);
        var service = definition.ServiceId.Length > 0
            ? _local.Service(definition.ServiceId) ?? throw EndpointException.BadRequest($"ServiceID \"{definition.ServiceId}\" does not exist")
            : null;
        definition = KeepCurrentStatus(definition);
        var runner = NewRunner(definition);
        lock (_lock)
        {
            _local.AddCheck(DefinitionConversion.ToHealthCheck(definition, _local.NodeName, service));
            StartRunner(DefinitionConversion.EffectiveId(definition), runner, definition);
        }
    }

    public bool DeregisterCheck(string id)
    {
        lock (_lock)
        {
            StopRunner(id);
            return _local.RemoveCheck(id);
        }
    }

    /// <summary>A TTL check's new state (pass/warn/fail/update).</summary>
    public void UpdateTtl(string checkId, string status, string output)
    {
        if (!HealthStatus.IsCheckStatus(status))
        {
            throw EndpointException.BadRequest($"Invalid status \"{status}\": must be passing, warning or critical");
        }
        TtlCheckRunner? ttl;
        lock (_lock)
        {
            if (_local.Check(checkId) is null)
            {
                throw EndpointException.NotFound($"Unknown check ID \"{checkId}\"");
            }
            ttl = _runners.GetValueOrDefault(checkId) as TtlCheckRunner;
        }
        if (ttl is null)
        {
            throw new EndpointException(EndpointErrorKind.Failed, $"CheckID \"{checkId}\" does not have associated TTL");
        }
        ttl.SetStatus(status, output);
    }

    /// <summary>Puts a service in or out of maintenance: a critical `_service_maintenance:&lt;id&gt;` check.</summary>
    public void SetServiceMaintenance(string serviceId, bool enable, string reason)
    {
        var service = _local.Service(serviceId) ?? throw EndpointException.NotFound($"Unknown service ID \"{serviceId}\"");
        SetMaintenance(enable, new HealthCheck
        {
            Node = _local.NodeName,
            CheckId = MaintenanceChecks.ServiceCheckId(serviceId),
            Name = "Service Maintenance Mode",
            Notes = reason.Length > 0 ? reason : "Maintenance mode is enabled for this service, but no reason was provided. This is a default message.",
            ServiceId = serviceId,
            ServiceName = service.Service,
            ServiceTags = service.Tags,
        });
    }

    /// <summary>Puts the node in or out of maintenance: a critical `_node_maintenance` check.</summary>
    public void SetNodeMaintenance(bool enable, string reason) => SetMaintenance(enable, new HealthCheck
    {
        Node = _local.NodeName,
        CheckId = MaintenanceChecks.NodeCheckId,
        Name = "Node Maintenance Mode",
        Notes = reason.Length > 0 ? reason : "Maintenance mode is enabled for this node, but no reason was provided. This is a default message.",
    });

    private void SetMaintenance(bool enable, HealthCheck check)
    {
        if (enable)
        {
            _local.AddCheck(check with { Status = HealthStatus.Critical, Type = "maintenance" });
        }
        else
        {
            _local.RemoveCheck(check.CheckId);
        }
    }

    void ICheckStatusSink.Update(string checkId, string status, string output)
    {
        _metrics.CheckUpdates.Add(1, new KeyValuePair<string, object?>("status", status));
        if (!_local.UpdateCheck(checkId, status, output))
        {
            return;
        }
        lock (_reapable)
        {
            if (_reapable.TryGetValue(checkId, out var reap))
            {
                var since = status == HealthStatus.Critical ? (reap.CriticalSince != 0 ? reap.CriticalSince : _time.GetTimestamp()) : 0;
                _reapable[checkId] = (reap.After, since);
            }
        }
    }

    /// <summary>Throws a 400 <see cref="EndpointException"/> when the service could not be registered.</summary>
    public void CheckRegistration(ServiceDefinition definition, RegistrationSource source)
    {
        var problems = DefinitionConversion.Problems(definition);
        if (problems.Count > 0)
        {
            throw EndpointException.BadRequest(string.Join("; ", problems));
        }
        foreach (var check in DefinitionConversion.ServiceChecks(definition))
        {
            RequireScriptsAllowed(check, source);
        }
    }

    /// <summary>Throws a 400 <see cref="EndpointException"/> when the check could not be registered.</summary>
    public void CheckRegistration(CheckDefinition definition, RegistrationSource source)
    {
        var problems = DefinitionConversion.Problems(definition);
        if (problems.Count > 0)
        {
            throw EndpointException.BadRequest(string.Join("; ", problems));
        }
        RequireScriptsAllowed(definition, source);
    }

    /// <summary>
    /// A check registered again (re-registration, reload) starts from the state it has rather
    /// than critical, so registering a service again does not make it flap, as Consul keeps
    /// check states across a reload.
    /// </summary>
    private CheckDefinition KeepCurrentStatus(CheckDefinition check) =>
        check.InitialStatus.Length == 0 && _local.Check(DefinitionConversion.EffectiveId(check)) is { } current
            ? check with { InitialStatus = current.Status }
            : check;

    private void RequireScriptsAllowed(CheckDefinition check, RegistrationSource source)
    {
        if (check.Kind != CheckKind.Script)
        {
            return;
        }
        if (source == RegistrationSource.Remote && !_config.EnableScriptChecks)
        {
            throw EndpointException.BadRequest("Scripts are disabled on this agent from remote calls; to enable, configure 'enable_script_checks' to true");
        }
        if (source == RegistrationSource.Local && !_config.EnableScriptChecks && !_config.EnableLocalScriptChecks)
        {
            throw EndpointException.BadRequest("Scripts are disabled on this agent; to enable, configure 'enable_script_checks' or 'enable_local_script_checks' to true");
        }
    }

    private CheckRunner NewRunner(CheckDefinition check) => check.Kind == CheckKind.Alias
        ? new AliasCheckRunner(DefinitionConversion.EffectiveId(check), check.AliasNode.Length > 0 ? check.AliasNode : _local.NodeName, check.AliasService, _health, this, _time)
        : CheckRunners.Create(DefinitionConversion.EffectiveId(check), check, this, _time);

    private void StartRunner(string checkId, CheckRunner runner, CheckDefinition definition)
    {
        StopRunner(checkId);
        lock (_reapable)
        {
            if (definition.DeregisterCriticalServiceAfter > TimeSpan.Zero && definition.ServiceId.Length > 0)
            {
                _reapable[checkId] = (definition.DeregisterCriticalServiceAfter, 0);
            }
        }
        _runners[checkId] = runner;
        runner.Start();
    }

    private void StopRunner(string checkId)
    {
        lock (_reapable)
        {
            _reapable.Remove(checkId);
        }
        if (_runners.Remove(checkId, out var runner))
        {
            // Stopping may wait for a running script to be killed; nobody needs to wait for that.
            _ = runner.DisposeAsync().AsTask();
        }
    }

    /// <summary>Deregisters services whose reapable check has been critical longer than its limit.</summary>
    private void ReapCriticalServices()
    {
        List<string> expired;
        lock (_reapable)
        {
            expired = [.. _reapable.Where(r => r.Value.CriticalSince != 0 && _time.GetElapsedTime(r.Value.CriticalSince) >= r.Value.After).Select(r => r.Key)];
        }
        foreach (var checkId in expired)
        {
            if (_local.Check(checkId) is { ServiceId.Length: > 0 } check)
            {
                DeregisterService(check.ServiceId);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _reaper.DisposeAsync().ConfigureAwait(false);
        List<CheckRunner> runners;
        lock (_lock)
        {
            runners = [.. _runners.Values];
            _runners.Clear();
        }
        foreach (var runner in runners)
        {
            await runner.DisposeAsync().ConfigureAwait(false);
        }
    }
}
