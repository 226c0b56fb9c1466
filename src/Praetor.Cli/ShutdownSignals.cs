using System.Runtime.InteropServices;

namespace Praetor.Cli;

/// <summary>A command that runs until it ends by itself or SIGINT/SIGTERM asks it to stop.</summary>
public static class ShutdownSignals
{
    /// <summary>Runs <paramref name="run"/> with a token that SIGINT or SIGTERM cancels (the signal's default action is suppressed).</summary>
    public static async Task<int> RunAsync(Func<CancellationToken, Task<int>> run)
    {
        ArgumentNullException.ThrowIfNull(run);
        using var shutdown = new CancellationTokenSource();
        void OnSignal(PosixSignalContext signal)
        {
            signal.Cancel = true;
            shutdown.Cancel();
        }

        IgnoredSignals.Unignore(PosixSignal.SIGINT);
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        return await run(shutdown.Token);
    }
}
