using System.Diagnostics;

namespace Praetor.Integration;

/// <summary>
/// The real `praetor` executable: the one PRAETOR_EXECUTABLE names (scripts/test.sh sets it to
/// the Native AOT build of scripts/publish.sh), else the one built next to these tests through the
/// project reference to Praetor.Cli: its app host when present, otherwise `dotnet praetor.dll`.
/// </summary>
public static class PraetorExecutable
{
    private static string? Native => Environment.GetEnvironmentVariable("PRAETOR_EXECUTABLE") is { Length: > 0 } path ? path : null;

    private static string AppHost => Path.Combine(AppContext.BaseDirectory, OperatingSystem.IsWindows() ? "praetor.exe" : "praetor");

    private static string Assembly => Path.Combine(AppContext.BaseDirectory, "praetor.dll");

    /// <summary>
    /// A start description for `praetor ARGS` with redirected output and an environment free of
    /// CONSUL_* settings; with <paramref name="ignoredSignals"/> (HUP, INT...) it starts with those
    /// ignored, as under `nohup` or `cmd &amp;` in a script.
    /// </summary>
    public static ProcessStartInfo StartInfo(IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null, IReadOnlyList<string>? ignoredSignals = null)
    {
        ProcessStartInfo info;
        if (Native is { } native)
        {
            info = File.Exists(native) ? new ProcessStartInfo(native) : throw new FileNotFoundException($"PRAETOR_EXECUTABLE names {native}, which does not exist");
        }
        else if (File.Exists(AppHost))
        {
            info = new ProcessStartInfo(AppHost);
        }
        else if (File.Exists(Assembly))
        {
            info = new ProcessStartInfo("dotnet");
            info.ArgumentList.Add(Assembly);
        }
        else
        {
            throw new FileNotFoundException($"the praetor executable was not built next to the tests in {AppContext.BaseDirectory}");
        }
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        if (ignoredSignals is { Count: > 0 })
        {
            // The shell ignores them and execs praetor in its place: the PID a test signals is praetor's.
            List<string> command = [info.FileName, .. info.ArgumentList];
            info.FileName = "/bin/sh";
            info.ArgumentList.Clear();
            foreach (var arg in (IEnumerable<string>)["-c", $"trap '' {string.Join(' ', ignoredSignals)}; exec \"$0\" \"$@\"", .. command])
            {
                info.ArgumentList.Add(arg);
            }
        }
        info.RedirectStandardInput = true;
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        info.UseShellExecute = false;
        info.WorkingDirectory = AppContext.BaseDirectory;
        // The runner's own CONSUL_HTTP_ADDR, token or TLS settings must not steer the process under test.
        foreach (var name in info.Environment.Keys.Where(k => k.StartsWith("CONSUL_", StringComparison.Ordinal)).ToList())
        {
            info.Environment.Remove(name);
        }
        if (environment is not null)
        {
            foreach (var (name, value) in environment)
            {
                info.Environment[name] = value;
            }
        }
        return info;
    }

    /// <summary>Runs `praetor ARGS` to completion; kills it by PID when it outlives <paramref name="timeout"/>.</summary>
    public static async Task<ChildProcessResult> RunAsync(IEnumerable<string> args, TimeSpan timeout, IReadOnlyDictionary<string, string>? environment = null)
    {
        await using var child = ChildProcess.Start(StartInfo(args, environment));
        child.CloseInput();
        var code = await child.WaitForExitAsync(timeout);
        return new ChildProcessResult(code, child.StandardOutput, child.StandardError);
    }
}
