using System.Diagnostics;

namespace Praetor.Integration;

/// <summary>
/// The real `dig` of Debian's bind9-dnsutils (/usr/bin/dig), run as a child process against a DNS
/// server on 127.0.0.1, and its full output parsed (<see cref="DigResult"/>). Every query gets
/// `+tries=1 +time=3` first, so one lost datagram costs 3 s, not dig's 3 x 5 s; options given by the
/// caller come later and win. `-r` keeps the runner's ~/.digrc out. scripts/install-deps.sh installs it.
/// </summary>
public static class Dig
{
    public const string Executable = "/usr/bin/dig";

    /// <summary>How long one dig may run before it is killed; far past its own +time, so only a hang reaches it.</summary>
    private static readonly TimeSpan ProcessDeadline = TimeSpan.FromSeconds(30);

    public static bool Available => File.Exists(Executable);

    public static string SkipReason => $"{Executable} (Debian package bind9-dnsutils) is not installed; run scripts/install-deps.sh";

    /// <summary>Runs `dig -r @127.0.0.1 -p PORT +tries=1 +time=3 QUERY...`: names, types, `-x ADDR`, `+tcp` and other options as dig takes them.</summary>
    public static async Task<DigResult> RunAsync(int port, params string[] query)
    {
        ArgumentNullException.ThrowIfNull(query);
        var info = new ProcessStartInfo(Executable)
        {
            ArgumentList = { "-r", "@127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "+tries=1", "+time=3" },
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in query)
        {
            info.ArgumentList.Add(arg);
        }
        var command = $"dig @127.0.0.1 -p {port} {string.Join(' ', query)}";
        var started = Stopwatch.StartNew();
        await using var dig = ChildProcess.Start(info);
        dig.CloseInput();
        var exitCode = await dig.WaitForExitAsync(ProcessDeadline);
        return DigResult.Parse(command, exitCode, dig.StandardOutput, dig.StandardError, started.Elapsed);
    }
}
