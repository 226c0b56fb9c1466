namespace Praetor.Cli;

/// <summary>
/// The <c>praetor</c> command line: picks the command named by the first argument and runs it
/// against a <see cref="CliContext"/>. Exit status 0 on success, 1 on any error.
/// </summary>
public static class PraetorCli
{
    private static readonly (string Name, string Synopsis)[] Commands =
    [
        ("agent", AgentCommand.Synopsis),
        ("catalog", CatalogCommands.Synopsis),
        ("event", EventCommand.Synopsis),
        ("exec", ExecCommand.Synopsis),
        ("force-leave", ForceLeaveCommand.Synopsis),
        ("join", JoinCommand.Synopsis),
        ("keygen", KeygenCommand.Synopsis),
        ("keyring", KeyringCommand.Synopsis),
        ("kv", KvCommands.Synopsis),
        ("leave", LeaveCommand.Synopsis),
        ("lock", Locking.LockCommand.Synopsis),
        ("maint", MaintCommand.Synopsis),
        ("members", MembersCommand.Synopsis),
        ("operator", OperatorCommands.Synopsis),
        ("reload", ReloadCommand.Synopsis),
        ("rtt", RttCommand.Synopsis),
        ("services", ServicesCommands.Synopsis),
        ("snapshot", SnapshotCommands.Synopsis),
        ("validate", ValidateCommand.Synopsis),
        ("version", VersionCommand.Synopsis),
        ("watch", WatchCommand.Synopsis),
    ];

    public static async Task<int> RunAsync(IReadOnlyList<string> args, CliContext context)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(context);
        if (args.Count == 0)
        {
            context.Info(Help());
            return 1;
        }

        var rest = CommandFamily.RestOf(args);
        switch (args[0])
        {
            case "-h" or "-help" or "--help":
                context.Info(Help());
                return 0;
            case "-v" or "-version" or "--version":
                return VersionCommand.Run([], context);
            case "version":
                return VersionCommand.Run(rest, context);
            case "keygen":
                return KeygenCommand.Run(rest, context);
            case "validate":
                return ValidateCommand.Run(rest, context);
            case "kv":
                return await KvCommands.RunAsync(rest, context);
            case "catalog":
                return await CatalogCommands.RunAsync(rest, context);
            case "event":
                return await EventCommand.RunAsync(rest, context);
            case "exec":
                return await ExecCommand.RunAsync(rest, context);
            case "services":
                return await ServicesCommands.RunAsync(rest, context);
            case "snapshot":
                return await SnapshotCommands.RunAsync(rest, context);
            case "members":
                return await MembersCommand.RunAsync(rest, context);
            case "join":
                return await JoinCommand.RunAsync(rest, context);
            case "leave":
                return await LeaveCommand.RunAsync(rest, context);
            case "operator":
                return await OperatorCommands.RunAsync(rest, context);
            case "keyring":
                return await KeyringCommand.RunAsync(rest, context);
            case "force-leave":
                return await ForceLeaveCommand.RunAsync(rest, context);
            case "maint":
                return await MaintCommand.RunAsync(rest, context);
            case "reload":
                return await ReloadCommand.RunAsync(rest, context);
            case "lock":
                return await Locking.LockCommand.RunAsync(rest, context);
            case "watch":
                return await WatchCommand.RunAsync(rest, context);
            case "rtt":
                return await RttCommand.RunAsync(rest, context);
            case "agent":
                return await AgentCommand.RunAsync(rest);
            default:
                context.Error($"Unknown command: {args[0]}");
                context.Error(Help());
                return 1;
        }
    }

    /// <summary>The command list, in the layout of Consul's <c>consul</c> with no arguments.</summary>
    public static string Help()
    {
        var width = 0;
        foreach (var (name, _) in Commands)
        {
            width = Math.Max(width, name.Length);
        }

        var help = new StringWriter();
        help.Write("Usage: praetor [--version] [--help] <command> [<args>]\n\nAvailable commands are:\n");
        foreach (var (name, synopsis) in Commands)
        {
            help.Write($"    {name.PadRight(width)}    {synopsis}\n");
        }

        return help.ToString().TrimEnd('\n');
    }
}
