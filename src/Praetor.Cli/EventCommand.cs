using System.Text.RegularExpressions;
using Praetor.Client;

namespace Praetor.Cli;

/// <summary>
/// <c>praetor event -name=NAME [-node=RE] [-service=RE] [-tag=RE] [payload]</c> (Consul's
/// <c>consul event</c>): fires a user event through the agent and prints <c>Event ID: &lt;uuid&gt;</c>.
/// </summary>
public static class EventCommand
{
    public const string Synopsis = "Fire a new event";

    private const string Usage = """
        Usage: praetor event [options] [payload]

          Dispatches a custom user event across a datacenter. An event must provide
          a name, but a payload is optional. Events support filtering using
          regular expressions on node name, service, and tag definitions.
        """;

    public static async Task<int> RunAsync(IReadOnlyList<string> args, CliContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var command = new HttpCommand("event", Usage);
        var flags = command.Flags;
        var name = flags.String("name", string.Empty, "Name of the event.");
        var node = flags.String("node", string.Empty, "Regular expression to filter on node names.");
        var service = flags.String("service", string.Empty, "Regular expression to filter on service instances.");
        var tag = flags.String("tag", string.Empty, "Regular expression to filter on service tags. Must be used with -service.");
        if (command.ParseFlags(args, context) is { } exit)
        {
            return exit;
        }

        if (name.Value.Length == 0)
        {
            return command.UsageError("Event name must be specified", context);
        }

        if (!Compiles(node.Value, "node", context) || !Compiles(service.Value, "service", context) || !Compiles(tag.Value, "tag", context))
        {
            return 1;
        }

        if (tag.Value.Length > 0 && service.Value.Length == 0)
        {
            context.Error("Cannot provide tag filter without service filter.");
            return 1;
        }

        byte[]? payload = null;
        switch (flags.Args.Count)
        {
            case 0:
                break;
            case 1:
                payload = System.Text.Encoding.UTF8.GetBytes(flags.Args[0]);
                break;
            default:
                context.Error("Too many command line arguments.");
                context.Error("");
                context.Error(CommandHelp.Format(Usage, flags));
                return 1;
        }

        return await command.RunAsync(context, async client =>
        {
            await HttpCommand.RequestAsync("Error querying Consul agent", () => client.Agent.NodeNameAsync());
            var fired = await HttpCommand.RequestAsync("Error firing event", () => client.Event.FireAsync(new UserEvent
            {
                Name = name.Value,
                Payload = payload,
                NodeFilter = node.Value,
                ServiceFilter = service.Value,
                TagFilter = tag.Value,
            }));
            context.Info($"Event ID: {fired.Id}");
            return 0;
        });
    }

    /// <summary>Whether a filter compiles; reports Consul's "Failed to compile &lt;what&gt; filter regexp" when not.</summary>
    internal static bool Compiles(string pattern, string what, CliContext context)
    {
        if (pattern.Length == 0)
        {
            return true;
        }
        try
        {
            _ = new Regex(pattern, RegexOptions.CultureInvariant);
            return true;
        }
        catch (ArgumentException e)
        {
            context.Error($"Failed to compile {what} filter regexp: {e.Message}");
            return false;
        }
    }
}
