using System.Diagnostics;

namespace Praetor.Client.Watch;

/// <summary>
/// How a script handler of a watch is started, as Consul's: a command line through a shell
/// (<c>$SHELL</c>, else <c>/bin/sh</c>, with <c>-c</c>; <c>cmd /C</c> on Windows) or an argument list
/// run directly; either way with the caller's environment plus <c>CONSUL_INDEX</c>, the result's
/// JSON on stdin (<see cref="WatchUpdate.HandlerBody"/>) and its standard streams redirected for the
/// caller to read.
/// </summary>
public static class WatchScript
{
    /// <summary>Runs <paramref name="script"/> through <paramref name="shell"/> (null or empty: <c>/bin/sh</c>).</summary>
    public static ProcessStartInfo Shell(string script, string? shell, WatchUpdate update)
    {
        ArgumentNullException.ThrowIfNull(script);
        var startInfo = OperatingSystem.IsWindows()
            ? new ProcessStartInfo("cmd") { ArgumentList = { "/C", script } }
            : new ProcessStartInfo(string.IsNullOrEmpty(shell) ? "/bin/sh" : shell) { ArgumentList = { "-c", script } };
        return Prepare(startInfo, update);
    }

    /// <summary>Runs <paramref name="args"/> directly: the first is the program.</summary>
    public static ProcessStartInfo Direct(IReadOnlyList<string> args, WatchUpdate update)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args.Count == 0)
        {
            throw new ArgumentException("a handler needs a program to run", nameof(args));
        }

        var startInfo = new ProcessStartInfo(args[0]);
        foreach (var arg in args.Skip(1))
        {
            startInfo.ArgumentList.Add(arg);
        }

        return Prepare(startInfo, update);
    }

    private static ProcessStartInfo Prepare(ProcessStartInfo startInfo, WatchUpdate update)
    {
        ArgumentNullException.ThrowIfNull(update);
        startInfo.UseShellExecute = false;
        startInfo.RedirectStandardInput = true;
        startInfo.RedirectStandardOutput = true;
        startInfo.RedirectStandardError = true;
        startInfo.Environment["CONSUL_INDEX"] = update.IndexText;
        return startInfo;
    }
}
