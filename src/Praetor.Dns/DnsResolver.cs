using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Sockets;
using Praetor.Agent.Config;
using Praetor.Agent.Endpoints;
using Praetor.Dns.Wire;
using Praetor.State.Catalog;

namespace Praetor.Dns;

/// <summary>
/// Answers questions in the agent's domains from the catalog, through the same endpoint layer the
/// HTTP API uses, as Consul's DNS interface does: nodes, healthy service instances (shuffled, A/AAAA
/// or SRV with the addresses in the additional section), hex <c>.addr.</c> names, reverse lookups,
/// and SOA/NS for the domain. Settings are read from the agent's config on every question, so a
/// reload takes effect at once.
/// </summary>
public sealed class DnsResolver(Agent.Agent agent)
{
    /// <summary>The meter of the DNS interface's instruments.</summary>
    public const string MeterName = "Praetor.Dns";

    /// <summary>Consul lists at most three name servers.</summary>
    private const int MaxNameServers = 3;

    private static readonly MeterOptions DnsMeter = new(MeterName);

    /// <summary><c>consul.dns.domain_query</c>: milliseconds to answer a name in the domains, labelled with the node, as Consul.</summary>
    private readonly Histogram<double> _domainQuery = agent.Meters.Create(DnsMeter)
        .CreateHistogram<double>("consul.dns.domain_query", "ms", "time to answer a query for a name in the domains");

    /// <summary><c>consul.dns.ptr_query</c>: milliseconds to answer a reverse (PTR) name.</summary>
    private readonly Histogram<double> _ptrQuery = agent.Meters.Create(DnsMeter)
        .CreateHistogram<double>("consul.dns.ptr_query", "ms", "time to answer a reverse lookup");

    /// <summary>
    /// The response to <paramref name="query"/>, or null when it is for the recursors (a name outside
    /// the domains, or an unknown reverse name, with recursors configured).
    /// </summary>
    public async Task<DnsResponse?> ResolveAsync(DnsQuery query, CancellationToken cancellationToken)
    {
        var start = Stopwatch.GetTimestamp();
        var config = agent.Config;
        var hasRecursors = config.Recursors.Count > 0;
        var response = new DnsResponse { RecursionAvailable = hasRecursors };
        var type = (DnsRecordType)query.Type;
        if (query.Opcode != 0 || type is (DnsRecordType)251 or (DnsRecordType)252)
        {
            // Only standard queries; no zone transfers (IXFR 251, AXFR 252).
            response.Code = DnsResponseCode.NotImplemented;
            return response;
        }
        if (query.Class is not (DnsClass.Internet or 255))
        {
            response.Code = DnsResponseCode.Refused;
            return response;
        }

        var lookup = DnsLookup.Parse(query.Name, type, TrimDot(config.Domain), TrimDot(config.AltDomain), config.Datacenter);
        if (lookup.Kind == DnsLookupKind.Outside)
        {
            if (hasRecursors)
            {
                return null;
            }
            response.Code = DnsResponseCode.Refused;
            return response;
        }

        var answer = new Answer(agent, query, lookup, config, response);
        var node = new KeyValuePair<string, object?>("node", config.NodeName);
        if (lookup.Kind == DnsLookupKind.Reverse)
        {
            var known = await answer.ReverseAsync(cancellationToken).ConfigureAwait(false);
            _ptrQuery.Record(Stopwatch.GetElapsedTime(start).TotalMilliseconds, node);
            if (!known)
            {
                if (hasRecursors)
                {
                    return null;
                }
                response.Code = DnsResponseCode.NameError;
            }
            return response;
        }

        response.Authoritative = true;
        var found = type switch
        {
            DnsRecordType.SOA when lookup.Kind != DnsLookupKind.Invalid => await answer.SoaAsync(cancellationToken).ConfigureAwait(false),
            DnsRecordType.NS when lookup.Kind != DnsLookupKind.Invalid => await answer.NameServersAsync(cancellationToken).ConfigureAwait(false),
            _ => lookup.Kind switch
            {
                DnsLookupKind.Apex => true,
                DnsLookupKind.Node => await answer.NodeAsync(cancellationToken).ConfigureAwait(false),
                DnsLookupKind.Service => await answer.ServiceAsync(cancellationToken).ConfigureAwait(false),
                DnsLookupKind.Addr => answer.Addr(),
                _ => false,
            },
        };
        if (!found)
        {
            response.Code = DnsResponseCode.NameError;
        }
        if (!found || response.Answers.Count == 0)
        {
            // NXDOMAIN, or NODATA (the name exists, not with this type): the SOA tells resolvers how long to cache that.
            response.Authority.Add(answer.Soa());
        }
        _domainQuery.Record(Stopwatch.GetElapsedTime(start).TotalMilliseconds, node);
        return response;
    }

    private static string TrimDot(string domain) => domain.TrimEnd('.').ToLowerInvariant();

    private static QueryOptions ReadOptions(DnsSettings dns) =>
        new(Consistency: dns.AllowStale ? ConsistencyMode.Stale : ConsistencyMode.Default);

    /// <summary>Runs a read as <c>allow_stale</c> and <c>max_stale</c> say: stale first, again from the leader if too stale.</summary>
    private static async Task<T> ReadAsync<T>(DnsSettings dns, Func<QueryOptions, Task<QueryResult<T>>> read)
    {
        var result = await read(ReadOptions(dns)).ConfigureAwait(false);
        if (dns.AllowStale && result.Meta.LastContact > dns.MaxStale)
        {
            result = await read(new QueryOptions(Consistency: ConsistencyMode.Default)).ConfigureAwait(false);
        }
        return result.Value;
    }

    /// <summary>One question's answer being built.</summary>
    private sealed class Answer(Agent.Agent agent, DnsQuery query, DnsLookup lookup, Agent.AgentConfig config, DnsResponse response)
    {
        private readonly DnsSettings _dns = config.Dns;
        private readonly DnsRecordType _type = (DnsRecordType)query.Type;

        /// <summary>Canonical node name in the domain asked in: <c>&lt;node&gt;.node.&lt;dc&gt;.&lt;domain&gt;</c>.</summary>
        private string NodeName(string node, string domain) => $"{node}.node.{config.Datacenter}.{domain}";

        public DnsSoaRecord Soa()
        {
            var soa = _dns.Soa;
            var domain = lookup.Domain;
            var serial = (uint)DateTimeOffset.UtcNow.ToUnixTimeSeconds();
            return new DnsSoaRecord(domain, soa.MinTtl, "ns." + domain, "hostmaster." + domain, serial, soa.Refresh, soa.Retry, soa.Expire, soa.MinTtl);
        }

        public async Task<bool> SoaAsync(CancellationToken cancellationToken)
        {
            response.Answers.Add(Soa());
            await AddNameServersAsync(response.Authority, cancellationToken).ConfigureAwait(false);
            return true;
        }

        public async Task<bool> NameServersAsync(CancellationToken cancellationToken)
        {
            await AddNameServersAsync(response.Answers, cancellationToken).ConfigureAwait(false);
            return true;
        }

        /// <summary>NS records for up to three healthy servers (instances of the <c>consul</c> service), their addresses as glue.</summary>
        private async Task AddNameServersAsync(List<DnsRecord> section, CancellationToken cancellationToken)
        {
            var servers = await HealthyAsync(Praetor.Agent.Agent.ConsulServiceId, "", cancellationToken).ConfigureAwait(false);
            var ttl = Seconds(_dns.NodeTtl);
            foreach (var server in servers.Take(MaxNameServers))
            {
                var name = NodeName(server.Node.Node, lookup.Domain).ToLowerInvariant();
                section.Add(new DnsNsRecord(lookup.Domain, ttl, name));
                AddAddress(response.Additional, name, server.Node.Address, DnsRecordType.ANY, ttl);
            }
        }

        public async Task<bool> NodeAsync(CancellationToken cancellationToken)
        {
            var (node, _) = await ReadAsync(_dns, options => agent.Catalog.NodeServicesAsync(lookup.Name, options, cancellationToken)).ConfigureAwait(false);
            if (node is null)
            {
                return false;
            }
            var ttl = Seconds(_dns.NodeTtl);
            AddAddress(response.Answers, query.Name, node.Address, _type, ttl);
            if (_type is DnsRecordType.TXT or DnsRecordType.ANY)
            {
                AddMeta(response.Answers, query.Name, node, ttl);
            }
            return true;
        }

        public async Task<bool> ServiceAsync(CancellationToken cancellationToken)
        {
            var instances = await HealthyAsync(lookup.Name, lookup.Tag, cancellationToken).ConfigureAwait(false);
            if (instances.Count == 0)
            {
                return false;
            }
            var ttl = Seconds(ServiceTtl(lookup.Name));
            if (_type == DnsRecordType.SRV)
            {
                AddServiceSrv(instances, ttl);
                return true;
            }
            var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (var instance in instances)
            {
                var address = instance.Service.Address.Length > 0 ? instance.Service.Address : instance.Node.Address;
                if (seen.Add(address))
                {
                    AddAddress(response.Answers, query.Name, address, _type, ttl);
                }
                if (_type == DnsRecordType.TXT)
                {
                    AddMeta(response.Answers, query.Name, instance.Node, ttl);
                }
            }
            if (_dns.ARecordLimit > 0 && response.Answers.Count > _dns.ARecordLimit)
            {
                response.Answers.RemoveRange(_dns.ARecordLimit, response.Answers.Count - _dns.ARecordLimit);
            }
            return true;
        }

        /// <summary>
        /// SRV records: the target is the node's name when the instance uses the node's address, a
        /// hex <c>.addr.</c> name when it has an IP of its own, or its host name; the addresses (and
        /// node meta as TXT) go in the additional section.
        /// </summary>
        private void AddServiceSrv(List<ServiceHealth> instances, uint ttl)
        {
            var seen = new HashSet<(string, string, int)>();
            // Several instances on one node share its additional records: write them once.
            var described = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (var instance in instances)
            {
                var service = instance.Service;
                var node = instance.Node;
                var address = service.Address.Length > 0 ? service.Address : node.Address;
                if (!seen.Add((node.Node.ToLowerInvariant(), address, service.Port)))
                {
                    continue;
                }
                var nodeName = NodeName(node.Node, lookup.Domain);
                string target;
                if (service.Address.Length == 0 || service.Address == node.Address)
                {
                    target = nodeName;
                }
                else if (IPAddress.TryParse(service.Address, out var ip))
                {
                    target = $"{Convert.ToHexStringLower(ip.GetAddressBytes())}.addr.{config.Datacenter}.{lookup.Domain}";
                }
                else
                {
                    target = service.Address;
                }
                var weight = IsWarning(instance) ? service.WeightWarning : service.WeightPassing;
                response.Answers.Add(new DnsSrvRecord(query.Name, ttl, 1, (ushort)Math.Clamp(weight, 0, ushort.MaxValue), (ushort)service.Port, target));
                if (target != service.Address && described.Add(target))
                {
                    AddAddress(response.Additional, target, address, DnsRecordType.ANY, ttl);
                }
                if (_dns.NodeMetaTxt && described.Add("meta:" + nodeName))
                {
                    AddMeta(response.Additional, nodeName, node, ttl);
                }
            }
        }

        public bool Addr()
        {
            var address = lookup.Address!;
            var record = new DnsAddressRecord(query.Name, Seconds(_dns.NodeTtl), address);
            // Asked for another type, Consul puts the address in the additional section.
            (Matches(record.Type) ? response.Answers : response.Additional).Add(record);
            return true;
        }

        /// <summary>PTR records for the nodes (else the services) at the address; false when there are none.</summary>
        public async Task<bool> ReverseAsync(CancellationToken cancellationToken)
        {
            var address = lookup.Address!;
            var domain = TrimDot(config.Domain);
            var ttl = Seconds(_dns.NodeTtl);
            var nodes = await ReadAsync(_dns, options => agent.Catalog.NodesAsync(NodeMetaFilter.None, options, cancellationToken)).ConfigureAwait(false);
            foreach (var node in nodes)
            {
                if (SameAddress(node.Address, address) || node.TaggedAddresses.Values.Any(a => SameAddress(a, address)))
                {
                    response.Answers.Add(new DnsPtrRecord(query.Name, ttl, NodeName(node.Node, domain)));
                }
            }
            if (response.Answers.Count == 0)
            {
                var services = await ReadAsync(_dns, options => agent.Catalog.ServicesAsync(NodeMetaFilter.None, options, cancellationToken)).ConfigureAwait(false);
                foreach (var (name, _) in services)
                {
                    var instances = await ReadAsync(_dns, options => agent.Catalog.ServiceNodesAsync(name, [], NodeMetaFilter.None, options, cancellationToken)).ConfigureAwait(false);
                    if (instances.Any(i => SameAddress(i.Service.Address, address)))
                    {
                        response.Answers.Add(new DnsPtrRecord(query.Name, ttl, $"{name}.service.{config.Datacenter}.{domain}"));
                    }
                }
            }
            response.Authoritative = response.Answers.Count > 0;
            return response.Answers.Count > 0;
        }

        /// <summary>The instances of a service with the tag whose checks allow them in answers, shuffled.</summary>
        private async Task<List<ServiceHealth>> HealthyAsync(string service, string tag, CancellationToken cancellationToken)
        {
            IReadOnlyList<string> tags = tag.Length == 0 ? [] : [tag];
            var all = await ReadAsync(_dns, options => agent.Health.ServiceHealthAsync(service, tags, NodeMetaFilter.None, false, options, cancellationToken)).ConfigureAwait(false);
            var healthy = new List<ServiceHealth>(all.Count);
            foreach (var instance in all)
            {
                if (Serves(instance))
                {
                    healthy.Add(instance);
                }
            }
            Random.Shared.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(healthy));
            return healthy;
        }

        /// <summary>Critical checks (service, node, serfHealth, maintenance) keep an instance out; warnings too with <c>only_passing</c>.</summary>
        private bool Serves(ServiceHealth instance)
        {
            foreach (var check in instance.Checks)
            {
                if (check.Status == HealthStatus.Critical || (_dns.OnlyPassing && check.Status == HealthStatus.Warning))
                {
                    return false;
                }
            }
            return true;
        }

        private static bool IsWarning(ServiceHealth instance) => instance.Checks.Any(c => c.Status == HealthStatus.Warning);

        /// <summary><c>service_ttl</c>: the service's own entry, else the longest matching <c>prefix*</c>, else <c>*</c>, else 0.</summary>
        private TimeSpan ServiceTtl(string service)
        {
            TimeSpan? best = null;
            var bestLength = -1;
            foreach (var (pattern, ttl) in _dns.ServiceTtl)
            {
                if (string.Equals(pattern, service, StringComparison.OrdinalIgnoreCase))
                {
                    return ttl;
                }
                if (pattern.EndsWith('*') && pattern.Length - 1 > bestLength
                    && service.StartsWith(pattern[..^1], StringComparison.OrdinalIgnoreCase))
                {
                    best = ttl;
                    bestLength = pattern.Length - 1;
                }
            }
            return best ?? TimeSpan.Zero;
        }

        private bool Matches(DnsRecordType type) => _type == type || _type == DnsRecordType.ANY;

        /// <summary>
        /// The record for an address the way the question's type allows: A or AAAA for an IP of that
        /// family, a CNAME to a host name; nothing for other types.
        /// </summary>
        private static void AddAddress(List<DnsRecord> section, string name, string address, DnsRecordType type, uint ttl)
        {
            if (IPAddress.TryParse(address, out var ip))
            {
                var family = ip.AddressFamily == AddressFamily.InterNetworkV6 ? DnsRecordType.AAAA : DnsRecordType.A;
                if (type == family || type == DnsRecordType.ANY)
                {
                    section.Add(new DnsAddressRecord(name, ttl, ip));
                }
            }
            else if (address.Length > 0 && type is DnsRecordType.A or DnsRecordType.AAAA or DnsRecordType.ANY)
            {
                section.Add(new DnsCnameRecord(name, ttl, address.TrimEnd('.')));
            }
        }

        /// <summary>
        /// Node meta as TXT records, one per key: <c>key=value</c> encoded as RFC 1464 (Consul's
        /// <c>encodeKVasRFC1464</c>), or the value alone for keys starting <c>rfc1035-</c> in any case.
        /// </summary>
        private static void AddMeta(List<DnsRecord> section, string name, CatalogNode node, uint ttl)
        {
            foreach (var (key, value) in node.Meta)
            {
                var text = key.StartsWith("rfc1035-", StringComparison.OrdinalIgnoreCase) ? value : Rfc1464(key, value);
                section.Add(new DnsTxtRecord(name, ttl, [text]));
            }
        }

        /// <summary>RFC 1464 <c>key=value</c>: backquotes and '=' in the key, and its leading and trailing spaces, are backquoted; backquotes in the value doubled.</summary>
        private static string Rfc1464(string key, string value)
        {
            key = key.Replace("`", "``", StringComparison.Ordinal).Replace("=", "`=", StringComparison.Ordinal);
            var trimmedStart = key.TrimStart(' ');
            var leading = key.Length - trimmedStart.Length;
            var trimmed = trimmedStart.TrimEnd(' ');
            var trailing = trimmedStart.Length - trimmed.Length;
            key = string.Concat(string.Concat(Enumerable.Repeat("` ", leading)), trimmed, string.Concat(Enumerable.Repeat("` ", trailing)));
            return key + "=" + value.Replace("`", "``", StringComparison.Ordinal);
        }

        private static bool SameAddress(string text, IPAddress address) =>
            IPAddress.TryParse(text, out var ip) && ip.Equals(address);

        private static uint Seconds(TimeSpan ttl) => (uint)Math.Clamp(ttl.TotalSeconds, 0, uint.MaxValue);
    }
}
