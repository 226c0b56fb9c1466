namespace Praetor.Integration;

/// <summary>How a finished child process ended (<see cref="ExitCode"/> is null when it had to be killed) and what it printed.</summary>
public sealed record ChildProcessResult(int? ExitCode, string StandardOutput, string StandardError)
{
    public string Output => $"exit code: {(ExitCode?.ToString() ?? "none (killed after its deadline)")}\n--- stdout ---\n{StandardOutput}\n--- stderr ---\n{StandardError}";
}
