using System.Diagnostics;
using System.Text;

namespace Praetor.Integration;

/// <summary>
/// A child process whose standard output and error are collected as they arrive, so a test can
/// read what it printed so far while it runs. Disposing kills it (and its children) by PID if it
/// is still running, so a failed test leaves no process behind.
/// </summary>
public sealed class ChildProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly Lock _gate = new();

    private ChildProcess(Process process)
    {
        _process = process;
    }

    public static ChildProcess Start(ProcessStartInfo info)
    {
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var child = new ChildProcess(process);
        process.OutputDataReceived += (_, e) => child.Append(child._stdout, e.Data);
        process.ErrorDataReceived += (_, e) => child.Append(child._stderr, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public string StandardOutput
    {
        get
        {
            lock (_gate)
            {
                return _stdout.ToString();
            }
        }
    }

    public string StandardError
    {
        get
        {
            lock (_gate)
            {
                return _stderr.ToString();
            }
        }
    }

    /// <summary>Everything printed so far, for a failure message.</summary>
    public string Output => $"--- stdout ---\n{StandardOutput}\n--- stderr ---\n{StandardError}";

    public void CloseInput() => _process.StandardInput.Close();

    /// <summary>Sends a POSIX signal (TERM, INT, ...) to the process by PID with kill(1).</summary>
    public async Task SignalAsync(string signal)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-s", signal, Id.ToString() }, UseShellExecute = false })
            ?? throw new InvalidOperationException("could not start kill(1)");
        await kill.WaitForExitAsync();
        if (kill.ExitCode != 0)
        {
            throw new InvalidOperationException($"kill -s {signal} {Id} exited {kill.ExitCode}");
        }
    }

    /// <summary>Waits for the process to exit; returns its exit code, or null after killing it when <paramref name="timeout"/> passes first.</summary>
    public async Task<int?> WaitForExitAsync(TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            // Also waits for the end of both output streams, so the collected text is complete.
            await _process.WaitForExitAsync(deadline.Token);
            return _process.ExitCode;
        }
        catch (OperationCanceledException)
        {
            await KillAsync();
            return null;
        }
    }

    public async Task KillAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _process.WaitForExitAsync(deadline.Token);
        }
        catch (InvalidOperationException)
        {
            // Exited between the check and the kill.
        }
        catch (OperationCanceledException)
        {
            // A process that survives SIGKILL for 10 s is beyond a test's reach; the test has already failed or passed.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
    }

    private void Append(StringBuilder buffer, string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_gate)
        {
            buffer.Append(line).Append('\n');
        }
    }
}
