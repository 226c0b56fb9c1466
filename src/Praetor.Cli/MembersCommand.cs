using System.Net;
using System.Text.RegularExpressions;
using Praetor.Cli.Catalog;
using Praetor.Client;

namespace Praetor.Cli;

/// <summary>
/// <c>praetor members</c> (Consul's <c>consul members</c>): the members of the agent's gossip pool
/// in Consul 1.20's columns <c>Node Address Status Type Build Protocol DC Partition Segment</c>,
/// servers first; <c>-detailed</c> shows every tag; <c>-status</c> filters by a regular
/// expression on the status; exit 2 when nothing matches.
/// </summary>
public static class MembersCommand
{
    public const string Synopsis = "Lists the members of a Praetor cluster";

    private const string AllSegments = "_all";

    private static readonly string[] StandardHeader = ["Node", "Address", "Status", "Type", "Build", "Protocol", "DC", "Partition", "Segment"];

    private static readonly string[] DetailedHeader = ["Node", "Address", "Status", "Tags"];

    private const string Usage = """
        Usage: praetor members [options]

          Outputs the members of a running Praetor agent.
        """;

    public static async Task<int> RunAsync(IReadOnlyList<string> args, CliContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var command = new HttpCommand("members", Usage);
        var flags = command.Flags;
        var detailed = flags.Bool("detailed", false, "Provides detailed information about nodes.");
        var wan = flags.Bool("wan", false, "If the agent is in server mode, this can be used to return the other peers in the WAN pool.");
        var status = flags.String("status", ".*", "If provided, output is filtered to only nodes matching the regular expression for status.");
        var segment = flags.String("segment", AllSegments, "(Enterprise-only) If provided, output is filtered to only nodes in the given segment.");
        if (command.ParseFlags(args, context) is { } exit)
        {
            return exit;
        }

        Regex statusRe;
        try
        {
            statusRe = new Regex(status.Value, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
        }
        catch (ArgumentException ex)
        {
            context.Error($"Failed to compile status regexp: {ex.Message}");
            return 1;
        }

        return await command.RunAsync(context, async client =>
        {
            var members = await HttpCommand.RequestAsync("Error retrieving members", () => client.Agent.MembersAsync(wan.Value, segment.Value));
            var shown = new List<AgentMember>();
            foreach (var member in members)
            {
                // As Consul: the partition defaults to "default"; servers show segment <all> when all
                // segments are listed, clients of the default segment <default>.
                var tags = new Dictionary<string, string>(member.Tags, StringComparer.Ordinal);
                if (string.IsNullOrEmpty(tags.GetValueOrDefault("ap")))
                {
                    tags["ap"] = "default";
                }
                if (tags["ap"] == "default")
                {
                    if (segment.Value == AllSegments && tags.GetValueOrDefault("role") == "consul")
                    {
                        tags["segment"] = "<all>";
                    }
                    else if (string.IsNullOrEmpty(tags.GetValueOrDefault("segment")))
                    {
                        tags["segment"] = "<default>";
                    }
                }
                else
                {
                    tags["segment"] = "";
                }
                if (statusRe.IsMatch(AgentMember.StatusName(member.Status)))
                {
                    shown.Add(member with { Tags = tags });
                }
            }

            if (shown.Count == 0)
            {
                return 2;
            }

            shown.Sort(Compare);
            context.Info(detailed.Value ? Detailed(shown) : Standard(shown));
            return 0;
        });
    }

    /// <summary>Consul's order: servers first, then the default partition, then by segment, partition and name.</summary>
    private static int Compare(AgentMember a, AgentMember b)
    {
        var aServer = a.Tags.GetValueOrDefault("role") == "consul";
        var bServer = b.Tags.GetValueOrDefault("role") == "consul";
        if (aServer != bServer)
        {
            return aServer ? -1 : 1;
        }
        var aPartition = a.Tags.GetValueOrDefault("ap", "");
        var bPartition = b.Tags.GetValueOrDefault("ap", "");
        var aDefault = aPartition is "" or "default";
        var bDefault = bPartition is "" or "default";
        if (aDefault != bDefault)
        {
            return aDefault ? -1 : 1;
        }
        var bySegment = string.CompareOrdinal(a.Tags.GetValueOrDefault("segment", ""), b.Tags.GetValueOrDefault("segment", ""));
        if (bySegment != 0)
        {
            return bySegment;
        }
        var byPartition = string.CompareOrdinal(aPartition, bPartition);
        return byPartition != 0 ? byPartition : string.CompareOrdinal(a.Name, b.Name);
    }

    /// <summary>Go's net.TCPAddr form: <c>ip:port</c>, IPv6 bracketed.</summary>
    internal static string Address(AgentMember member) =>
        IPAddress.TryParse(member.Addr, out var ip) ? new IPEndPoint(ip, member.Port).ToString() : $"{member.Addr}:{member.Port}";

    private static string Standard(IReadOnlyList<AgentMember> members)
    {
        var rows = new List<IReadOnlyList<string>> { StandardHeader };
        foreach (var member in members)
        {
            var tags = member.Tags;
            var build = tags.GetValueOrDefault("build", "");
            if (build.Length == 0)
            {
                build = "< 0.3";
            }
            else if (build.IndexOf(':', StringComparison.Ordinal) is var colon and >= 0)
            {
                build = build[..colon];
            }
            var status = AgentMember.StatusName(member.Status);
            var type = tags.GetValueOrDefault("role") switch
            {
                "node" => "client",
                "consul" => "server",
                _ => null,
            };
            rows.Add(type is null
                ? [member.Name, Address(member), status, "unknown", "", "", "", "", ""]
                : [member.Name, Address(member), status, type, build, tags.GetValueOrDefault("vsn", ""), tags.GetValueOrDefault("dc", ""), tags.GetValueOrDefault("ap", ""), tags.GetValueOrDefault("segment", "")]);
        }
        return Columnize.Format(rows);
    }

    private static string Detailed(IReadOnlyList<AgentMember> members)
    {
        var rows = new List<IReadOnlyList<string>> { DetailedHeader };
        foreach (var member in members)
        {
            var tags = string.Join(',', member.Tags.OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => $"{t.Key}={t.Value}"));
            rows.Add([member.Name, Address(member), AgentMember.StatusName(member.Status), tags]);
        }
        return Columnize.Format(rows);
    }
}
