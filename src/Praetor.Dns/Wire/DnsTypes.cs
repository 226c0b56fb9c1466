namespace Praetor.Dns.Wire;

/// <summary>The record types the DNS interface reads in questions or writes in answers (RFC 1035, 3596, 2782, 6891).</summary>
public enum DnsRecordType : ushort
{
    A = 1,
    NS = 2,
    CNAME = 5,
    SOA = 6,
    PTR = 12,
    TXT = 16,
    AAAA = 28,
    SRV = 33,
    OPT = 41,
    ANY = 255,
}

/// <summary>Response codes (RFC 1035 section 4.1.1).</summary>
public enum DnsResponseCode : byte
{
    NoError = 0,
    FormatError = 1,
    ServerFailure = 2,
    NameError = 3,
    NotImplemented = 4,
    Refused = 5,
}

/// <summary>The class of the Internet (IN), the only one answered.</summary>
public static class DnsClass
{
    public const ushort Internet = 1;
}
