using Praetor.Agent.Config;
using Praetor.Cli.Flags;

namespace Praetor.Cli;

/// <summary>
/// <c>praetor validate [-quiet] FILE_OR_DIRECTORY...</c>: reads config files as the agent would
/// (directories contribute their <c>*.json</c> files in lexical order, later files override earlier
/// ones) and checks the result as Consul's <c>consul validate</c> does: prints
/// <c>Configuration is valid!</c> and exits 0, or every problem and exits 1.
/// </summary>
public static class ValidateCommand
{
    public const string Synopsis = "Validate config files/directories";

    private const string Usage = """
        Usage: praetor validate [options] FILE_OR_DIRECTORY...

          Performs a basic sanity test on Praetor configuration files. For each file
          or directory given, the validate command will attempt to parse the contents
          just as the "praetor agent" command would, and catch any errors.

          This is useful to do a test of the configuration only, without actually
          starting the agent. This performs all of the validation the agent would, so
          this should be given the complete set of configuration files that are going
          to be loaded by the agent. This command cannot operate on partial
          configuration fragments since those won't pass the full agent validation.

          Returns 0 if the configuration is valid, or 1 if there are problems.

            $ praetor validate /etc/praetor.d/
        """;

    public static int Run(IReadOnlyList<string> args, CliContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var flags = new GoFlagSet("validate");
        var quiet = flags.Bool("quiet", false, "When given, a successful run will produce no output.");
        if (CommandHelp.ParseFlags(flags, args, context, Usage) is { } exit)
        {
            return exit;
        }

        if (flags.Args.Count == 0)
        {
            context.Error("Must specify at least one config file or directory");
            context.Error(CommandHelp.Format(Usage, flags));
            return 1;
        }

        var loaded = ConfigLoader.Load(flags.Args);
        var problems = new List<string>();
        foreach (var problem in loaded.Problems)
        {
            problems.Add(problem.ToString());
        }

        // Settings rules run only on a config that loaded: on a partial one they would mislead.
        if (loaded.IsValid)
        {
            problems.AddRange(loaded.Config.ValidateSettings());
        }

        if (problems.Count > 0)
        {
            context.Error("Config validation failed:");
            foreach (var problem in problems)
            {
                context.Error($"    {problem}");
            }

            return 1;
        }

        if (!quiet.Value)
        {
            context.Info("Configuration is valid!");
        }

        return 0;
    }
}
