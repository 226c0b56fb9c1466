using Praetor.Cli.Flags;

namespace Praetor.Cli;

/// <summary>Consul's help layout and its handling of flag errors, shared by every command.</summary>
public static class CommandHelp
{
    /// <summary>The usage text, then "HTTP API Options" and "Command Options" sections (Consul's <c>flags.Usage</c>).</summary>
    public static string Format(string usage, GoFlagSet? flags)
    {
        ArgumentNullException.ThrowIfNull(usage);
        var output = new StringWriter();
        output.Write(usage.Trim());
        output.Write("\n\n");
        if (flags is not null)
        {
            WriteSection(output, "HTTP API Options", flags, HttpFlags.IsHttpFlag);
            WriteSection(output, "Command Options", flags, flag => !HttpFlags.IsHttpFlag(flag));
        }

        return output.ToString().TrimEnd('\n');
    }

    /// <summary>
    /// Parses a command's flags. Returns null to go on, or the exit code: 0 after printing help for
    /// <c>-h</c>/<c>-help</c>, 1 after printing Go's error and the help for anything wrong. The help
    /// (<see cref="Format"/> of <paramref name="usage"/>) is built only then, not on every run.
    /// </summary>
    public static int? ParseFlags(GoFlagSet flags, IReadOnlyList<string> args, CliContext context, string usage)
    {
        ArgumentNullException.ThrowIfNull(flags);
        ArgumentNullException.ThrowIfNull(context);
        if (flags.TryParse(args, out var error))
        {
            return null;
        }

        var help = Format(usage, flags);
        if (flags.HelpRequested)
        {
            context.Info(help);
            return 0;
        }

        context.Error(error);
        context.Error(help);
        return 1;
    }

    private static void WriteSection(StringWriter output, string title, GoFlagSet flags, Func<GoFlag, bool> include)
    {
        var any = false;
        foreach (var flag in flags.SortedFlags())
        {
            any |= include(flag);
        }

        if (any)
        {
            output.Write($"{title}\n\n");
            flags.WriteDefaults(output, include);
        }
    }
}
