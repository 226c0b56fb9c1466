using System.Diagnostics;

namespace Praetor.Agent.Tests.Checks;

/// <summary>What /proc tells of a process: whether it still runs (a zombie has finished running), which signals it ignores.</summary>
public static class ProcessProbe
{
    /// <summary>Whether <paramref name="signal"/> is in a <c>/proc/PID/status</c> line <c>SigIgn: MASK</c>.</summary>
    public static bool SignalIgnored(string sigIgnLine, int signal) =>
        (Convert.ToUInt64(sigIgnLine["SigIgn:".Length..].Trim(), 16) & (1UL << (signal - 1))) != 0;

    public static bool IsRunning(int pid)
    {
        string stat;
        try
        {
            stat = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (IOException)
        {
            return false;
        }
        // Format: `pid (comm) state ...`; comm may contain spaces and parentheses, so split after the last ')'.
        var state = stat[(stat.LastIndexOf(')') + 2)..][0];
        return state is not ('Z' or 'X');
    }

    /// <summary>Waits, up to the deadline, for the process to stop running; true if it did.</summary>
    public static async Task<bool> WaitUntilGoneAsync(int pid, TimeSpan deadline)
    {
        var clock = Stopwatch.StartNew();
        while (IsRunning(pid))
        {
            if (clock.Elapsed > deadline)
            {
                return false;
            }
            await Task.Delay(20);
        }
        return true;
    }

    /// <summary>Reads the whitespace-separated PIDs a script wrote to <paramref name="path"/>, once it has written them all.</summary>
    public static async Task<int[]> ReadPidsAsync(string path, int count, TimeSpan deadline)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (File.Exists(path))
            {
                var pids = File.ReadAllText(path).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
                if (pids.Length >= count && File.ReadAllText(path).EndsWith('\n'))
                {
                    return [.. pids.Select(int.Parse)];
                }
            }
            if (clock.Elapsed > deadline)
            {
                throw new TimeoutException($"{path} did not get {count} PIDs in time");
            }
            await Task.Delay(20);
        }
    }
}
