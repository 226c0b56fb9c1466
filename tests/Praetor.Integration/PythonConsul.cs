using System.Diagnostics;

namespace Praetor.Integration;

/// <summary>
/// Debian's python3-consul (python-consul), a real Consul client, under the system interpreter
/// /usr/bin/python3 in isolated mode (-I: no PYTHON* variables, no user site-packages), so a
/// pyenv or virtualenv on the PATH cannot stand in for it. scripts/install-deps.sh installs it.
/// </summary>
public static class PythonConsul
{
    public const string Interpreter = "/usr/bin/python3";

    private static readonly Lazy<string?> LazyVersion = new(Probe);

    /// <summary>The library's version when /usr/bin/python3 can import `consul`, otherwise null.</summary>
    public static string? Version => LazyVersion.Value;

    public static string SkipReason =>
        $"{Interpreter} with the `consul` module (Debian package python3-consul) is not installed; run scripts/install-deps.sh";

    /// <summary>
    /// Runs the checked-in script python/<paramref name="scriptName"/> (copied next to the tests)
    /// under <see cref="Interpreter"/> -I with <paramref name="args"/> and no CONSUL_* variables
    /// (python-consul reads CONSUL_HTTP_ADDR and friends over its constructor arguments); kills it
    /// by PID when it outlives <paramref name="timeout"/>.
    /// </summary>
    public static async Task<ChildProcessResult> RunScriptAsync(string scriptName, IEnumerable<string> args, TimeSpan timeout)
    {
        var script = Path.Combine(AppContext.BaseDirectory, "python", scriptName);
        if (!File.Exists(script))
        {
            throw new FileNotFoundException($"the checked-in script was not copied next to the tests: {script}");
        }
        var info = new ProcessStartInfo(Interpreter)
        {
            ArgumentList = { "-I", script },
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        foreach (var name in info.Environment.Keys.Where(k => k.StartsWith("CONSUL_", StringComparison.Ordinal)).ToList())
        {
            info.Environment.Remove(name);
        }
        await using var python = ChildProcess.Start(info);
        python.CloseInput();
        var exitCode = await python.WaitForExitAsync(timeout);
        return new ChildProcessResult(exitCode, python.StandardOutput, python.StandardError);
    }

    private static string? Probe()
    {
        if (!File.Exists(Interpreter))
        {
            return null;
        }
        try
        {
            using var python = Process.Start(new ProcessStartInfo(Interpreter)
            {
                ArgumentList = { "-I", "-c", "import consul; print(getattr(consul, '__version__', 'unknown'))" },
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            });
            if (python is null)
            {
                return null;
            }
            var version = python.StandardOutput.ReadToEnd().Trim();
            python.StandardError.ReadToEnd();
            if (!python.WaitForExit(TimeSpan.FromSeconds(30)))
            {
                python.Kill();
                return null;
            }
            return python.ExitCode == 0 ? version : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }
}
