using System.Net;

namespace Praetor.Dns.Wire;

/// <summary>A resource record to write in an answer. Names are in presentation form as in <see cref="DnsQuery.Name"/> (no trailing dot).</summary>
public abstract record DnsRecord(string Name, uint Ttl)
{
    public abstract DnsRecordType Type { get; }
}

/// <summary>An A (IPv4) or AAAA (IPv6) record, by the address family.</summary>
public sealed record DnsAddressRecord(string Name, uint Ttl, IPAddress Address) : DnsRecord(Name, Ttl)
{
    public override DnsRecordType Type => Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? DnsRecordType.AAAA : DnsRecordType.A;
}

public sealed record DnsSrvRecord(string Name, uint Ttl, ushort Priority, ushort Weight, ushort Port, string Target) : DnsRecord(Name, Ttl)
{
    public override DnsRecordType Type => DnsRecordType.SRV;
}

/// <summary>A TXT record; each string is written as one character-string (at most 255 bytes of UTF-8 each, longer ones split).</summary>
public sealed record DnsTxtRecord(string Name, uint Ttl, IReadOnlyList<string> Text) : DnsRecord(Name, Ttl)
{
    public override DnsRecordType Type => DnsRecordType.TXT;
}

public sealed record DnsPtrRecord(string Name, uint Ttl, string Target) : DnsRecord(Name, Ttl)
{
    public override DnsRecordType Type => DnsRecordType.PTR;
}

public sealed record DnsCnameRecord(string Name, uint Ttl, string Target) : DnsRecord(Name, Ttl)
{
    public override DnsRecordType Type => DnsRecordType.CNAME;
}

public sealed record DnsNsRecord(string Name, uint Ttl, string Target) : DnsRecord(Name, Ttl)
{
    public override DnsRecordType Type => DnsRecordType.NS;
}

public sealed record DnsSoaRecord(
    string Name, uint Ttl, string PrimaryServer, string Mailbox, uint Serial, uint Refresh, uint Retry, uint Expire, uint MinimumTtl)
    : DnsRecord(Name, Ttl)
{
    public override DnsRecordType Type => DnsRecordType.SOA;
}
