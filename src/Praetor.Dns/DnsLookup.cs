using System.Globalization;
using System.Net;
using Praetor.Dns.Wire;

namespace Praetor.Dns;

/// <summary>What a question's name asks for, as Consul reads its names.</summary>
public enum DnsLookupKind
{
    /// <summary>A name outside the agent's domains: forwarded to the recursors, if any.</summary>
    Outside,

    /// <summary>The domain itself (<c>consul.</c>): SOA and NS.</summary>
    Apex,

    /// <summary><c>&lt;node&gt;.node[.&lt;dc&gt;].&lt;domain&gt;</c>.</summary>
    Node,

    /// <summary><c>[&lt;tag&gt;.]&lt;service&gt;.service[.&lt;dc&gt;].&lt;domain&gt;</c> and RFC 2782 <c>_&lt;service&gt;._&lt;tag&gt;</c>.</summary>
    Service,

    /// <summary><c>&lt;hex&gt;.addr[.&lt;dc&gt;].&lt;domain&gt;</c>: an address spelled in hex.</summary>
    Addr,

    /// <summary><c>&lt;reversed ip&gt;.in-addr.arpa</c> / <c>ip6.arpa</c>.</summary>
    Reverse,

    /// <summary>A name in the domain that names nothing Praetor serves (bad syntax, another datacenter, prepared queries): NXDOMAIN.</summary>
    Invalid,
}

/// <summary>
/// A question's name read as Consul reads it: the kind of lookup, what it names, and the domain it
/// was asked in (answers use that domain, so <c>alt_domain</c> questions get <c>alt_domain</c> names).
/// </summary>
public sealed record DnsLookup(DnsLookupKind Kind, string Domain, string Name = "", string Tag = "", IPAddress? Address = null)
{
    /// <summary>
    /// Reads <paramref name="name"/> (presentation form, no trailing dot) against the agent's domains
    /// (lowercase, no trailing dot; <paramref name="altDomain"/> empty when none) and datacenter.
    /// </summary>
    public static DnsLookup Parse(string name, DnsRecordType type, string domain, string altDomain, string datacenter)
    {
        var lower = name.ToLowerInvariant();
        if (lower.EndsWith(".in-addr.arpa", StringComparison.Ordinal) || lower.EndsWith(".ip6.arpa", StringComparison.Ordinal))
        {
            var address = ReverseAddress(lower);
            return address is null ? new DnsLookup(DnsLookupKind.Outside, domain) : new DnsLookup(DnsLookupKind.Reverse, domain, Address: address);
        }

        // The longer domain first, so an alt_domain under the primary (or the other way) wins when it matches.
        var (first, second) = altDomain.Length > domain.Length ? (altDomain, domain) : (domain, altDomain);
        if (Within(lower, first) is { } rest)
        {
            return ParseInDomain(rest, type, first, datacenter);
        }
        if (second.Length > 0 && Within(lower, second) is { } rest2)
        {
            return ParseInDomain(rest2, type, second, datacenter);
        }
        return new DnsLookup(DnsLookupKind.Outside, domain);
    }

    /// <summary>The part of <paramref name="name"/> before <paramref name="domain"/>; "" for the domain itself, null outside it.</summary>
    private static string? Within(string name, string domain)
    {
        if (domain.Length == 0)
        {
            return null;
        }
        if (name == domain)
        {
            return "";
        }
        return name.Length > domain.Length + 1 && name.EndsWith(domain, StringComparison.Ordinal) && name[^(domain.Length + 1)] == '.'
            ? name[..^(domain.Length + 1)]
            : null;
    }

    private static DnsLookup ParseInDomain(string rest, DnsRecordType type, string domain, string datacenter)
    {
        if (rest.Length == 0)
        {
            return new DnsLookup(DnsLookupKind.Apex, domain);
        }
        var invalid = new DnsLookup(DnsLookupKind.Invalid, domain);
        var labels = rest.Split('.');

        // The kind label is the last one that names a kind; an SRV question may leave out "service"
        // (_web._tcp.consul). What follows the kind label is the locality.
        var kind = -1;
        var srvShortcut = false;
        for (var i = labels.Length - 1; i >= 0 && kind < 0; i--)
        {
            switch (labels[i])
            {
                case "service" or "node" or "addr" or "query" or "connect" or "ingress" or "virtual":
                    kind = i;
                    break;
                default:
                    if (type == DnsRecordType.SRV && labels[i].StartsWith('_'))
                    {
                        kind = i + 1;
                        srvShortcut = true;
                    }
                    break;
            }
        }
        if (kind < 0)
        {
            return invalid;
        }
        var parts = labels[..kind];
        var suffixes = srvShortcut ? labels[kind..] : labels[(kind + 1)..];
        if (!InDatacenter(suffixes, datacenter))
        {
            return invalid;
        }
        var kindLabel = srvShortcut ? "service" : labels[kind];
        if (parts.Length == 0 || parts.Any(p => p.Length == 0))
        {
            return invalid;
        }
        switch (kindLabel)
        {
            case "service":
                if (parts.Length == 2 && parts[0].StartsWith('_') && parts[1].StartsWith('_'))
                {
                    // RFC 2782: _service._tag; _tcp means "any tag".
                    var tag = parts[1][1..];
                    return new DnsLookup(DnsLookupKind.Service, domain, parts[0][1..], tag == "tcp" ? "" : tag);
                }
                // Consul 0.3's form: tag[.tag].service, a tag may hold dots.
                return new DnsLookup(DnsLookupKind.Service, domain, parts[^1], string.Join('.', parts[..^1]));
            case "node":
                // A node name may hold dots.
                return new DnsLookup(DnsLookupKind.Node, domain, string.Join('.', parts));
            case "addr":
                return parts.Length == 1 && HexAddress(parts[0]) is { } address
                    ? new DnsLookup(DnsLookupKind.Addr, domain, Address: address)
                    : invalid;
            default:
                // Prepared queries, Connect, ingress and virtual IPs are not served (yet): the name does not exist.
                return invalid;
        }
    }

    /// <summary>The locality after the kind label: nothing, <c>&lt;dc&gt;</c> or <c>&lt;dc&gt;.dc</c>, naming this datacenter.</summary>
    private static bool InDatacenter(string[] suffixes, string datacenter) => suffixes switch
    {
        [] => true,
        [var dc] => string.Equals(dc, datacenter, StringComparison.OrdinalIgnoreCase),
        [var dc, "dc"] => string.Equals(dc, datacenter, StringComparison.OrdinalIgnoreCase),
        _ => false,
    };

    /// <summary>8 hex digits as IPv4, 32 as IPv6; null otherwise.</summary>
    private static IPAddress? HexAddress(string hex)
    {
        if (hex.Length is not (8 or 32))
        {
            return null;
        }
        var bytes = new byte[hex.Length / 2];
        for (var i = 0; i < bytes.Length; i++)
        {
            if (!byte.TryParse(hex.AsSpan(i * 2, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out bytes[i]))
            {
                return null;
            }
        }
        return new IPAddress(bytes);
    }

    /// <summary>The address a reverse name spells: four decimal labels under in-addr.arpa, 32 nibbles under ip6.arpa.</summary>
    private static IPAddress? ReverseAddress(string name)
    {
        if (name.EndsWith(".in-addr.arpa", StringComparison.Ordinal))
        {
            var labels = name[..^".in-addr.arpa".Length].Split('.');
            if (labels.Length != 4)
            {
                return null;
            }
            var bytes = new byte[4];
            for (var i = 0; i < 4; i++)
            {
                if (labels[i].Length is 0 or > 3 || !byte.TryParse(labels[i], NumberStyles.None, CultureInfo.InvariantCulture, out bytes[3 - i]))
                {
                    return null;
                }
            }
            return new IPAddress(bytes);
        }
        var nibbles = name[..^".ip6.arpa".Length].Split('.');
        if (nibbles.Length != 32)
        {
            return null;
        }
        var v6 = new byte[16];
        for (var i = 0; i < 32; i++)
        {
            if (nibbles[i].Length != 1 || !byte.TryParse(nibbles[i], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var nibble))
            {
                return null;
            }
            var index = 15 - i / 2;
            v6[index] |= (byte)(i % 2 == 0 ? nibble : nibble << 4);
        }
        return new IPAddress(v6);
    }
}
