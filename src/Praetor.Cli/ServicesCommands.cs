using Praetor.Cli.Services;

namespace Praetor.Cli;

/// <summary><c>praetor services</c>: dispatches to register and deregister (Consul's <c>consul services</c>).</summary>
public static class ServicesCommands
{
    public const string Synopsis = "Interact with services";

    private const string Usage = """
        Usage: praetor services <subcommand> [options] [args]

          This command has subcommands for interacting with services. The subcommands
          default to working with services registered with the local agent. Please see
          the "praetor catalog" command for interacting with the entire catalog.

          To register a service from a definition file:

              $ praetor services register web.json

          To register a service with flags:

              $ praetor services register -name=web -port=80 -tag=v1

          To deregister it:

              $ praetor services deregister -id=web

          For more examples, ask for subcommand help or view the documentation.

        Subcommands:
            deregister    Deregister services with the local agent
            register      Register services with the local agent
        """;

    private static readonly CommandFamily Family = new("services", Usage, new Dictionary<string, CommandRun>(StringComparer.Ordinal)
        {
            ["register"] = ServicesRegisterCommand.RunAsync,
            ["deregister"] = ServicesDeregisterCommand.RunAsync,
        });

    public static Task<int> RunAsync(IReadOnlyList<string> args, CliContext context) => Family.RunAsync(args, context);
}
