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
        var command = new HttpCommand("catalog datacenters", Usage);
        if (command.ParseFlags(args, context) is { } exit)
        {
            return exit;
        }

        if (command.TooManyArguments(0, context))
        {
            return 1;
        }

        return await command.RunAsync(context, async client =>
        {
            var datacenters = await HttpCommand.RequestAsync("Error listing datacenters", () => client.Catalog.DatacentersAsync());
            foreach (var datacenter in datacenters)
            {
                context.Info(datacenter);
            }

            return 0;
        });
    }
}
