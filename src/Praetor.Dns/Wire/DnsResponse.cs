namespace Praetor.Dns.Wire;

/// <summary>A response before encoding: the code, the flags the server decides, and the three record sections.</summary>
public sealed class DnsResponse
{
    public DnsResponseCode Code { get; set; }

    /// <summary>AA: the answer comes from the catalog (names inside the domain).</summary>
    public bool Authoritative { get; set; }

    /// <summary>RA: the agent has recursors.</summary>
    public bool RecursionAvailable { get; set; }

    /// <summary>TC: set by the server when a UDP answer was cut and <c>enable_truncate</c> is on.</summary>
    public bool Truncated { get; set; }

    public List<DnsRecord> Answers { get; } = [];

    public List<DnsRecord> Authority { get; } = [];

    public List<DnsRecord> Additional { get; } = [];
}
