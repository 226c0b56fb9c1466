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
