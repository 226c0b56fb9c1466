using System.ComponentModel;
using System.Diagnostics;
using System.Runtime.InteropServices;
using Praetor.Client;

namespace Praetor.Cli.Locking;

/// <summary>
/// <c>praetor lock [options] prefix child...</c> (Consul's <c>consul lock</c>): creates a session
/// (TTL 15s, renewed every half TTL, behavior release), takes the lock on <c>prefix/.lock</c>, runs
/// the child while it is held with its output passed through, then releases the lock. A lost lock
/// (the session ended, the key's holder changed) stops the child — SIGTERM, then SIGKILL after a
/// grace period — and exits 1 ("Lock release failed: Lock not held", as Consul); SIGINT/SIGTERM stop
/// the child and release. The child sees <c>CONSUL_LOCK_HELD=true</c>; its stdin is empty.
/// </summary>
public static class LockCommand
{
    public const string Synopsis = "Execute a command holding a lock";

    /// <summary>The session's TTL, as Go's <c>api.DefaultLockSessionTTL</c>.</summary>
    private static readonly TimeSpan SessionTtl = TimeSpan.FromSeconds(15);

    /// <summary>Between SIGTERM and SIGKILL of a child whose lock is gone (Consul's <c>lockKillGracePeriod</c>).</summary>
    private static readonly TimeSpan KillGracePeriod = TimeSpan.FromSeconds(5);

    private const string Usage = """
        Usage: praetor lock [options] prefix child...

          Acquires a lock or semaphore at a given path, and invokes a child process
          when successful. The child process can assume the lock is held while it
          executes. If the lock is lost or communication is disrupted the child
          process will be sent a SIGTERM signal and given time to gracefully exit.
          After the grace period expires the process will be hard terminated.

          For Consul agents on Windows, the child process is always hard terminated
          with a SIGKILL, since Windows has no POSIX compatible notion for SIGTERM.

          When -n=1, only a single lock holder or leader exists providing mutual
          exclusion. Setting a higher value switches to a semaphore allowing multiple
          holders to coordinate.

          The prefix provided must have write privileges.
        """;

    /// <summary>Runs until the child ends or the lock is lost; SIGINT or SIGTERM stop the child and release.</summary>
    public static Task<int> RunAsync(IReadOnlyList<string> args, CliContext context) =>
        ShutdownSignals.RunAsync(shutdown => RunAsync(args, context, KillGracePeriod, shutdown));

    /// <summary>Runs until the child ends, the lock is lost, or <paramref name="shutdown"/> fires; a child still running <paramref name="killGrace"/> after SIGTERM is killed.</summary>
    public static async Task<int> RunAsync(IReadOnlyList<string> args, CliContext context, TimeSpan killGrace, CancellationToken shutdown)
    {
        ArgumentNullException.ThrowIfNull(context);
        var command = new HttpCommand("lock", Usage);
        var flags = command.Flags;
        var limit = flags.Int("n", 1, "Optional limit on the number of concurrent lock holders. The underlying implementation " +
            "switches from a lock to a semaphore when the value is greater than 1. The default value is 1.");
        var name = flags.String("name", string.Empty, "Optional name to associate with the lock session. It not provided, one is generated " +
            "based on the provided child command.");
        var timeout = flags.Duration("timeout", TimeSpan.Zero, "Maximum amount of time to wait to acquire the lock, specified as a duration " +
            "like \"1s\" or \"3h\". The default value is 0.");
        var childExitCode = flags.Bool("child-exit-code", false, "Exit 2 if the child process exited with an error if this is true, " +
            "otherwise this doesn't propagate an error from the child. The default value is false.");
        var passStdin = flags.Bool("pass-stdin", false, "Pass stdin to child process.");
        var shell = flags.Bool("shell", true, "Use a shell to run the command (can set a custom shell via the SHELL environment variable).");
        var verbose = flags.Bool("verbose", false, "Enable verbose (debugging) output.");
        var monitorRetry = flags.Int("monitor-retry", 3, "Number of times to retry if Consul returns a 500 error while monitoring the lock. " +
            "This allows riding out brief periods of unavailability without causing leader elections, but increases the amount of time " +
            "required to detect a lost lock in some cases. Defaults to 3, with a 1s wait between retries. Set to 0 to disable.");
        if (command.ParseFlags(args, context) is { } exit)
        {
            return exit;
        }

        if (limit.Value <= 0)
        {
            context.Error("Lock holder limit must be positive");
            return 1;
        }

        if (flags.Args.Count < 2)
        {
            context.Error("Key prefix and child command must be specified");
            return 1;
        }

        if (timeout.Value < TimeSpan.Zero)
        {
            context.Error("Timeout must be positive");
            return 1;
        }

        if (monitorRetry.Value < 0)
        {
            context.Error("Number for 'monitor-retry' must be >= 0");
            return 1;
        }

        var prefix = flags.Args[0].TrimStart('/');
        var child = flags.Args.Skip(1).ToList();
        var script = string.Join(' ', child);
        var sessionName = name.Value.Length > 0 ? name.Value : $"Consul lock for '{script}' at '{prefix}'";
        void Verbose(string line)
        {
            if (verbose.Value)
            {
                context.Info(line);
            }
        }

        return await command.RunAsync(context, async client =>
        {
            await HttpCommand.RequestAsync("Error querying Consul agent", () => client.Agent.NodeNameAsync(shutdown));
            var session = await HttpCommand.RequestAsync("Lock setup failed", () => client.Session.CreateAsync(
                new SessionRequest { Name = sessionName, Ttl = GoDurationText(SessionTtl), Behavior = "release" }, ct: CancellationToken.None));
            using var sessionLost = new CancellationTokenSource();
            using var stopRenewing = new CancellationTokenSource();
            var renewing = RenewAsync(client, session, sessionLost, stopRenewing.Token);
            try
            {
                IContendedLock held = limit.Value == 1 ? new KeyLock(client, prefix, session) : new KeySemaphore(client, prefix, session, limit.Value);
                Verbose("Attempting lock acquisition");
                using var acquiring = CancellationTokenSource.CreateLinkedTokenSource(shutdown, sessionLost.Token);
                if (timeout.Value > TimeSpan.Zero)
                {
                    acquiring.CancelAfter(timeout.Value);
                }

                try
                {
                    await held.AcquireAsync(acquiring.Token);
                }
                catch (OperationCanceledException) when (acquiring.IsCancellationRequested)
                {
                    context.Error("Shutdown triggered or timeout during lock acquisition");
                    return 1;
                }
                catch (Exception e) when (e is LockSetupException or HttpRequestException or ApiStatusException or AgentConnectionException)
                {
                    context.Error($"Lock acquisition failed: {e.Message}");
                    return 1;
                }

                Verbose("Lock acquisition successful");
                return await HoldAsync(held, child, shell.Value, passStdin.Value, childExitCode.Value, monitorRetry.Value, killGrace, context, Verbose, sessionLost.Token, shutdown);
            }
            finally
            {
                await stopRenewing.CancelAsync();
                await renewing;
                try
                {
                    await client.Session.DestroyAsync(session, ct: CancellationToken.None);
                }
                catch (Exception e) when (e is HttpRequestException or ApiStatusException or AgentConnectionException)
                {
                    context.Error($"Session destroy failed: {e.Message}");
                }
            }
        });
    }

    /// <summary>Runs the child while the lock is held; the command's exit code.</summary>
    private static async Task<int> HoldAsync(
        IContendedLock held, IReadOnlyList<string> child, bool shell, bool passStdin, bool childExitCode, int monitorRetry, TimeSpan killGrace,
        CliContext context, Action<string> verbose, CancellationToken sessionLost, CancellationToken shutdown)
    {
        using var stopMonitor = new CancellationTokenSource();
        using var lost = CancellationTokenSource.CreateLinkedTokenSource(sessionLost);
        var monitoring = MonitorAsync(held, monitorRetry, lost, stopMonitor.Token);
        using var process = ChildProcesses.Create(StartInfo(child, shell, context.GetEnvironmentVariable("SHELL")));
        try
        {
            process.Start();
        }
        catch (Exception e) when (e is Win32Exception or InvalidOperationException)
        {
            context.Error($"Error starting handler: {e.Message}");
            await stopMonitor.CancelAsync();
            await monitoring;
            await ReleaseAsync(held, context);
            return childExitCode ? 2 : 0;
        }

        if (passStdin)
        {
            // Not awaited: our stdin may stay open after the child has ended (a terminal).
            _ = FeedStdinAsync(context.Stdin, process.StandardInput);
        }
        else
        {
            process.StandardInput.Close();
        }

        var copies = Task.WhenAll(
            WatchCommand.CopyAsync(process.StandardOutput.BaseStream, context.Stdout),
            WatchCommand.CopyAsync(process.StandardError.BaseStream, context.Stderr));
        using var interrupt = CancellationTokenSource.CreateLinkedTokenSource(lost.Token, shutdown);
        var exitCode = 0;
        var lockLost = false;
        try
        {
            await process.WaitForExitAsync(interrupt.Token);
            await copies;
            if (process.ExitCode != 0)
            {
                context.Error($"Error running handler: exit status {process.ExitCode}");
                exitCode = childExitCode ? 2 : 0;
            }

            verbose("Child terminated, releasing lock");
        }
        catch (OperationCanceledException)
        {
            lockLost = lost.IsCancellationRequested;
            verbose(lockLost ? "Lock lost, killing child" : "Shutdown triggered, killing child");
            await KillAsync(process, copies, killGrace);
        }

        await stopMonitor.CancelAsync();
        await monitoring;
        if (lockLost)
        {
            // As Go's Unlock once the lock is lost: nothing is released.
            context.Error($"Lock release failed: {held.NotHeld}");
            return 1;
        }

        await ReleaseAsync(held, context);
        return exitCode;
    }

    /// <summary>
    /// <c>-pass-stdin</c>: copies our stdin to the child's (bytes unchanged when stdin is a byte
    /// stream) and closes it at our end of input; stops quietly when the child closes its end.
    /// </summary>
    private static async Task FeedStdinAsync(TextReader stdin, StreamWriter childStdin)
    {
        try
        {
            if (stdin is StreamReader { BaseStream: { } stream })
            {
                await stream.CopyToAsync(childStdin.BaseStream);
            }
            else
            {
                var buffer = new char[4096];
                int read;
                while ((read = await stdin.ReadAsync(buffer)) > 0)
                {
                    await childStdin.WriteAsync(buffer.AsMemory(0, read));
                }
            }

            childStdin.Close();
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            // The child ended or closed its stdin first.
        }
    }

    /// <summary>Watches the hold until it is lost (then cancels <paramref name="lost"/>) or <paramref name="stop"/> fires.</summary>
    private static async Task MonitorAsync(IContendedLock held, int retries, CancellationTokenSource lost, CancellationToken stop)
    {
        try
        {
            await held.MonitorAsync(retries, stop);
            await lost.CancelAsync();
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The child ended first.
        }
    }

    /// <summary>Renews the session every half TTL until <paramref name="stop"/>; cancels <paramref name="lost"/> once the agent no longer knows it.</summary>
    private static async Task RenewAsync(PraetorClient client, string session, CancellationTokenSource lost, CancellationToken stop)
    {
        try
        {
            while (true)
            {
                await Task.Delay(SessionTtl / 2, stop);
                try
                {
                    if (!await client.Session.RenewAsync(session, ct: stop))
                    {
                        await lost.CancelAsync();
                        return;
                    }
                }
                catch (Exception e) when (e is HttpRequestException or ApiStatusException or AgentConnectionException)
                {
                    // Retried at the next period; the TTL leaves room for one miss.
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The command is ending.
        }
    }

    private static async Task ReleaseAsync(IContendedLock held, CliContext context)
    {
        try
        {
            await held.ReleaseAsync();
        }
        catch (Exception e) when (e is HttpRequestException or ApiStatusException or AgentConnectionException)
        {
            context.Error($"Lock release failed: {e.Message}");
        }
    }

    /// <summary>SIGTERM, then after <paramref name="grace"/> SIGKILL to the child and its descendants; waits for it and its output.</summary>
    private static async Task KillAsync(Process process, Task copies, TimeSpan grace)
    {
        try
        {
            if (OperatingSystem.IsWindows() || SendSigterm(process.Id) != 0)
            {
                process.Kill(entireProcessTree: true);
            }

            using var wait = new CancellationTokenSource(grace);
            try
            {
                await process.WaitForExitAsync(wait.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
            }
        }
        catch (Exception e) when (e is InvalidOperationException or Win32Exception or NotSupportedException)
        {
            // It ended on its own meanwhile.
        }

        await process.WaitForExitAsync(CancellationToken.None);
        // A grandchild left behind may keep the pipes open: do not wait for it past the grace period.
        await Task.WhenAny(copies, Task.Delay(grace));
    }

    private static ProcessStartInfo StartInfo(IReadOnlyList<string> child, bool shell, string? shellPath)
    {
        ProcessStartInfo startInfo;
        if (!shell)
        {
            startInfo = new ProcessStartInfo(child[0]);
            foreach (var arg in child.Skip(1))
            {
                startInfo.ArgumentList.Add(arg);
            }
        }
        else
        {
            var script = string.Join(' ', child);
            startInfo = OperatingSystem.IsWindows()
                ? new ProcessStartInfo("cmd") { ArgumentList = { "/C", script } }
                : new ProcessStartInfo(string.IsNullOrEmpty(shellPath) ? "/bin/sh" : shellPath) { ArgumentList = { "-c", script } };
        }

        startInfo.UseShellExecute = false;
        startInfo.RedirectStandardInput = true;
        startInfo.RedirectStandardOutput = true;
        startInfo.RedirectStandardError = true;
        startInfo.Environment["CONSUL_LOCK_HELD"] = "true";
        return startInfo;
    }

    private static string GoDurationText(TimeSpan value) => Praetor.Agent.GoDuration.Format(value);

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    private static int SendSigterm(int pid) => Kill(pid, 15);
}
