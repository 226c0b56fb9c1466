using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Praetor.Agent.Endpoints;
using Praetor.Gossip.Serf;
using Praetor.State;
using Praetor.State.Catalog;

namespace Praetor.Agent.Gossip;

/// <summary>
/// The leader's reconciliation of gossip members into the catalog (Consul's leader.go
/// reconcileMember and leader_registrator_v1.go): an alive member is registered with a passing
/// <c>serfHealth</c> check (servers with the <c>consul</c> service too), a failed one's check goes
/// critical, a member that left or was reaped is deregistered. Reads the store to skip what is
/// already so; writes only through the catalog endpoint, hence the log. Only the leader reconciles:
/// on any other server every call returns at once (the leader does it, and a server that becomes
/// leader runs a full pass).
/// </summary>
public sealed class MemberReconciler(AgentConfig config, StateStore store, ICatalogEndpoint catalog, Func<CatalogNode> selfNode, Func<bool> isLeader, ILogger? log = null)
{
    /// <summary>Check output for a live member (structs.SerfCheckAliveOutput).</summary>
    public const string AliveOutput = "Agent alive and reachable";

    /// <summary>Check output for a failed member (structs.SerfCheckFailedOutput).</summary>
    public const string FailedOutput = "Agent not live or unreachable";

    /// <summary>The check's name (structs.SerfCheckName).</summary>
    public const string CheckName = "Serf Health Status";

    private readonly ILogger _log = log ?? NullLogger.Instance;

    /// <summary>
    /// Reconciles one member by its status; <paramref name="reaped"/> for a member-reap event
    /// (Consul's StatusReap). Members of other datacenters, and members that are not Consul agents
    /// (a plain serf agent), are left out of the catalog, as Consul leaves them.
    /// </summary>
    public async Task ReconcileAsync(SerfMember member, bool reaped, CancellationToken cancellationToken)
    {
        if (!isLeader() || !ShouldHandle(member.Tags))
        {
            return;
        }
        if (reaped)
        {
            await DeregisterAsync("reaped", member.Name, cancellationToken).ConfigureAwait(false);
            return;
        }
        switch (member.Status)
        {
            case MemberStatus.Alive:
                await HandleAliveAsync(member.Name, ConsulMemberTags.Address(member.Addr), member.Tags, member.Vsn.ProtocolCurrent, member.Vsn.ProtocolMin, member.Vsn.ProtocolMax, cancellationToken).ConfigureAwait(false);
                break;
            case MemberStatus.Failed:
                await HandleFailedAsync(member.Name, ConsulMemberTags.Address(member.Addr), member.Tags, cancellationToken).ConfigureAwait(false);
                break;
            case MemberStatus.Left:
                await DeregisterAsync("left", member.Name, cancellationToken).ConfigureAwait(false);
                break;
        }
    }

    /// <summary>
    /// A full pass (Consul's reconcile, at leadership and every reconcile interval): every member,
    /// then every catalog node with a <c>serfHealth</c> check that gossip no longer knows is reaped.
    /// </summary>
    public async Task ReconcileAllAsync(IReadOnlyList<SerfMember> members, CancellationToken cancellationToken)
    {
        if (!isLeader())
        {
            return;
        }
        var known = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var member in members)
        {
            known.Add(member.Name);
            await ReconcileAsync(member, reaped: false, cancellationToken).ConfigureAwait(false);
        }
        var catalogTable = store.Current.Catalog;
        var stale = new List<string>();
        foreach (var node in catalogTable.Nodes)
        {
            if (!known.Contains(node.Node) && catalogTable.Check(node.Node, Agent.SerfHealthCheckId) is not null)
            {
                stale.Add(node.Node);
            }
        }
        foreach (var node in stale)
        {
            await DeregisterAsync("reaped", node, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Registers this agent as the leader reconciles a live member: its node, a passing serfHealth,
    /// and (servers) the consul service; nothing when this server does not lead (the leader's pass does it).
    /// </summary>
    public Task RegisterSelfAsync(IReadOnlyDictionary<string, string> tags, CancellationToken cancellationToken) =>
        isLeader() ? HandleAliveAsync(config.NodeName, config.AdvertiseAddress, tags, (byte)BuildInfo.ProtocolVersion, 1, 5, cancellationToken) : Task.CompletedTask;

    private bool ShouldHandle(IReadOnlyDictionary<string, string> tags)
    {
        if (ConsulMemberTags.IsClient(tags, out var dc) && dc == config.Datacenter)
        {
            return true;
        }
        return ConsulMemberTags.IsServer(tags, out dc, out _) && dc == config.Datacenter && tags.GetValueOrDefault("segment", "") == "";
    }

    private bool IsSelf(string name) => string.Equals(name, config.NodeName, StringComparison.OrdinalIgnoreCase);

    private async Task HandleAliveAsync(string name, string address, IReadOnlyDictionary<string, string> tags, byte protocolCur, byte protocolMin, byte protocolMax, CancellationToken cancellationToken)
    {
        ServiceInstance? service = null;
        if (ConsulMemberTags.IsServer(tags, out _, out var port))
        {
            var inv = CultureInfo.InvariantCulture;
            service = new ServiceInstance
            {
                Node = name,
                Id = Agent.ConsulServiceId,
                Service = Agent.ConsulServiceId,
                Port = port,
                Meta = new SortedDictionary<string, string>(StringComparer.Ordinal)
                {
                    ["non_voter"] = tags.GetValueOrDefault("nonvoter") == "1" ? "true" : "false",
                    ["raft_version"] = tags.GetValueOrDefault("raft_vsn", "1"),
                    ["read_replica"] = tags.GetValueOrDefault("read_replica") == "1" ? "true" : "false",
                    ["serf_protocol_current"] = protocolCur.ToString(inv),
                    ["serf_protocol_max"] = protocolMax.ToString(inv),
                    ["serf_protocol_min"] = protocolMin.ToString(inv),
                    ["version"] = Version(tags),
                },
            };
        }

        var catalogTable = store.Current.Catalog;
        var existing = catalogTable.Node(name);
        if (existing is not null && existing.Address == address)
        {
            var serviceMatches = service is null
                || (catalogTable.Service(name, Agent.ConsulServiceId) is { } current && SameMap(current.Meta, service.Meta) && current.Port == service.Port);
            if (serviceMatches && catalogTable.Check(name, Agent.SerfHealthCheckId)?.Status == HealthStatus.Passing)
            {
                return;
            }
        }
        if (!IsSelf(name))
        {
            Write(LogLevel.Information, $"member joined, marking health alive: member={name} partition=default");
        }

        CatalogNode node;
        if (IsSelf(name) && existing is null)
        {
            // This agent's own node as its anti-entropy will keep it (tagged addresses, node meta).
            node = selfNode();
        }
        else
        {
            node = new CatalogNode
            {
                Node = name,
                Id = tags.GetValueOrDefault("id", ""),
                Address = address,
                Datacenter = config.Datacenter,
                TaggedAddresses = existing?.TaggedAddresses ?? new Dictionary<string, string>(),
                Meta = existing?.Meta ?? new Dictionary<string, string>(StringComparer.Ordinal) { ["consul-version"] = Version(tags) },
            };
        }
        var check = new HealthCheck
        {
            Node = name,
            CheckId = Agent.SerfHealthCheckId,
            Name = CheckName,
            Status = HealthStatus.Passing,
            Output = AliveOutput,
            Type = "serf",
        };
        var error = await catalog.RegisterAsync(new CatalogRegistration(node, service, [check]), cancellationToken).ConfigureAwait(false);
        if (error is not null)
        {
            throw new InvalidOperationException($"failed to register member {name}: {error}");
        }
    }

    private async Task HandleFailedAsync(string name, string address, IReadOnlyDictionary<string, string> tags, CancellationToken cancellationToken)
    {
        var catalogTable = store.Current.Catalog;
        var existing = catalogTable.Node(name);
        if (existing is null)
        {
            Write(LogLevel.Information, $"ignoring failed event for member because it does not exist in the catalog: member={name} partition=default");
            return;
        }
        if (existing.Address == address && catalogTable.Check(name, Agent.SerfHealthCheckId)?.Status == HealthStatus.Critical)
        {
            return;
        }
        Write(LogLevel.Information, $"member failed, marking health critical: member={name} partition=default");
        var node = new CatalogNode { Node = name, Id = tags.GetValueOrDefault("id", ""), Address = address, Datacenter = config.Datacenter };
        var check = new HealthCheck
        {
            Node = name,
            CheckId = Agent.SerfHealthCheckId,
            Name = CheckName,
            Status = HealthStatus.Critical,
            Output = FailedOutput,
            Type = "serf",
        };
        var error = await catalog.RegisterAsync(new CatalogRegistration(node, null, [check], SkipNodeUpdate: true), cancellationToken).ConfigureAwait(false);
        if (error is not null)
        {
            throw new InvalidOperationException($"failed to mark member {name} critical: {error}");
        }
    }

    private async Task DeregisterAsync(string reason, string name, CancellationToken cancellationToken)
    {
        // Never deregister ourself: only the leader leaving could ask that, and a follower does it later.
        if (IsSelf(name))
        {
            Write(LogLevel.Warning, $"deregistering self should be done by follower: name={name} partition=default");
            return;
        }
        if (store.Current.Catalog.Node(name) is null)
        {
            return;
        }
        Write(LogLevel.Information, $"deregistering member: member={name} partition=default reason={reason}");
        await catalog.DeregisterAsync(name, null, null, cancellationToken).ConfigureAwait(false);
    }

    private static bool SameMap(IReadOnlyDictionary<string, string> a, IReadOnlyDictionary<string, string> b) =>
        a.Count == b.Count && a.All(pair => b.TryGetValue(pair.Key, out var value) && value == pair.Value);

    /// <summary>The version in a member's build tag ("1.20.0:abc" → "1.20.0").</summary>
    private static string Version(IReadOnlyDictionary<string, string> tags)
    {
        var build = tags.GetValueOrDefault("build", "");
        var colon = build.IndexOf(':', StringComparison.Ordinal);
        return colon < 0 ? build : build[..colon];
    }

    private void Write(LogLevel level, string message)
    {
        if (_log.IsEnabled(level))
        {
            _log.Log(level, "{Message}", message);
        }
    }
}
