using System.Collections.Immutable;
using Praetor.State.Watch;

namespace Praetor.State.Catalog;

/// <summary>
/// The catalog: nodes, the service instances on them, and health checks, in persistent
/// (immutable) sorted maps so a snapshot is a reference copy. Node and service names match
/// case-insensitively, as in Consul. Each table keeps the index of its last change, and each
/// service name the index of the last change to its instances or to any check that decides
/// their health (Consul's per-service index), so blocking health queries report precise indexes.
/// </summary>
public sealed class CatalogTable
{
    public static readonly CatalogTable Empty = new(
        ImmutableSortedDictionary.Create<string, CatalogNode>(StringComparer.OrdinalIgnoreCase),
        ImmutableSortedDictionary.Create<string, ImmutableSortedDictionary<string, ServiceInstance>>(StringComparer.OrdinalIgnoreCase),
        ImmutableSortedDictionary.Create<string, ImmutableSortedDictionary<string, HealthCheck>>(StringComparer.OrdinalIgnoreCase),
        ImmutableSortedDictionary.Create<string, ImmutableSortedSet<(string Node, string Id)>>(StringComparer.OrdinalIgnoreCase),
        ImmutableDictionary.Create<string, ulong>(StringComparer.OrdinalIgnoreCase),
        0, 0, 0);

    private static readonly IComparer<(string Node, string Id)> InstanceOrder = Comparer<(string Node, string Id)>.Create(static (a, b) =>
    {
        var byNode = StringComparer.OrdinalIgnoreCase.Compare(a.Node, b.Node);
        return byNode != 0 ? byNode : string.CompareOrdinal(a.Id, b.Id);
    });

    private readonly ImmutableSortedDictionary<string, CatalogNode> _nodes;
    private readonly ImmutableSortedDictionary<string, ImmutableSortedDictionary<string, ServiceInstance>> _services;
    private readonly ImmutableSortedDictionary<string, ImmutableSortedDictionary<string, HealthCheck>> _checks;
    private readonly ImmutableSortedDictionary<string, ImmutableSortedSet<(string Node, string Id)>> _byService;
    private readonly ImmutableDictionary<string, ulong> _serviceIndexes;

    private CatalogTable(
        ImmutableSortedDictionary<string, CatalogNode> nodes,
        ImmutableSortedDictionary<string, ImmutableSortedDictionary<string, ServiceInstance>> services,
        ImmutableSortedDictionary<string, ImmutableSortedDictionary<string, HealthCheck>> checks,
        ImmutableSortedDictionary<string, ImmutableSortedSet<(string Node, string Id)>> byService,
        ImmutableDictionary<string, ulong> serviceIndexes,
        ulong nodesIndex,
        ulong servicesIndex,
        ulong checksIndex)
    {
        _nodes = nodes;
        _services = services;
        _checks = checks;
        _byService = byService;
        _serviceIndexes = serviceIndexes;
        NodesIndex = nodesIndex;
        ServicesIndex = servicesIndex;
        ChecksIndex = checksIndex;
    }

    /// <summary>The last index at which a node was added, changed or removed.</summary>
    public ulong NodesIndex { get; }

    /// <summary>The last index at which a service instance was added, changed or removed.</summary>
    public ulong ServicesIndex { get; }

    /// <summary>The last index at which a check was added, changed or removed.</summary>
    public ulong ChecksIndex { get; }

    public IEnumerable<CatalogNode> Nodes => _nodes.Values;

    public CatalogNode? Node(string name) => _nodes.GetValueOrDefault(name);

    /// <summary>The instances on a node, in ID order.</summary>
    public IEnumerable<ServiceInstance> ServicesOn(string node) =>
        _services.TryGetValue(node, out var services) ? services.Values : [];

    public ServiceInstance? Service(string node, string id) =>
        _services.TryGetValue(node, out var services) ? services.GetValueOrDefault(id) : null;

    /// <summary>The checks on a node (its own and its services'), in ID order.</summary>
    public IEnumerable<HealthCheck> ChecksOn(string node) =>
        _checks.TryGetValue(node, out var checks) ? checks.Values : [];

    public HealthCheck? Check(string node, string checkId) =>
        _checks.TryGetValue(node, out var checks) ? checks.GetValueOrDefault(checkId) : null;

    /// <summary>Every service name with its instances, in name order.</summary>
    public IEnumerable<(string Name, IEnumerable<ServiceInstance> Instances)> ServicesByName()
    {
        foreach (var (name, keys) in _byService)
        {
            yield return (name, Instances(keys));
        }
    }

    /// <summary>The instances of a service, ordered by node then ID.</summary>
    public IEnumerable<ServiceInstance> Instances(string serviceName) =>
        _byService.TryGetValue(serviceName, out var keys) ? Instances(keys) : [];

    /// <summary>The index a query on one service reports: its own, or the services table's when it has none.</summary>
    public ulong ServiceIndex(string serviceName) =>
        _serviceIndexes.TryGetValue(serviceName, out var index) ? index : ServicesIndex;

    /// <summary>The instances of a service with their nodes and deciding checks (Consul's health/service).</summary>
    public IEnumerable<ServiceHealth> Health(string serviceName)
    {
        foreach (var instance in Instances(serviceName))
        {
            yield return HealthOf(instance);
        }
    }

    public ServiceHealth HealthOf(ServiceInstance instance)
    {
        var checks = new List<HealthCheck>();
        foreach (var check in ChecksOn(instance.Node))
        {
            if (check.ServiceId.Length == 0 || check.ServiceId == instance.Id)
            {
                checks.Add(check);
            }
        }
        return new ServiceHealth(_nodes[instance.Node], instance, checks);
    }

    /// <summary>Every check in the catalog, ordered by node then ID.</summary>
    public IEnumerable<HealthCheck> AllChecks()
    {
        foreach (var checks in _checks.Values)
        {
            foreach (var check in checks.Values)
            {
                yield return check;
            }
        }
    }

    private IEnumerable<ServiceInstance> Instances(ImmutableSortedSet<(string Node, string Id)> keys)
    {
        foreach (var (node, id) in keys)
        {
            yield return _services[node][id];
        }
    }

    /// <summary>
    /// Applies a registration (Consul's EnsureRegistration): the node, then the service, then the
    /// checks. Returns an error and leaves the table as it was when a check names a service the
    /// node does not have.
    /// </summary>
    internal (CatalogTable Table, string? Error) Register(CatalogRegistration registration, ulong index, KeyChanges changes)
    {
        var next = new Builder(this);
        var nodeName = registration.Node.Node;
        var existingNode = next.Nodes.GetValueOrDefault(nodeName);
        if (existingNode is null || !registration.SkipNodeUpdate)
        {
            if (existingNode is null || !existingNode.SameContents(registration.Node))
            {
                next.Nodes = next.Nodes.SetItem(nodeName, registration.Node with { CreateIndex = existingNode?.CreateIndex ?? index, ModifyIndex = index });
                next.NodesIndex = index;
                next.TouchNode(nodeName, index, changes);
            }
        }
        if (registration.Service is { } service)
        {
            next.PutService(service with { Node = next.Nodes[nodeName].Node }, index, changes);
        }
        foreach (var check in registration.Checks)
        {
            var error = next.PutCheck(check with { Node = next.Nodes[nodeName].Node }, index, changes);
            if (error is not null)
            {
                changes.Clear();
                return (this, error);
            }
        }
        return (next.Build(), null);
    }

    /// <summary>Removes a node with its services and checks, a service with its checks, or one check.</summary>
    internal CatalogTable Deregister(string node, string? serviceId, string? checkId, ulong index, KeyChanges changes)
    {
        if (!_nodes.ContainsKey(node))
        {
            return this;
        }
        var next = new Builder(this);
        if (!string.IsNullOrEmpty(serviceId))
        {
            next.RemoveService(node, serviceId, index, changes);
        }
        else if (!string.IsNullOrEmpty(checkId))
        {
            next.RemoveCheck(node, checkId, index, changes);
        }
        else
        {
            foreach (var service in ServicesOn(node))
            {
                next.RemoveService(node, service.Id, index, changes);
            }
            foreach (var check in ChecksOn(node))
            {
                next.RemoveCheck(node, check.CheckId, index, changes);
            }
            next.TouchNode(node, index, changes);
            next.Nodes = next.Nodes.Remove(node);
            next.NodesIndex = index;
        }
        return next.Build();
    }

    internal static CatalogTable Restore(
        IEnumerable<CatalogNode> nodes, IEnumerable<ServiceInstance> services, IEnumerable<HealthCheck> checks,
        ulong nodesIndex, ulong servicesIndex, ulong checksIndex)
    {
        var builder = new Builder(Empty);
        foreach (var node in nodes)
        {
            builder.Nodes = builder.Nodes.SetItem(node.Node, node);
        }
        foreach (var service in services)
        {
            builder.Index(service, service.ModifyIndex);
        }
        foreach (var check in checks)
        {
            builder.Checks = builder.Checks.SetItem(check.Node, builder.ChecksOf(check.Node).SetItem(check.CheckId, check));
            if (check.ServiceName.Length > 0)
            {
                builder.BumpService(check.ServiceName, check.ModifyIndex);
            }
        }
        builder.NodesIndex = nodesIndex;
        builder.ServicesIndex = servicesIndex;
        builder.ChecksIndex = checksIndex;
        return builder.Build();
    }

    /// <summary>A mutable working copy for one operation; its maps stay persistent, so building is cheap.</summary>
    private sealed class Builder(CatalogTable from)
    {
        public ImmutableSortedDictionary<string, CatalogNode> Nodes = from._nodes;
        public ImmutableSortedDictionary<string, ImmutableSortedDictionary<string, ServiceInstance>> Services = from._services;
        public ImmutableSortedDictionary<string, ImmutableSortedDictionary<string, HealthCheck>> Checks = from._checks;
        public ImmutableSortedDictionary<string, ImmutableSortedSet<(string Node, string Id)>> ByService = from._byService;
        public ImmutableDictionary<string, ulong> ServiceIndexes = from._serviceIndexes;
        public ulong NodesIndex = from.NodesIndex;
        public ulong ServicesIndex = from.ServicesIndex;
        public ulong ChecksIndex = from.ChecksIndex;

        public CatalogTable Build() => new(Nodes, Services, Checks, ByService, ServiceIndexes, NodesIndex, ServicesIndex, ChecksIndex);

        public ImmutableSortedDictionary<string, ServiceInstance> ServicesOf(string node) =>
            Services.GetValueOrDefault(node) ?? ImmutableSortedDictionary.Create<string, ServiceInstance>(StringComparer.Ordinal);

        public ImmutableSortedDictionary<string, HealthCheck> ChecksOf(string node) =>
            Checks.GetValueOrDefault(node) ?? ImmutableSortedDictionary.Create<string, HealthCheck>(StringComparer.Ordinal);

        public void PutService(ServiceInstance service, ulong index, KeyChanges changes)
        {
            var existing = ServicesOf(service.Node).GetValueOrDefault(service.Id);
            if (existing is not null && existing.SameContents(service))
            {
                return;
            }
            if (existing is not null && !string.Equals(existing.Service, service.Service, StringComparison.OrdinalIgnoreCase))
            {
                Unindex(existing, index, changes);
            }
            var stored = service with { CreateIndex = existing?.CreateIndex ?? index, ModifyIndex = index };
            Index(stored, index);
            ServicesIndex = index;
            changes.Key(CatalogWatchKeys.Service(stored.Service));
            changes.Key(CatalogWatchKeys.Node(stored.Node));
            // The service's checks carry its name and tags; keep them in step.
            foreach (var check in ChecksOf(service.Node).Values)
            {
                if (check.ServiceId == service.Id)
                {
                    Checks = Checks.SetItem(service.Node, ChecksOf(service.Node).SetItem(check.CheckId,
                        check with { ServiceName = stored.Service, ServiceTags = stored.Tags, ModifyIndex = index }));
                    ChecksIndex = index;
                }
            }
        }

        public string? PutCheck(HealthCheck check, ulong index, KeyChanges changes)
        {
            var stored = check;
            if (check.ServiceId.Length > 0)
            {
                var service = ServicesOf(check.Node).GetValueOrDefault(check.ServiceId);
                if (service is null)
                {
                    return $"Missing service registration: check \"{check.CheckId}\" names service \"{check.ServiceId}\", which node \"{check.Node}\" does not have";
                }
                stored = stored with { ServiceName = service.Service, ServiceTags = service.Tags };
            }
            else
            {
                stored = stored with { ServiceName = "", ServiceTags = [] };
            }
            var existing = ChecksOf(check.Node).GetValueOrDefault(check.CheckId);
            if (existing is not null && existing.SameContents(stored))
            {
                return null;
            }
            stored = stored with { CreateIndex = existing?.CreateIndex ?? index, ModifyIndex = index };
            Checks = Checks.SetItem(check.Node, ChecksOf(check.Node).SetItem(check.CheckId, stored));
            ChecksIndex = index;
            TouchCheck(existing ?? stored, index, changes);
            if (existing is not null && existing.ServiceName != stored.ServiceName)
            {
                TouchCheck(stored, index, changes);
            }
            return null;
        }

        public void RemoveService(string node, string serviceId, ulong index, KeyChanges changes)
        {
            var existing = ServicesOf(node).GetValueOrDefault(serviceId);
            if (existing is null)
            {
                return;
            }
            foreach (var check in ChecksOf(node).Values)
            {
                if (check.ServiceId == serviceId)
                {
                    RemoveCheck(node, check.CheckId, index, changes);
                }
            }
            var remaining = ServicesOf(node).Remove(serviceId);
            Services = remaining.IsEmpty ? Services.Remove(node) : Services.SetItem(node, remaining);
            Unindex(existing, index, changes);
            ServicesIndex = index;
            changes.Key(CatalogWatchKeys.Node(node));
        }

        public void RemoveCheck(string node, string checkId, ulong index, KeyChanges changes)
        {
            var existing = ChecksOf(node).GetValueOrDefault(checkId);
            if (existing is null)
            {
                return;
            }
            var remaining = ChecksOf(node).Remove(checkId);
            Checks = remaining.IsEmpty ? Checks.Remove(node) : Checks.SetItem(node, remaining);
            ChecksIndex = index;
            TouchCheck(existing, index, changes);
        }

        /// <summary>A node record changed: every query about the node or its services must wake.</summary>
        public void TouchNode(string node, ulong index, KeyChanges changes)
        {
            changes.Key(CatalogWatchKeys.Node(node));
            foreach (var service in ServicesOf(node).Values)
            {
                BumpService(service.Service, index);
                changes.Key(CatalogWatchKeys.Service(service.Service));
            }
        }

        /// <summary>A check changed: the node's queries wake, and so do those of the services whose health it decides.</summary>
        private void TouchCheck(HealthCheck check, ulong index, KeyChanges changes)
        {
            if (check.ServiceId.Length > 0)
            {
                changes.Key(CatalogWatchKeys.Node(check.Node));
                BumpService(check.ServiceName, index);
                changes.Key(CatalogWatchKeys.Service(check.ServiceName));
            }
            else
            {
                TouchNode(check.Node, index, changes);
            }
        }

        public void Index(ServiceInstance service, ulong index)
        {
            Services = Services.SetItem(service.Node, ServicesOf(service.Node).SetItem(service.Id, service));
            var keys = ByService.GetValueOrDefault(service.Service) ?? ImmutableSortedSet.Create(InstanceOrder);
            ByService = ByService.SetItem(service.Service, keys.Add((service.Node, service.Id)));
            BumpService(service.Service, index);
        }

        private void Unindex(ServiceInstance service, ulong index, KeyChanges changes)
        {
            if (ByService.TryGetValue(service.Service, out var keys))
            {
                keys = keys.Remove((service.Node, service.Id));
                ByService = keys.IsEmpty ? ByService.Remove(service.Service) : ByService.SetItem(service.Service, keys);
            }
            BumpService(service.Service, index);
            changes.Key(CatalogWatchKeys.Service(service.Service));
        }

        public void BumpService(string name, ulong index)
        {
            if (ServiceIndexes.GetValueOrDefault(name) < index)
            {
                ServiceIndexes = ServiceIndexes.SetItem(name, index);
            }
        }
    }
}
