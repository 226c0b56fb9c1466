using Praetor.State.Catalog;

namespace Praetor.Agent.Definitions;

/// <summary>
/// Checks definitions against Consul's rules and turns them into what the catalog holds:
/// a service's ID defaults to its name, its checks' IDs to `service:&lt;id&gt;` (`:n` when
/// there are several), check names to `Service '&lt;name&gt;' check`, and every check starts
/// critical unless its definition says otherwise.
/// </summary>
public static class DefinitionConversion
{
    /// <summary>Every problem with a service definition (and its checks), each naming the field.</summary>
    public static IReadOnlyList<string> Problems(ServiceDefinition service)
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(service.Name))
        {
            problems.Add("Missing service name");
        }
        if (service.Port is < 0 or > 65535)
        {
            problems.Add($"Invalid service port {service.Port}: must be 0-65535");
        }
        if (service.WeightPassing < 1 || service.WeightWarning < 0)
        {
            problems.Add("Invalid service weights: Passing must be at least 1 and Warning at least 0");
        }
        for (var i = 0; i < service.Checks.Count; i++)
        {
            foreach (var problem in Problems(service.Checks[i], requireName: false))
            {
                problems.Add($"Check {i}: {problem}");
            }
        }
        return problems;
    }

    /// <summary>Every problem with a check definition; a standalone check needs a name.</summary>
    public static IReadOnlyList<string> Problems(CheckDefinition check, bool requireName = true)
    {
        var problems = new List<string>();
        if (requireName && string.IsNullOrWhiteSpace(check.Name))
        {
            problems.Add("Missing check name");
        }
        var ways = (check.Args.Count > 0 || check.Script.Length > 0 ? 1 : 0) + (check.Http.Length > 0 ? 1 : 0)
            + (check.Tcp.Length > 0 ? 1 : 0) + (check.Ttl > TimeSpan.Zero ? 1 : 0) + (check.AliasService.Length > 0 || check.AliasNode.Length > 0 ? 1 : 0);
        if (ways == 0)
        {
            problems.Add("Invalid check: one of Args/Script, HTTP, TCP, TTL or AliasService is required");
        }
        else if (ways > 1)
        {
            problems.Add("Invalid check: only one of Args/Script, HTTP, TCP, TTL or AliasService may be given");
        }
        if (check.Kind is CheckKind.Script or CheckKind.Http or CheckKind.Tcp && check.Interval <= TimeSpan.Zero)
        {
            problems.Add("Interval must be > 0 for Script, HTTP, or TCP checks");
        }
        if (check.Interval < TimeSpan.Zero || check.Timeout < TimeSpan.Zero || check.Ttl < TimeSpan.Zero || check.DeregisterCriticalServiceAfter < TimeSpan.Zero)
        {
            problems.Add("Durations must not be negative");
        }
        if (check.InitialStatus.Length > 0 && !HealthStatus.IsCheckStatus(check.InitialStatus))
        {
            problems.Add($"Invalid initial status \"{check.InitialStatus}\": must be passing, warning or critical");
        }
        if (check.Http.Length > 0 && !Uri.TryCreate(check.Http, UriKind.Absolute, out _))
        {
            problems.Add($"Invalid HTTP check URL \"{check.Http}\"");
        }
        return problems;
    }

    public static ServiceInstance ToInstance(ServiceDefinition service, string node) => new()
    {
        Node = node,
        Id = service.EffectiveId,
        Service = service.Name,
        Tags = service.Tags,
        Address = service.Address,
        Port = service.Port,
        Meta = service.Meta,
        WeightPassing = service.WeightPassing,
        WeightWarning = service.WeightWarning,
        EnableTagOverride = service.EnableTagOverride,
    };

    /// <summary>The checks of a service, with their IDs, names and service bound.</summary>
    public static IReadOnlyList<CheckDefinition> ServiceChecks(ServiceDefinition service)
    {
        var id = service.EffectiveId;
        var checks = new List<CheckDefinition>(service.Checks.Count);
        for (var i = 0; i < service.Checks.Count; i++)
        {
            var check = service.Checks[i];
            checks.Add(check with
            {
                Id = check.Id.Length > 0 ? check.Id : service.Checks.Count == 1 ? $"service:{id}" : $"service:{id}:{i + 1}",
                Name = check.Name.Length > 0 ? check.Name : $"Service '{service.Name}' check",
                ServiceId = id,
            });
        }
        return checks;
    }

    /// <summary>The check as the catalog holds it, in its initial state.</summary>
    public static HealthCheck ToHealthCheck(CheckDefinition check, string node, ServiceInstance? service) => new()
    {
        Node = node,
        CheckId = EffectiveId(check),
        Name = check.Name.Length > 0 ? check.Name : EffectiveId(check),
        Status = check.InitialStatus.Length > 0 ? check.InitialStatus : HealthStatus.Critical,
        Notes = check.Notes,
        ServiceId = check.ServiceId,
        ServiceName = service?.Service ?? "",
        ServiceTags = service?.Tags ?? [],
        Type = check.Kind switch
        {
            CheckKind.Script => "script",
            CheckKind.Http => "http",
            CheckKind.Tcp => "tcp",
            CheckKind.Ttl => "ttl",
            CheckKind.Alias => "alias",
            _ => "",
        },
        Definition = new CheckRunSpec
        {
            Http = check.Http,
            Method = check.Method,
            Body = check.Body,
            TlsSkipVerify = check.TlsSkipVerify,
            Header = check.Header,
            Tcp = check.Tcp,
            Interval = check.Interval,
            Timeout = check.Timeout,
            DeregisterCriticalServiceAfter = check.DeregisterCriticalServiceAfter,
        },
    };

    public static string EffectiveId(CheckDefinition check) => check.Id.Length > 0 ? check.Id : check.Name;
}
