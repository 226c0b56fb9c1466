using Praetor.Client;
using Praetor.State.Catalog;

namespace Praetor.Cli;

/// <summary>
/// <c>praetor maint</c> (Consul's <c>consul maint</c>): puts the node or one service
/// (<c>-service=ID</c>) into maintenance (<c>-enable</c>, with an optional <c>-reason</c>) or out of it
/// (<c>-disable</c>); with neither, lists what is in maintenance.
/// </summary>
public static class MaintCommand
{
    public const string Synopsis = "Controls node or service maintenance mode";

    private const string Usage = """
        Usage: praetor maint [options]

          Places a node or service into maintenance mode. During maintenance mode,
          the node or service will be excluded from all queries through the DNS
          or API interfaces, effectively taking it out of the pool of available
          nodes. This is done by registering an additional critical health check.

          When enabling maintenance mode for a node or service, you may optionally
          specify a reason string. This string will appear in the "Notes" field
          of the critical health check which is registered against the node or
          service. If no reason is provided, a default value will be used.

          Maintenance mode is persistent, and will be restored in the event of an
          agent restart. It is therefore required to disable maintenance mode on
          a given node or service before it will be placed back into the pool.

          By default, we operate on the node as a whole. By specifying the
          "-service" argument, this behavior can be changed to enable or disable
          only a specific service.

          If no arguments are given, the agent's maintenance status will be shown.
          This will return blank if nothing is currently under maintenance.
        """;

    public static async Task<int> RunAsync(IReadOnlyList<string> args, CliContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var command = new HttpCommand("maint", Usage);
        var flags = command.Flags;
        var enable = flags.Bool("enable", false, "Enable maintenance mode.");
        var disable = flags.Bool("disable", false, "Disable maintenance mode.");
        var reason = flags.String("reason", string.Empty, "Text describing the maintenance reason.");
        var serviceId = flags.String("service", string.Empty, "Control maintenance mode for a specific service ID.");
        if (command.ParseFlags(args, context) is { } exit)
        {
            return exit;
        }

        if (command.TooManyArguments(0, context))
        {
            return 1;
        }

        if (enable.Value && disable.Value)
        {
            context.Error("Only one of -enable or -disable may be provided");
            return 1;
        }

        if (!enable.Value && reason.Value.Length > 0)
        {
            context.Error("Reason may only be provided with -enable");
            return 1;
        }

        if (!enable.Value && !disable.Value && serviceId.Value.Length > 0)
        {
            context.Error("Service requires either -enable or -disable");
            return 1;
        }

        return await command.RunAsync(context, async client =>
        {
            var nodeName = await HttpCommand.RequestAsync("Error querying Consul agent", () => client.Agent.NodeNameAsync());

            if (!enable.Value && !disable.Value)
            {
                return await ListAsync(client, nodeName, context);
            }

            var service = serviceId.Value;
            var verb = enable.Value ? "enabl" : "disabl";
            await HttpCommand.RequestAsync($"Error {verb}ing {(service.Length == 0 ? "node" : "service")} maintenance", async () =>
            {
                if (service.Length == 0)
                {
                    await (enable.Value ? client.Agent.EnableNodeMaintenanceAsync(reason.Value) : client.Agent.DisableNodeMaintenanceAsync());
                }
                else
                {
                    await (enable.Value
                        ? client.Agent.EnableServiceMaintenanceAsync(service, reason.Value)
                        : client.Agent.DisableServiceMaintenanceAsync(service));
                }
            });

            context.Info(service.Length == 0
                ? $"Node maintenance is now {verb}ed"
                : $"Service maintenance is now {verb}ed for {Praetor.Agent.GoStrconv.Quote(service)}");
            return 0;
        });
    }

    private static async Task<int> ListAsync(PraetorClient client, string nodeName, CliContext context)
    {
        var checks = await HttpCommand.RequestAsync("Error getting checks", () => client.Agent.ChecksAsync());

        // Consul walks a Go map (random order); node first, then services by ID, reads the same every time.
        var ordered = checks.Values
            .Where(c => MaintenanceChecks.IsMaintenanceCheck(c.CheckId))
            .OrderBy(c => c.CheckId == MaintenanceChecks.NodeCheckId ? 0 : 1)
            .ThenBy(c => c.ServiceId, StringComparer.Ordinal);
        foreach (var check in ordered)
        {
            if (check.CheckId == MaintenanceChecks.NodeCheckId)
            {
                context.Info("Node:");
                context.Info("  Name:   " + nodeName);
            }
            else
            {
                context.Info("Service:");
                context.Info("  ID:     " + check.ServiceId);
            }

            context.Info("  Reason: " + check.Notes);
            context.Info(string.Empty);
        }

        return 0;
    }
}
