namespace Praetor.Cli;

/// <summary>How a command runs: its arguments after its name, the streams it may touch, the exit code.</summary>
public delegate Task<int> CommandRun(IReadOnlyList<string> args, CliContext context);

/// <summary>
/// A command with subcommands (<c>praetor kv</c>, <c>catalog</c>, <c>services</c>): runs the subcommand
/// its first argument names, as Consul's CLI does; with no argument prints the family's usage to
/// stderr and fails, with <c>-h</c> prints it to stdout and succeeds, and names an unknown subcommand.
/// </summary>
public sealed class CommandFamily
{
    private readonly string _name;
    private readonly string _usage;
    private readonly IReadOnlyDictionary<string, CommandRun> _subcommands;

    public CommandFamily(string name, string usage, IReadOnlyDictionary<string, CommandRun> subcommands)
    {
        _name = name;
        _usage = usage;
        _subcommands = subcommands;
    }

    public Task<int> RunAsync(IReadOnlyList<string> args, CliContext context)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(context);
        if (args.Count == 0)
        {
            context.Error(_usage);
            return Task.FromResult(1);
        }

        if (_subcommands.TryGetValue(args[0], out var run))
        {
            return run(RestOf(args), context);
        }

        if (args[0] is "-h" or "-help" or "--help")
        {
            context.Info(_usage);
            return Task.FromResult(0);
        }

        context.Error($"Unknown subcommand: {_name} {args[0]}");
        context.Error(_usage);
        return Task.FromResult(1);
    }

    /// <summary>The arguments after the first: what a (sub)command named by the first one is given.</summary>
    public static string[] RestOf(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var rest = new string[args.Count - 1];
        for (var i = 1; i < args.Count; i++)
        {
            rest[i - 1] = args[i];
        }

        return rest;
    }
}
