using System.Runtime.InteropServices;

namespace Praetor.Cli;

/// <summary>
/// Takes SIGHUP and SIGINT back from a parent that started the process with them ignored —
/// `nohup`, or `cmd &amp;` in a non-interactive shell — so that the handlers registered next see
/// them, as Consul's do: Go's signal.Notify installs its handler for these two even when they
/// were ignored at start, while .NET leaves an ignored signal ignored and never calls a
/// <see cref="PosixSignalRegistration"/> for it.
/// </summary>
internal static class IgnoredSignals
{
    // The same numbers on Linux and macOS.
    private const int SigHup = 1;
    private const int SigInt = 2;
    private const nint SigDfl = 0;
    private const nint SigIgn = 1;

    /// <summary>Larger than any platform's struct sigaction (152 bytes on Linux), whose first field is the handler.</summary>
    private const int SigactionSize = 256;

    /// <summary>Resets each of <paramref name="signals"/> (SIGHUP, SIGINT) that is ignored to its default action; call before registering handlers for them.</summary>
    public static void Unignore(params ReadOnlySpan<PosixSignal> signals)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }
        var current = new byte[SigactionSize];
        foreach (var signal in signals)
        {
            var number = signal switch
            {
                PosixSignal.SIGHUP => SigHup,
                PosixSignal.SIGINT => SigInt,
                _ => throw new ArgumentOutOfRangeException(nameof(signals), signal, "only SIGHUP and SIGINT are taken back, as Go does"),
            };
            if (QueryAction(number, 0, current) == 0 && MemoryMarshal.Read<nint>(current) == SigIgn)
            {
                SetHandler(number, SigDfl);
            }
        }
    }

    [DllImport("libc", EntryPoint = "sigaction")]
    private static extern int QueryAction(int signal, nint action, [Out] byte[] previous);

    [DllImport("libc", EntryPoint = "signal")]
    private static extern nint SetHandler(int signal, nint handler);
}
