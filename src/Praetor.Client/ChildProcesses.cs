using System.ComponentModel;
using System.Diagnostics;

namespace Praetor.Client;

/// <summary>
/// Creates the processes Praetor runs for its users — check scripts, event and watch handlers,
/// remote exec jobs, `praetor lock`'s child — with SIGPIPE at its default action, as Consul's and
/// Serf's (Go) children have it. .NET ignores SIGPIPE in its own process and a child would
/// inherit that: in `producer | head -1` the producer would then get write errors ("Broken
/// pipe" in a check's output) or, a shell loop, never stop. The command runs through coreutils'
/// `env --default-signal=PIPE`, which resets the signal and execs the command in its place (same
/// PID). Only a command named by an absolute path that exists is wrapped, so a missing program
/// still fails to start with .NET's own error; where that `env` is lacking, nothing is wrapped.
/// </summary>
public static class ChildProcesses
{
    private const string Env = "/usr/bin/env";
    private const string DefaultSigpipe = "--default-signal=PIPE";

    private static readonly Lazy<bool> EnvResetsSignals = new(ProbeEnv);

    /// <summary>A process to start with <paramref name="startInfo"/>, whose command is wrapped as above.</summary>
    public static Process Create(ProcessStartInfo startInfo)
    {
        ArgumentNullException.ThrowIfNull(startInfo);
        if (!OperatingSystem.IsWindows() && Path.IsPathRooted(startInfo.FileName) && File.Exists(startInfo.FileName)
            && !startInfo.FileName.Contains('=', StringComparison.Ordinal) && EnvResetsSignals.Value)
        {
            startInfo.ArgumentList.Insert(0, DefaultSigpipe);
            startInfo.ArgumentList.Insert(1, startInfo.FileName);
            startInfo.FileName = Env;
        }
        return new Process { StartInfo = startInfo };
    }

    private static bool ProbeEnv()
    {
        if (OperatingSystem.IsWindows() || !File.Exists(Env))
        {
            return false;
        }
        try
        {
            using var probe = Process.Start(new ProcessStartInfo(Env)
            {
                ArgumentList = { DefaultSigpipe, "true" },
                UseShellExecute = false,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            });
            if (probe is null)
            {
                return false;
            }
            probe.StandardOutput.ReadToEnd();
            probe.StandardError.ReadToEnd();
            return probe.WaitForExit(TimeSpan.FromSeconds(5)) && probe.ExitCode == 0;
        }
        catch (Win32Exception)
        {
            return false;
        }
    }
}
