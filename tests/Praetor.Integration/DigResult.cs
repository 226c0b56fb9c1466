using System.Globalization;

namespace Praetor.Integration;

/// <summary>One resource record as dig prints it: `name TTL class type data...` (data as printed: TXT quoted, names with their final dot).</summary>
public sealed record DigRecord(string Name, int Ttl, string Class, string Type, string Data)
{
    public override string ToString() => $"{Name} {Ttl} {Class} {Type} {Data}";
}

/// <summary>
/// What one dig run printed, parsed from its full (not +short) output. When dig retried over TCP
/// after a truncated UDP answer it prints the header of each reply it got; the last one is parsed.
/// <see cref="Status"/> is null when no reply came at all (timeout, refused connection).
/// </summary>
public sealed class DigResult
{
    private DigResult(string command, int? exitCode, string output, string error, TimeSpan elapsed)
    {
        Command = command;
        ExitCode = exitCode;
        Output = output;
        Error = error;
        Elapsed = elapsed;
    }

    public string Command { get; }

    /// <summary>dig's exit code: 0 for any reply (NXDOMAIN too), 9 for no reply; null when it had to be killed.</summary>
    public int? ExitCode { get; }

    public string Output { get; }

    public string Error { get; }

    public TimeSpan Elapsed { get; }

    /// <summary>The reply's RCODE as dig names it (NOERROR, NXDOMAIN, SERVFAIL, REFUSED, FORMERR, ...), or null without a reply.</summary>
    public string? Status { get; private set; }

    /// <summary>The header flags dig lists: qr, aa, tc, rd, ra, ad, cd.</summary>
    public IReadOnlySet<string> Flags { get; private set; } = new HashSet<string>();

    /// <summary>The header's section counts, as the server stated them.</summary>
    public int AnswerCount { get; private set; }

    public IReadOnlyList<DigRecord> Answer { get; private set; } = [];

    public IReadOnlyList<DigRecord> Authority { get; private set; } = [];

    public IReadOnlyList<DigRecord> Additional { get; private set; } = [];

    /// <summary>"UDP" or "TCP": how the parsed reply came (dig's `;; SERVER:` line).</summary>
    public string? Transport { get; private set; }

    /// <summary>dig said the UDP reply was truncated and asked again over TCP.</summary>
    public bool RetriedOverTcp { get; private set; }

    public bool HasFlag(string flag) => Flags.Contains(flag);

    /// <summary>The data of the answers of type <paramref name="type"/>, sorted, for set comparisons.</summary>
    public IReadOnlyList<string> AnswerData(string type) =>
        [.. Answer.Where(r => r.Type == type).Select(static r => r.Data).Order(StringComparer.Ordinal)];

    public IReadOnlyList<string> AdditionalData(string type) =>
        [.. Additional.Where(r => r.Type == type).Select(static r => r.Data).Order(StringComparer.Ordinal)];

    /// <summary>For assertion messages: the command and everything dig printed.</summary>
    public string Describe() =>
        $"$ {Command}\nexit code: {(ExitCode?.ToString(CultureInfo.InvariantCulture) ?? "none (killed)")}, {Elapsed.TotalMilliseconds:F0} ms\n{Output}{(Error.Length > 0 ? $"--- stderr ---\n{Error}" : "")}";

    public override string ToString() => Describe();

    internal static DigResult Parse(string command, int? exitCode, string output, string error, TimeSpan elapsed)
    {
        var result = new DigResult(command, exitCode, output, error, elapsed);
        var lines = output.Split('\n');
        result.RetriedOverTcp = lines.Any(static l => l.StartsWith(";; Truncated, retrying in TCP mode", StringComparison.Ordinal));
        var header = Array.FindLastIndex(lines, static l => l.StartsWith(";; ->>HEADER<<-", StringComparison.Ordinal));
        if (header < 0)
        {
            return result;
        }
        result.Status = Field(lines[header], "status:");
        var answer = new List<DigRecord>();
        var authority = new List<DigRecord>();
        var additional = new List<DigRecord>();
        List<DigRecord>? section = null;
        for (var i = header + 1; i < lines.Length; i++)
        {
            var line = lines[i].TrimEnd('\r');
            if (line.StartsWith(";; flags:", StringComparison.Ordinal))
            {
                var flags = line[";; flags:".Length..];
                var end = flags.IndexOf(';', StringComparison.Ordinal);
                result.Flags = flags[..(end < 0 ? flags.Length : end)].Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
                result.AnswerCount = int.TryParse(Field(line, "ANSWER:")?.TrimEnd(','), NumberStyles.None, CultureInfo.InvariantCulture, out var count) ? count : 0;
                continue;
            }
            if (line.StartsWith(";; SERVER:", StringComparison.Ordinal))
            {
                result.Transport = line.EndsWith("(TCP)", StringComparison.Ordinal) ? "TCP" : line.EndsWith("(UDP)", StringComparison.Ordinal) ? "UDP" : null;
                continue;
            }
            if (line.StartsWith(';'))
            {
                section = line switch
                {
                    ";; ANSWER SECTION:" => answer,
                    ";; AUTHORITY SECTION:" => authority,
                    ";; ADDITIONAL SECTION:" => additional,
                    _ when line.StartsWith(";; ", StringComparison.Ordinal) && line.EndsWith("SECTION:", StringComparison.Ordinal) => null,
                    _ => section,
                };
                continue;
            }
            if (line.Length == 0)
            {
                section = null;
                continue;
            }
            if (section is not null && TryParseRecord(line, out var record))
            {
                section.Add(record);
            }
        }
        result.Answer = answer;
        result.Authority = authority;
        result.Additional = additional;
        return result;
    }

    /// <summary>The word after <paramref name="label"/> on a dig header line, without its trailing comma.</summary>
    private static string? Field(string line, string label)
    {
        var at = line.IndexOf(label, StringComparison.Ordinal);
        if (at < 0)
        {
            return null;
        }
        var rest = line[(at + label.Length)..].TrimStart();
        var end = rest.IndexOfAny([',', ' ']);
        return end < 0 ? rest : rest[..end];
    }

    private static bool TryParseRecord(string line, out DigRecord record)
    {
        record = null!;
        var parts = line.Split(['\t', ' '], 5, StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length < 4 || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var ttl))
        {
            return false;
        }
        var data = parts.Length == 5 ? string.Join(' ', parts[4].Split(['\t', ' '], StringSplitOptions.RemoveEmptyEntries)) : "";
        record = new DigRecord(parts[0], ttl, parts[2], parts[3], data);
        return true;
    }
}
