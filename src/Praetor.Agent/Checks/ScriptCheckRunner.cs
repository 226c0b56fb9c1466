using System.ComponentModel;
using System.Diagnostics;
using Praetor.Agent.Definitions;
using Praetor.Client;
using Praetor.State.Catalog;

namespace Praetor.Agent.Checks;

/// <summary>
/// Consul's script check (CheckMonitor): runs a program every interval; exit code 0 is passing,
/// 1 is warning, anything else critical. Stdout and stderr are captured together, keeping the
/// last <c>OutputMaxSizeBytes</c>. A run that outlives its timeout is killed with its whole
/// process tree.
/// </summary>
public sealed class ScriptCheckRunner : IntervalCheckRunner
{
    /// <summary>How long to wait for a killed process to be reaped before giving up on it.</summary>
    private static readonly TimeSpan KillGrace = TimeSpan.FromSeconds(5);

    private readonly string _fileName;
    private readonly string[] _arguments;
    private readonly int _outputMaxSizeBytes;

    /// <summary>
    /// Runs <see cref="CheckDefinition.Args"/> directly when given; otherwise
    /// <see cref="CheckDefinition.Script"/> through <c>/bin/sh -c</c>.
    /// </summary>
    public ScriptCheckRunner(string checkId, CheckDefinition definition, ICheckStatusSink sink, TimeProvider time)
        : base(checkId, (definition ?? throw new ArgumentNullException(nameof(definition))).Interval, definition.Timeout, sink, time)
    {
        if (definition.Args.Count > 0)
        {
            _fileName = definition.Args[0];
            _arguments = [.. definition.Args.Skip(1)];
        }
        else if (definition.Script.Length > 0)
        {
            // The old `script` form is a shell command line (pipes, redirections), as in Consul.
            _fileName = "/bin/sh";
            _arguments = ["-c", definition.Script];
        }
        else
        {
            throw new ArgumentException("A script check needs args or a script.", nameof(definition));
        }
        _outputMaxSizeBytes = definition.OutputMaxSizeBytes > 0 ? definition.OutputMaxSizeBytes : CheckOutput.MaxSizeBytes;
    }

    protected override async Task<CheckResult> RunOnceAsync(CancellationToken stopping)
    {
        var startInfo = new ProcessStartInfo(_fileName)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            // A check must not read the agent's stdin; closing ours gives it an immediate EOF.
            RedirectStandardInput = true,
        };
        foreach (var argument in _arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        using var process = ChildProcesses.Create(startInfo);
        try
        {
            process.Start();
        }
        catch (Exception e) when (e is Win32Exception or InvalidOperationException or PlatformNotSupportedException)
        {
            return new CheckResult(HealthStatus.Critical, e.Message);
        }

        using var runTimeout = new CancellationTokenSource(Timeout, Time);
        using var run = CancellationTokenSource.CreateLinkedTokenSource(stopping, runTimeout.Token);
        using var stopReading = new CancellationTokenSource();
        var output = new OutputTailBuffer(_outputMaxSizeBytes);
        Task readers;
        try
        {
            process.StandardInput.Close();
            readers = Task.WhenAll(
                output.ReadFromAsync(process.StandardOutput.BaseStream, stopReading.Token),
                output.ReadFromAsync(process.StandardError.BaseStream, stopReading.Token));
        }
        catch
        {
            KillProcessTree(process);
            throw;
        }

        try
        {
            try
            {
                await process.WaitForExitAsync(run.Token);
            }
            catch (OperationCanceledException)
            {
                KillProcessTree(process);
                await WaitForKilledAsync(process);
                stopping.ThrowIfCancellationRequested();
                return new CheckResult(HealthStatus.Critical, $"Timed out ({GoDuration.Format(Timeout)}) running check");
            }

            // The pipes reach EOF when every process holding them has closed them. A background
            // child the script left behind may hold them for ever, so wait no longer than the
            // rest of the run's time, then report with what was captured.
            try
            {
                await readers.WaitAsync(run.Token);
            }
            catch (OperationCanceledException)
            {
                stopping.ThrowIfCancellationRequested();
            }

            var status = process.ExitCode switch
            {
                0 => HealthStatus.Passing,
                1 => HealthStatus.Warning,
                _ => HealthStatus.Critical,
            };
            return new CheckResult(status, output.GetTextWithTruncationNote());
        }
        finally
        {
            await stopReading.CancelAsync();
            await readers.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private static void KillProcessTree(Process process)
    {
        try
        {
            // Kill the children too: `sh -c 'sleep 100'` would otherwise leave sleep running.
            process.Kill(entireProcessTree: true);
        }
        catch (Exception e) when (e is InvalidOperationException or Win32Exception or NotSupportedException)
        {
            // Already exited.
        }
    }

    private static async Task WaitForKilledAsync(Process process)
    {
        try
        {
            // Reap it, so a timed-out check leaves no zombie behind.
            await process.WaitForExitAsync().WaitAsync(KillGrace);
        }
        catch (TimeoutException)
        {
        }
    }
}
