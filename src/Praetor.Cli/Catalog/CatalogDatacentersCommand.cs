using Praetor.Cli.Flags;
using Praetor.Client;

namespace Praetor.Cli.Catalog;

/// <summary><c>praetor catalog datacenters</c>: every known datacenter, one a line (Consul's <c>consul catalog datacenters</c>).</summary>
public static class CatalogDatacentersCommand
{
    public const string Synopsis = "Lists all known datacenters";

    private const string Usage = """
        Usage: praetor catalog datacenters [options]

          Retrieves the list of all known datacenters. This datacenters are sorted in
          ascending order based on the estimated median round trip time from the servers
          in this datacenter to the servers in the other datacenters.

          To retrieve the list of datacenters:

              $ praetor catalog datacenters

          For a full list of options and examples, please see the Consul documentation.
        """;

    public static async Task<int> RunAsync(IReadOnlyList<string> args, CliContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var flags = new GoFlagSet("catalog datacenters");
        var http = new HttpFlags(flags);
        var help = CommandHelp.Format(Usage, flags);
        if (CommandHelp.ParseFlags(flags, args, context, help) is { } exit)
        {
            return exit;
        }

        if (flags.Args.Count > 0)
        {
            context.Error($"Too many arguments (expected 0, got {flags.Args.Count})");
            return 1;
        }

        if (!http.TryCreateClient(context, out var client, out var error))
        {
            context.Error($"Error connecting to Consul agent: {error}");
            return 1;
        }

        using (client)
        {
            IReadOnlyList<string> datacenters;
            try
            {
                datacenters = await client.Catalog.DatacentersAsync();
            }
            catch (Exception e)
            {
                context.Error($"Error listing datacenters: {e.Message}");
                return 1;
            }

            foreach (var datacenter in datacenters)
            {
                context.Info(datacenter);
            }

            return 0;
        }
    }
}
