using Praetor.Client;

namespace Praetor.Cli.Services;

/// <summary>
/// <c>praetor services deregister [options] [FILE...]</c> (Consul's <c>consul services deregister</c>):
/// removes services from the local agent, by <c>-id</c> or by the definitions in files (their ID,
/// or their name when they have none), printing <c>Deregistered service: ID</c> for each.
/// </summary>
public static class ServicesDeregisterCommand
{
    public const string Synopsis = "Deregister services with the local agent";

    private const string Usage = """
        Usage: praetor services deregister [options] [FILE...]

          Deregister one or more services that were previously registered with
          the local agent.

              $ praetor services deregister web.json db.json

          The -id flag may be used to deregister a single service by ID:

              $ praetor services deregister -id=web

          Services are deregistered from the local agent catalog. This command must
          be run against the same agent where the service was registered.
        """;

    public static async Task<int> RunAsync(IReadOnlyList<string> args, CliContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var command = new HttpCommand("services deregister", Usage);
        var flags = command.Flags;
        var id = flags.String("id", string.Empty, "ID to delete. This must not be set if arguments are given.");
        if (command.ParseFlags(args, context) is { } exit)
        {
            return exit;
        }

        if (flags.Args.Count == 0 && id.Value.Length == 0)
        {
            context.Error("Service deregistration requires at least one argument or -id.");
            return 1;
        }

        if (flags.Args.Count > 0 && id.Value.Length > 0)
        {
            context.Error("Service deregistration requires arguments or -id, not both.");
            return 1;
        }

        var ids = new List<string>();
        if (flags.Args.Count == 0)
        {
            ids.Add(id.Value);
        }
        else
        {
            if (!ServiceDefinitionFiles.TryRead(flags.Args, out var definitions, out var readError))
            {
                context.Error($"Error: {readError}");
                return 1;
            }

            foreach (var definition in definitions)
            {
                var serviceId = ServiceDefinitionFiles.StringField(definition, "id");
                serviceId = serviceId.Length > 0 ? serviceId : ServiceDefinitionFiles.StringField(definition, "name");
                if (serviceId.Length > 0)
                {
                    ids.Add(serviceId);
                }
            }
        }

        return await command.RunAsync(context, async client =>
        {
            foreach (var serviceId in ids)
            {
                await HttpCommand.RequestAsync(
                    $"Error deregistering service {ServicesRegisterCommand.GoQuote(serviceId)}", () => client.Agent.ServiceDeregisterAsync(serviceId));
                context.Info($"Deregistered service: {serviceId}");
            }

            return 0;
        });
    }
}
