namespace Praetor.Dns.Wire;

/// <summary>
/// A parsed query: its header flags, its one question and its EDNS0 OPT record, if any.
/// <see cref="Name"/> is the question's name in presentation form as sent (case kept), labels
/// joined by '.', no trailing dot ("" for the root); a '.' or '\' inside a label is escaped with
/// '\', and any byte outside printable ASCII as '\DDD' (RFC 1035 section 5.1).
/// </summary>
public readonly record struct DnsQuery(
    ushort Id,
    byte Opcode,
    bool RecursionDesired,
    bool CheckingDisabled,
    string Name,
    ushort Type,
    ushort Class,
    ushort? EdnsUdpSize,
    bool DnssecOk);
